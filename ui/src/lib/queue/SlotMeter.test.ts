import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { StudioStatus } from '../backend';
import SlotMeter from './SlotMeter.svelte';

const studio: StudioStatus = {
  account_id: 'a1',
  studio_account: 'acme',
  computer: 'edit-linux-1',
  url_display: 'postgres://editor@db:5432/loova',
  reachable: true,
  error: null,
  limit: 6,
  in_use: 4,
  computers: [
    { name: 'edit-linux-1', here: true, running: 2, waiting: 3, last_seen_ms: 0, alive: true },
    { name: 'edit-mac-2', here: false, running: 2, waiting: 10, last_seen_ms: 0, alive: true },
  ],
};

describe('SlotMeter', () => {
  it("counts a shared account's studio slots, this computer's first", () => {
    const { container } = render(SlotMeter, { inFlight: 2, limit: 6, studio });
    expect(screen.getByTestId('slot-count').textContent).toBe('4/6');
    expect(screen.getByTestId('studio-slots').textContent).toBe('— 2 here, 2 on edit-mac-2');
    expect(screen.getByTestId('studio-waiting').textContent).toBe('(waiting: 3 here, 10 on edit-mac-2)');
    const dots = [...container.querySelectorAll('.dot')].map((d) =>
      ['used', 'studio', 'free'].find((k) => d.classList.contains(k)),
    );
    expect(dots).toEqual(['used', 'used', 'studio', 'studio', 'free', 'free']);
  });

  it('says when the studio database does not answer', () => {
    render(SlotMeter, { inFlight: 1, limit: 6, studio: { ...studio, reachable: false, error: 'Start it.' } });
    expect(screen.getByTestId('studio-unreachable').textContent).toContain('unreachable');
    expect(screen.getByTestId('slot-count').textContent).toBe('1/6');
  });

  it('without a studio shows this computer alone, as before', () => {
    render(SlotMeter, { inFlight: 3, limit: 6, takenElsewhere: 1 });
    expect(screen.getByTestId('slot-count').textContent).toBe('3/6');
    expect(screen.queryByTestId('studio-slots')).toBeNull();
  });
});
