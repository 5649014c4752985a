import { describe, expect, it } from 'vitest';
import { age } from './time';

describe('age', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  it('says how old a figure is', () => {
    expect(age(now - 10_000, now)).toBe('just now');
    expect(age(now - 5 * 60_000, now)).toBe('5 minutes ago');
    expect(age(now - 3 * 24 * 3600_000, now)).toBe('3 days ago');
    expect(age(now - 24 * 3600_000, now)).toBe('yesterday');
  });
});
