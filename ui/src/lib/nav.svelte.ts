// Which screen the window shows; any screen may send the person elsewhere.
export const SCREENS = [
  { id: 'composer', label: 'Composer', key: '1' },
  { id: 'accounts', label: 'Accounts', key: '2' },
  { id: 'queue', label: 'Queue', key: '3' },
  { id: 'import', label: 'Import batch', key: '4' },
  { id: 'history', label: 'History', key: '5' },
  { id: 'library', label: 'Library', key: '6' },
  { id: 'settings', label: 'Settings', key: ',' },
] as const;

export type Screen = (typeof SCREENS)[number]['id'];

export const nav = $state<{ screen: Screen }>({ screen: 'composer' });
