import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RemoteNotices as Data } from '../backend';

// The section draws what Rust lists and sends the form once; the address
// and token leave the page as soon as they are sent.
const backend = vi.hoisted(() => ({
  remoteNotices: vi.fn(),
  addNoticeTarget: vi.fn(),
  testNoticeTarget: vi.fn(),
  removeNoticeTarget: vi.fn(),
  setNoticeTargetKinds: vi.fn(),
  setNoticeQuietHours: vi.fn(),
}));
vi.mock('../backend', () => ({ commands: backend, events: {} }));

import RemoteNotices from './RemoteNotices.svelte';

const base: Data = {
  targets: [],
  target_kinds: [
    { value: 'ntfy', label: 'ntfy topic', help: 'The topic address', takes_token: true },
    { value: 'slack', label: 'Slack incoming webhook', help: 'hooks.slack.com', takes_token: false },
  ],
  notice_kinds: [
    { value: 'batch_finished', label: 'A batch finished', help: null, takes_token: false },
    { value: 'budget', label: 'A budget reached 80 %', help: null, takes_token: false },
  ],
  quiet_hours: null,
};

const phone = {
  id: 'nt1',
  name: 'Phone',
  kind: 'ntfy' as const,
  kind_label: 'ntfy topic',
  host: 'ntfy.sh',
  kinds: ['batch_finished' as const],
  last_at_ms: 1_700_000_000_000,
  last_ok: false,
  last_error: 'ntfy.sh refused the notice (HTTP 401): check the access token.',
  waiting: 1,
};

describe('Remote notices', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    backend.remoteNotices.mockResolvedValue({ status: 'ok', data: base });
  });

  it('sends the form once and clears the address and token', async () => {
    backend.addNoticeTarget.mockResolvedValue({ status: 'ok', data: { ...base, targets: [phone] } });
    render(RemoteNotices);
    await screen.findByTestId('notice-add');
    await fireEvent.input(screen.getByTestId('notice-name'), { target: { value: 'Phone' } });
    const url = screen.getByTestId('notice-url') as HTMLInputElement;
    await fireEvent.input(url, { target: { value: 'https://ntfy.sh/secret-topic' } });
    await fireEvent.input(screen.getByTestId('notice-token'), { target: { value: 'tk_secret' } });
    await fireEvent.submit(screen.getByTestId('notice-add'));
    expect(backend.addNoticeTarget).toHaveBeenCalledWith({
      name: 'Phone',
      kind: 'ntfy',
      url: 'https://ntfy.sh/secret-topic',
      token: 'tk_secret',
      kinds: ['batch_finished', 'budget'],
    });
    await screen.findByTestId('notice-target-Phone');
    expect(url.value).toBe('');
    expect(document.body.innerHTML).not.toContain('secret');
  });

  it('shows a failed delivery and the result of Send test', async () => {
    backend.remoteNotices.mockResolvedValue({ status: 'ok', data: { ...base, targets: [phone] } });
    backend.testNoticeTarget.mockResolvedValue({
      status: 'error',
      error: { code: 'notice_delivery_failed', field: null, message: 'Could not connect to ntfy.sh.', fix: null },
    });
    render(RemoteNotices);
    expect((await screen.findByTestId('notice-last-error')).textContent).toContain('HTTP 401');
    await fireEvent.click(screen.getByTestId('notice-test'));
    await waitFor(() =>
      expect(screen.getByTestId('notice-test-result').textContent).toBe('Could not connect to ntfy.sh.'),
    );
    expect(backend.testNoticeTarget).toHaveBeenCalledWith('nt1');
  });
});
