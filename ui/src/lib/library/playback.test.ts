import { describe, expect, it } from 'vitest';
import { clock, drifted, keyAction, mediaErrorMessage, seekTo, toggleSelected } from './playback';

const key = (k: string, mods: Partial<KeyboardEvent> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('the player', () => {
  it('maps P to a pick and 1–5 to a rating, not while typing', () => {
    expect(keyAction(key('p'), false)).toBe('pick');
    expect(keyAction(key('P'), false)).toBe('pick');
    expect(keyAction(key('1'), false)).toBe('rate1');
    expect(keyAction(key('5'), false)).toBe('rate5');
    expect(keyAction(key('6'), false)).toBeNull();
    expect(keyAction(key('3'), true)).toBeNull();
  });

  it('maps space, arrows, F and Escape, but not while typing or with Ctrl', () => {
    expect(keyAction(key(' '), false)).toBe('toggle');
    expect(keyAction(key('ArrowLeft'), false)).toBe('back');
    expect(keyAction(key('ArrowRight'), false)).toBe('forward');
    expect(keyAction(key('f'), false)).toBe('fullscreen');
    expect(keyAction(key('F'), false)).toBe('fullscreen');
    expect(keyAction(key('Escape'), false)).toBe('close');
    expect(keyAction(key(' '), true)).toBeNull();
    expect(keyAction(key('6', { ctrlKey: true }), false)).toBeNull();
    expect(keyAction(key('x'), false)).toBeNull();
  });

  it('names the package to install when the decoder is missing', () => {
    for (const code of [3, 4]) expect(mediaErrorMessage(code, 'linux')).toContain('gstreamer1.0-libav');
    expect(mediaErrorMessage(2, 'linux')).not.toContain('gstreamer');
  });

  it('gives each system its own advice, never Linux packages on a Mac or Windows', () => {
    for (const code of [3, 4]) {
      expect(mediaErrorMessage(code, 'windows')).toContain('Media Feature Pack');
      expect(mediaErrorMessage(code, 'mac')).toContain('QuickTime Player');
      for (const on of ['mac', 'windows'] as const) expect(mediaErrorMessage(code, on)).not.toContain('gstreamer');
    }
  });

  it('keeps seeks inside the video', () => {
    expect(seekTo(2, -5, 10)).toBe(0);
    expect(seekTo(8, 5, 10)).toBe(10);
    expect(seekTo(3, 5, 10)).toBe(8);
    expect(seekTo(3, 5, NaN)).toBe(8);
  });

  it('puts compare followers back in step only when they drift', () => {
    expect(drifted(5, 5.1)).toBe(false);
    expect(drifted(5, 5.3)).toBe(true);
    expect(drifted(5, 4.7)).toBe(true);
  });

  it('selects 2 to 4 takes to compare', () => {
    let s: number[] = [];
    for (const id of [1, 2, 3, 4, 5]) s = toggleSelected(s, id);
    expect(s).toEqual([1, 2, 3, 4]);
    expect(toggleSelected(s, 2)).toEqual([1, 3, 4]);
  });

  it('writes times as m:ss', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(75.9)).toBe('1:15');
    expect(clock(NaN)).toBe('0:00');
  });
});
