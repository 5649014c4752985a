// Presentation only: these functions format numbers Rust computed; they never
// do arithmetic on prices.

/**
 * The person's locale, when the webview reports a real one. Under a bare
 * POSIX environment WebKit reports "C" (which Intl rejects) or a POSIX
 * variant that does not group digits: use plain English there.
 */
export function locale(): string {
  const tag = typeof navigator !== 'undefined' ? navigator.language : undefined;
  try {
    const canonical = tag ? Intl.getCanonicalLocales(tag)[0] : undefined;
    if (canonical && !/posix/i.test(canonical)) return canonical;
  } catch {
    // fall through
  }
  return 'en-US';
}

// Building an Intl formatter costs far more than using one (the Queue draws
// hundreds of figures per keystroke in its filter): one per locale and options.
const formatters = new Map<string, Intl.NumberFormat>();
let lastTag: string | undefined;
let lastLocale = 'en-US';

/** The locale, computed again only when the webview's language changes. */
function currentLocale(): string {
  const tag = typeof navigator !== 'undefined' ? navigator.language : undefined;
  if (tag !== lastTag || formatters.size === 0) {
    lastTag = tag;
    lastLocale = locale();
  }
  return lastLocale;
}

/** A shared number formatter for the person's locale and these options. */
export function numberFormat(options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const tag = currentLocale();
  const key = `${tag}|${JSON.stringify(options)}`;
  let nf = formatters.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(tag, options);
    formatters.set(key, nf);
  }
  return nf;
}

/** 240000 → "240,000" (in the person's locale). */
export function formatCredits(n: number): string {
  return numberFormat({ maximumFractionDigits: 0 }).format(n);
}

/**
 * An exact decimal string from Rust ("1624.00") → "$1,624.00". The integer
 * part is grouped via BigInt so no digit ever passes through a float.
 */
export function formatUsd(decimal: string): string {
  const [whole, frac = ''] = decimal.split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = numberFormat().format(BigInt(digits || '0'));
  const sep =
    numberFormat()
      .formatToParts(1.5)
      .find((p) => p.type === 'decimal')?.value ?? '.';
  return `${negative ? '-' : ''}$${grouped}${sep}${frac.padEnd(2, '0')}`;
}

/** "a\n\n b \n" → ["a", "b"]: one reference URL per line. */
export function listToLines(list: string[]): string {
  return list.join('\n');
}

export function linesToList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** 1536 → "1.5 KB" (for file sizes, not money). */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${numberFormat({ maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`;
}

/** 0.8 → "0.8 s"; 75 → "1:15" (how long a clip plays). */
export function formatDuration(secs: number): string {
  if (secs < 60) return `${numberFormat({ maximumFractionDigits: 1 }).format(secs)} s`;
  const whole = Math.round(secs);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** 40 → "40 s"; 840 → "14 min"; 5400 → "1 h 30 min" (a rough expectation). */
export function formatAbout(secs: number): string {
  const nf = numberFormat({ maximumFractionDigits: 0 });
  if (secs < 60) return `${nf.format(Math.round(secs))} s`;
  const mins = Math.round(secs / 60);
  if (mins < 60) return `${nf.format(mins)} min`;
  const rest = mins % 60;
  return `${nf.format(Math.floor(mins / 60))} h${rest ? ` ${rest} min` : ''}`;
}
