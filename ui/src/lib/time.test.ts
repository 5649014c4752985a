import { describe, expect, it } from 'vitest';
import { age, localDay } from './time';

describe('age', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  it('says how old a figure is', () => {
    expect(age(now - 10_000, now)).toBe('just now');
    expect(age(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(age(now - 3 * 24 * 3600_000, now)).toBe('3 days ago');
    expect(age(now - 24 * 3600_000, now)).toBe('yesterday');
  });
});

describe('localDay', () => {
  it('is the local calendar day, not the UTC one', () => {
    // 23:30 local time on 1 Dec is still 1 Dec, whatever the UTC date is.
    expect(localDay(new Date(2026, 11, 1, 23, 30))).toBe('2026-12-01');
    expect(localDay(new Date(2026, 0, 5, 0, 10))).toBe('2026-01-05');
  });
});
