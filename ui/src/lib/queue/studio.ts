import type { StudioStatus } from '../backend';

// How a shared account's slots read on the meter: this computer first, then
// the others that hold (or wait for) any. Every number is Rust's.

type Count = 'running' | 'waiting';

function perComputer(s: StudioStatus, count: Count): string {
  const here = s.computers.find((c) => c.here);
  // A silent computer's tasks are followed by the others until they end.
  const others = s.computers
    .filter((c) => !c.here && c[count] > 0)
    .map((c) => `${c[count]} on ${c.name}${c.alive ? '' : ' (not heard from)'}`);
  return [`${here?.[count] ?? 0} here`, ...others].join(', ');
}

/** `2 here, 2 on edit-mac-2`: who holds the studio's slots in use. */
export const slotsText = (s: StudioStatus) => perComputer(s, 'running');

/** `3 here, 10 on edit-mac-2`: the jobs waiting for a slot on each computer. */
export const waitingText = (s: StudioStatus) => perComputer(s, 'waiting');
