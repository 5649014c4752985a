import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsScreen, SettingView } from '../backend';

// The Settings screen draws what Rust lists and sends back what the person
// picked; Rust checks it. Nothing about keys or values is known here.
const backend = vi.hoisted(() => ({
  settingsScreen: vi.fn(),
  setSetting: vi.fn(),
  showDataFolder: vi.fn(),
  importPriceList: vi.fn(),
  remoteNotices: vi.fn(),
}));
vi.mock('../backend', () => ({ commands: backend, events: {} }));

import Settings from './Settings.svelte';

function setting(over: Partial<SettingView>): SettingView {
  return {
    key: 'k',
    section: 'Section from Rust',
    label: 'Label',
    help: '',
    input: { type: 'toggle' },
    value: 'false',
    is_default: true,
    ...over,
  } as SettingView;
}

function data(settings: SettingView[]): SettingsScreen {
  return {
    settings,
    version: '9.8.7',
    data_dir: '/data/loova',
    price_list: { effective_date: '2026-11-01', source: 'Loova pricing page', origin: { kind: 'built_in' } },
    price_list_pending: false,
  } as SettingsScreen;
}

const close = setting({
  key: 'close_behaviour',
  section: 'Window and start',
  label: 'When I close the window',
  input: {
    type: 'choice',
    options: [
      { value: 'keep_running', label: 'Keep running in the tray' },
      { value: 'quit', label: 'Quit' },
    ],
  },
  value: 'keep_running',
});
const speed = setting({
  key: 'sandbox_speed',
  section: 'Connection and Sandbox',
  label: 'Sandbox speed',
  input: { type: 'number', min: 0.001, max: 1, unit: '× real time' },
  value: '0.1',
});
const notify = setting({ key: 'notify_job_failed', section: 'Notifications', label: 'A job failed', value: 'true' });

describe('Settings', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    backend.settingsScreen.mockResolvedValue({ status: 'ok', data: data([close, notify, speed]) });
    backend.remoteNotices.mockResolvedValue({
      status: 'ok',
      data: { targets: [], target_kinds: [], notice_kinds: [], quiet_hours: null },
    });
  });

  it('lists the sections, labels and options Rust sends, with the version and data folder', async () => {
    render(Settings);
    expect(await screen.findByText('When I close the window')).toBeTruthy();
    expect(screen.getByText('Keep running in the tray')).toBeTruthy();
    expect(screen.getByText('Notifications')).toBeTruthy();
    expect(screen.getByTestId('about').textContent).toBe('Loova Desk 9.8.7');
    expect(screen.getByTestId('data-dir').textContent).toBe('/data/loova');
    const keep = screen.getByTestId('setting-close_behaviour-keep_running') as HTMLInputElement;
    expect(keep.checked).toBe(true);
  });

  it('sends a choice and a toggle as Rust named them', async () => {
    backend.setSetting.mockResolvedValue({
      status: 'ok',
      data: data([{ ...close, value: 'quit', is_default: false }, notify, speed]),
    });
    render(Settings);
    await fireEvent.click(await screen.findByTestId('setting-close_behaviour-quit'));
    expect(backend.setSetting).toHaveBeenCalledWith('close_behaviour', 'quit');
    await fireEvent.click(screen.getByTestId('setting-notify_job_failed-toggle'));
    expect(backend.setSetting).toHaveBeenCalledWith('notify_job_failed', 'false');
    // Not the default any more: it can go back to it.
    await fireEvent.click(await screen.findByText('Default'));
    expect(backend.setSetting).toHaveBeenLastCalledWith('close_behaviour', null);
  });

  it("shows Rust's refusal at the setting", async () => {
    const message = 'sandbox_speed cannot be "7": enter a number between 0.001 and 1 × real time.';
    backend.setSetting.mockResolvedValue({
      status: 'error',
      error: { code: 'invalid_input', field: 'sandbox_speed', message, fix: null },
    });
    render(Settings);
    const input = (await screen.findByTestId('setting-sandbox_speed-input')) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '7' } });
    await fireEvent.click(screen.getByText('Save'));
    expect(backend.setSetting).toHaveBeenCalledWith('sandbox_speed', '7');
    await waitFor(() => expect(screen.getByTestId('setting-sandbox_speed-error').textContent).toBe(message));
  });
});
