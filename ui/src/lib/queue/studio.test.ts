import { describe, expect, it } from 'vitest';
import type { StudioStatus } from '../backend';
import { slotsText, waitingText } from './studio';

const status = (computers: StudioStatus['computers']): StudioStatus => ({
  account_id: 'a1',
  studio_account: 'acme',
  computer: 'edit-linux-1',
  url_display: 'postgres://editor@db:5432/loova',
  reachable: true,
  error: null,
  limit: 6,
  in_use: computers.reduce((n, c) => n + c.running, 0),
  computers,
});

const computer = (name: string, here: boolean, running: number, waiting: number) => ({
  name,
  here,
  running,
  waiting,
  last_seen_ms: 0,
  alive: true,
});

describe('studio meter text', () => {
  it('names this computer first, then the others that hold slots or wait', () => {
    const s = status([
      computer('edit-mac-2', false, 2, 10),
      computer('edit-linux-1', true, 2, 3),
      computer('idle-3', false, 0, 0),
    ]);
    expect(slotsText(s)).toBe('2 here, 2 on edit-mac-2');
    expect(waitingText(s)).toBe('3 here, 10 on edit-mac-2');
  });

  it('says 0 here when this computer holds nothing', () => {
    const s = status([computer('edit-linux-1', true, 0, 0), computer('edit-mac-2', false, 6, 1)]);
    expect(slotsText(s)).toBe('0 here, 6 on edit-mac-2');
    expect(waitingText(s)).toBe('0 here, 1 on edit-mac-2');
  });

  it('marks a computer that has gone silent', () => {
    const s = status([computer('edit-linux-1', true, 1, 0), { ...computer('edit-mac-2', false, 2, 0), alive: false }]);
    expect(slotsText(s)).toBe('1 here, 2 on edit-mac-2 (not heard from)');
  });
});
