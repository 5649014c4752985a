import { describe, expect, it } from 'vitest';
import { detectOs, examplePath, shortcut } from './platform';

describe('platform words', () => {
  it('tells the three systems apart from what the webview reports', () => {
    expect(detectOs('MacIntel')).toBe('mac');
    expect(detectOs('Win32')).toBe('windows');
    expect(detectOs('Linux x86_64')).toBe('linux');
    expect(detectOs('', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120')).toBe('windows');
  });

  it('labels shortcuts and example paths the way each system does', () => {
    expect(shortcut('3', 'mac')).toBe('Cmd+3');
    expect(shortcut('3', 'windows')).toBe('Ctrl+3');
    expect(shortcut('Q', 'linux')).toBe('Ctrl+Q');
    expect(examplePath('shots.csv', 'mac')).toBe('/Users/you/shots.csv');
    expect(examplePath('shots.csv', 'windows')).toBe('C:\\Users\\you\\shots.csv');
    expect(examplePath('shots.csv', 'linux')).toBe('/home/you/shots.csv');
  });
});
