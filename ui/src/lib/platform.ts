// The system the window runs on, read from the webview, for the words that
// differ between systems: shortcut labels (Cmd on a Mac, Ctrl elsewhere),
// example paths and playback hints. Rust's own messages pick theirs with
// `loova_core::platform::Os`; both say "Cmd+Q" / "Ctrl+Q" the same way.

export type Os = 'mac' | 'windows' | 'linux';

/** Which system a webview's `navigator.platform` / user agent names. */
export function detectOs(platform: string, userAgent = ''): Os {
  const p = platform.toLowerCase();
  if (p.startsWith('mac')) return 'mac';
  if (p.startsWith('win')) return 'windows';
  if (p) return 'linux';
  // navigator.platform is deprecated and may be empty: the user agent then.
  if (/Macintosh|Mac OS X/.test(userAgent)) return 'mac';
  if (/Windows/.test(userAgent)) return 'windows';
  return 'linux';
}

export const os: Os = typeof navigator === 'undefined' ? 'linux' : detectOs(navigator.platform, navigator.userAgent);

/** A shortcut's label: "Cmd+3" on a Mac, "Ctrl+3" elsewhere. */
export function shortcut(key: string, on: Os = os): string {
  return `${on === 'mac' ? 'Cmd' : 'Ctrl'}+${key}`;
}

/** An example file path in the system's own form. */
export function examplePath(file: string, on: Os = os): string {
  switch (on) {
    case 'mac':
      return `/Users/you/${file}`;
    case 'windows':
      return `C:\\Users\\you\\${file}`;
    default:
      return `/home/you/${file}`;
  }
}
