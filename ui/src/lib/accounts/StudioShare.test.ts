import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { AccountView, StudioStatus } from '../backend';

const status: StudioStatus = {
  account_id: 'a1',
  studio_account: 'acme',
  computer: 'edit-linux-1',
  url_display: 'postgres://editor@192.168.1.20:5432/loova',
  reachable: true,
  error: null,
  limit: 6,
  in_use: 0,
  computers: [],
};

vi.mock('../backend', () => ({
  commands: {
    studioStatus: vi.fn(async () => ({ status: 'ok', data: null })),
    studioDefaultComputer: vi.fn(async () => ({ status: 'ok', data: 'edit-linux-1' })),
    studioConnect: vi.fn(async () => ({ status: 'ok', data: { accounts: [] } })),
  },
  events: {},
}));

import { commands } from '../backend';
import StudioShare from './StudioShare.svelte';

const account = (noTls: boolean | null) =>
  ({
    id: 'a1',
    name: 'Acme',
    studio:
      noTls === null
        ? null
        : { studio_account: 'acme', computer: 'edit-linux-1', url_display: status.url_display, no_tls: noTls },
  }) as unknown as AccountView;

describe('StudioShare', () => {
  it('says in red when the link has no TLS to another computer, and not otherwise', async () => {
    vi.mocked(commands.studioStatus).mockResolvedValue({ status: 'ok', data: status });
    const { unmount } = render(StudioShare, { account: account(true) });
    expect((await screen.findByTestId('studio-no-tls')).textContent).toContain('readable');
    unmount();
    render(StudioShare, { account: account(false) });
    await screen.findByTestId('studio-link');
    expect(screen.queryByTestId('studio-no-tls')).toBeNull();
  });

  it('sends the CA file and the explicit no-TLS choice, warning before it is sent', async () => {
    vi.mocked(commands.studioStatus).mockResolvedValue({ status: 'ok', data: null });
    render(StudioShare, { account: account(null) });
    await fireEvent.click(await screen.findByTestId('studio-open'));
    await fireEvent.input(screen.getByTestId('studio-url'), {
      target: { value: 'postgres://editor@192.168.1.20/loova' },
    });
    await fireEvent.input(screen.getByTestId('studio-account'), { target: { value: 'acme' } });
    expect(screen.queryByTestId('studio-no-tls-warning')).toBeNull();
    await fireEvent.click(screen.getByTestId('studio-no-tls-choice'));
    expect(screen.getByTestId('studio-no-tls-warning').textContent).toContain('readable');
    await fireEvent.click(screen.getByTestId('studio-connect'));
    await waitFor(() => expect(commands.studioConnect).toHaveBeenCalled());
    expect(vi.mocked(commands.studioConnect).mock.calls[0][0]).toMatchObject({
      insecure_no_tls: true,
      ssl_root_cert: null,
    });
  });
});
