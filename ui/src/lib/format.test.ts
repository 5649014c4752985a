import { describe, expect, it, vi } from 'vitest';
import { formatAbout, formatCredits, formatDuration, formatUsd, linesToList } from './format';

describe('format', () => {
  it('groups credits', () => {
    expect(formatCredits(240000)).toBe('240,000');
    expect(formatCredits(0)).toBe('0');
  });
  it('formats exact dollar strings without floats', () => {
    expect(formatUsd('7.68')).toBe('$7.68');
    expect(formatUsd('1624.00')).toBe('$1,624.00');
    expect(formatUsd('90071992547409931.07')).toBe('$90,071,992,547,409,931.07');
    expect(formatUsd('5')).toBe('$5.00');
  });
  it('reads one URL per line', () => {
    expect(linesToList(' https://a \n\n https://b\n')).toEqual(['https://a', 'https://b']);
  });
});

describe('locale', () => {
  it('survives a POSIX "C" locale', () => {
    const spy = vi.spyOn(navigator, 'language', 'get').mockReturnValue('C');
    expect(formatCredits(1000)).toBe('1,000');
    expect(formatUsd('12.30')).toMatch(/^\$12.30$/);
    spy.mockRestore();
  });
});

describe('formatDuration', () => {
  it('reads like a clip length', () => {
    expect(formatDuration(0.8)).toBe('0.8 s');
    expect(formatDuration(12)).toBe('12 s');
    expect(formatDuration(75)).toBe('1:15');
  });
});

describe('formatAbout', () => {
  it('rounds to seconds, minutes, or hours and minutes', () => {
    expect(formatAbout(40.4)).toBe('40 s');
    expect(formatAbout(840)).toBe('14 min');
    expect(formatAbout(3600)).toBe('1 h');
    expect(formatAbout(5400)).toBe('1 h 30 min');
  });
});
