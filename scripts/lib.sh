# Shared by scripts/run, scripts/test and scripts/bench. Each step says what it
# does; a failure names the step that failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

CURRENT_STEP="starting"
step() {
  CURRENT_STEP="$*"
  printf '\n\033[1m==> %s\033[0m\n' "$*"
}
trap 'rc=$?; [ $rc -ne 0 ] && printf "\n\033[31mFAILED (exit %s) at step: %s\033[0m\n" "$rc" "$CURRENT_STEP" >&2' EXIT

die() {
  printf '\033[31merror: %s\033[0m\n' "$*" >&2
  exit 1
}

# Debian/Ubuntu packages the app, its tests and the keychain need.
DEBIAN_PACKAGES=(
  build-essential pkg-config curl file libssl-dev
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth webkit2gtk-driver imagemagick
  gnome-keyring libsecret-tools dbus dbus-x11
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav gstreamer1.0-gl
)

# A clean debug build with every test binary needs about 4 GB; failing here
# says so, instead of a linker dying with "Bus error" halfway through.
NEEDED_FREE_GB=5
check_disk_space() {
  local target="${CARGO_TARGET_DIR:-$ROOT/target}" dir free_gb
  dir="$target"; [ -d "$dir" ] || dir="$ROOT"
  free_gb=$(( $(df -Pk "$dir" | awk 'NR==2 {print $4}') / 1024 / 1024 ))
  if [ "$free_gb" -lt "$NEEDED_FREE_GB" ]; then
    local used=""
    [ -d "$target" ] && used=" ($target uses $(du -sh "$target" 2>/dev/null | cut -f1))"
    die "only ${free_gb} GB free on the disk holding $target${used}; the build needs about ${NEEDED_FREE_GB} GB. Free some space (e.g. 'cargo clean' in old clones) and run again."
  fi
  echo "${free_gb} GB free"
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $* (install sudo or run as root)"
  fi
}

# Arguments: packages only this script needs (scripts/test adds PostgreSQL).
install_system_packages() {
  local wanted=("${DEBIAN_PACKAGES[@]}" "$@")
  case "$(uname -s)" in
    Linux)
      if ! command -v apt-get >/dev/null; then
        echo "Not a Debian-based system: install the equivalents of: ${wanted[*]}"
        return 0
      fi
      local missing=()
      for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
      done
      if [ ${#missing[@]} -eq 0 ]; then
        echo "all system packages present"
      else
        echo "installing: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
      fi
      ;;
    Darwin)
      echo "macOS: needs Xcode Command Line Tools (xcode-select --install), Rust (rustup) and Node.js >= 20.19."
      ;;
    *)
      echo "Windows: needs the MSVC Build Tools, WebView2 (preinstalled on Windows 11), Rust (rustup) and Node.js >= 20.19;"
      echo "run the steps of this script from Git Bash."
      ;;
  esac
}

# The studio tests start their own throwaway PostgreSQL clusters with
# initdb/pg_ctl, which Debian keeps out of PATH (under
# /usr/lib/postgresql/<version>/bin): the newest one goes first on PATH.
use_postgresql_binaries() {
  local bin
  if command -v initdb >/dev/null; then
    echo "initdb: $(command -v initdb)"
    return 0
  fi
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || die "PostgreSQL's initdb was not found: install PostgreSQL (Debian: apt-get install postgresql; macOS: brew install postgresql) and rerun."
  export PATH="$bin:$PATH"
  echo "initdb: $bin/initdb"
}

check_toolchains() {
  command -v cargo >/dev/null || die "Rust is missing: install it with rustup (https://rustup.rs), then rerun."
  command -v node >/dev/null || die "Node.js is missing: install Node.js 20.19 or newer, then rerun."
  local v
  v="$(node -p 'process.versions.node')"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node.js $v is too old for Vite 8: install Node.js 20.19 or newer."
  echo "cargo $(cargo --version | cut -d' ' -f2), node $v"
}

install_ui_dependencies() {
  # npm ci is exact and fast when the lock file is unchanged; skip it when
  # node_modules already matches the lock.
  if [ ! -f ui/node_modules/.package-lock.json ] || ! cmp -s ui/package-lock.json ui/node_modules/.loova-lock; then
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
    cp ui/package-lock.json ui/node_modules/.loova-lock
  else
    echo "ui/node_modules up to date"
  fi
}

build_ui() {
  (cd ui && npx vite build --logLevel warn)
}

# The one debug build that scripts/test, scripts/run and scripts/bindings share:
# the same cargo invocation means the same resolved features, so running the
# app after the tests (or the other way round) rebuilds nothing. Building
# only some packages would unify features differently (dev-dependencies such
# as reqwest's "blocking" change what GTK/WebKit/Tauri crates are built with)
# and recompile them for minutes.
build_rust_debug() {
  cargo build --workspace --all-targets
}

# Markers that stand in for a feature are not allowed in the tree.
check_no_placeholders() {
  local hits
  hits="$(git grep -n -I -E 'TODO|FIXME|unimplemented!|todo!' -- . ':!scripts/lib.sh' ':!*.lock' ':!ui/package-lock.json' || true)"
  if [ -n "$hits" ]; then
    printf '%s\n' "$hits"
    die "placeholders found (above): finish the feature or remove the marker"
  fi
  echo "no TODO/FIXME/unimplemented!/todo! in the tree"
}

install_tauri_driver() {
  if command -v tauri-driver >/dev/null; then
    echo "tauri-driver present"
  else
    cargo install tauri-driver --version '^2' --locked
  fi
}
