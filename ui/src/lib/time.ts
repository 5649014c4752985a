// Ages of figures ("entered 3 days ago"), in the person's locale when the
// webview reports a usable one.
import { locale } from './format';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** ms-since-epoch → "3 days ago" / "just now". */
export function age(thenMs: number, nowMs: number = Date.now()): string {
  const secs = Math.round((nowMs - thenMs) / 1000);
  if (secs < 45) return 'just now';
  const fmt = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (secs >= size) return fmt.format(-Math.floor(secs / size), unit);
  }
  return fmt.format(-1, 'minute');
}

/** ms-since-epoch → a date the person reads ("Nov 22, 2026"). */
export function day(ms: number): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(ms));
}

/** A date as the `<input type="date">` value of the person's own calendar day. */
export function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
