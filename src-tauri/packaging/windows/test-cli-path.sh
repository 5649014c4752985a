#!/usr/bin/env bash
# Tests cli-path.nsh (the NSIS installer hooks that put the loova CLI's
# folder on the user PATH) under Wine: a small installer built with makensis
# inserts the hooks the way Tauri's installer.nsi does, and each case checks
# HKCU\Environment\Path afterwards:
#   - an existing PATH (with an unexpanded %VAR%) gets the folder appended once,
#     also when installed twice, and loses exactly it at uninstall;
#   - no user PATH yet: it is created, and removed again at uninstall;
#   - a PATH longer than NSIS strings hold is left untouched.
# Installs nsis (makensis) when missing; needs Wine (scripts/cross installs it).
source "$(dirname "$0")/../../../scripts/lib.sh"

command -v wine >/dev/null || die "Wine is missing: scripts/cross installs it"
if ! command -v makensis >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
hooks="$ROOT/src-tauri/packaging/windows/cli-path.nsh"
cat >"$work/test.nsi" <<NSI
Target amd64-unicode
!include "$hooks"
Name "loova PATH hooks test"
OutFile "$work/hooks-test.exe"
RequestExecutionLevel user
InstallDir "\$LOCALAPPDATA\\Loova Desk"
SilentInstall silent
Section "Install"
  SetOutPath \$INSTDIR
  WriteUninstaller "\$INSTDIR\\uninstall.exe"
  !insertmacro NSIS_HOOK_POSTINSTALL
SectionEnd
Section "Uninstall"
  !insertmacro NSIS_HOOK_POSTUNINSTALL
SectionEnd
NSI
# -WX: a warning (an unused function, say) fails like Tauri's build would.
makensis -V2 -WX "$work/test.nsi" >/dev/null

user_path() { wine reg query 'HKCU\Environment' /v Path 2>/dev/null | tr -d '\r' | sed -n 's/^ *Path *REG_[A-Z_]* *//p'; }
set_path() { wine reg add 'HKCU\Environment' /v Path /t REG_EXPAND_SZ /d "$1" /f >/dev/null; }
install() { wine "$work/hooks-test.exe"; }
# _?= runs the uninstaller in place, so it has finished when wine returns.
uninstall() { wine "$dir_unix/uninstall.exe" /S "_?=$dir"; }
# Waits (up to 20 s) for the value rather than reading it once: under Wine an
# installer's registry write was seen to land just after the process had
# returned (the next read showed it), so one read could fail a right result.
expect() {
  local seen tries=0
  while seen="$(user_path)"; [ "$seen" != "$1" ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 40 ] || die "$2: PATH is '$seen', expected '$1'"
    sleep 0.5
  done
  echo "ok: $2"
}

wineboot -i >/dev/null 2>&1 || true
profile="$(wine cmd /c 'echo %USERNAME%' 2>/dev/null | tr -d '\r')"
dir="C:\\users\\$profile\\AppData\\Local\\Loova Desk"
dir_unix="$WINEPREFIX/drive_c/users/$profile/AppData/Local/Loova Desk"

set_path 'C:\tools;%USERPROFILE%\bin'
install
expect "C:\\tools;%USERPROFILE%\\bin;$dir" "install appends the folder"
install
expect "C:\\tools;%USERPROFILE%\\bin;$dir" "installing again adds it once"
uninstall
expect 'C:\tools;%USERPROFILE%\bin' "uninstall removes exactly it"

wine reg delete 'HKCU\Environment' /v Path /f >/dev/null 2>&1 || true
install
expect "$dir" "no user PATH yet: created"
uninstall
expect "" "uninstall removes the PATH it created"

long="C:\\$(printf 'x%.0s' $(seq 1100))"
set_path "$long"
install
expect "$long" "a PATH too long to hold is left untouched"
echo "cli-path.nsh: all cases passed"
