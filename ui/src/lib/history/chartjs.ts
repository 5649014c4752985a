// Chart.js with only the parts the History charts use (tree-shaken), and
// the colours of the app's theme read from its CSS variables (ui/src/app.css),
// so the charts follow light and dark mode like everything else.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

export { Chart };

export interface Theme {
  text: string;
  muted: string;
  grid: string;
  surface: string;
  palette: string[];
}

export function theme(): Theme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  // Labels in the app's own font, not Chart.js's default Helvetica.
  Chart.defaults.font.family = css.fontFamily || Chart.defaults.font.family;
  return {
    text: v('--text', '#1d1b2e'),
    muted: v('--muted', '#6b6880'),
    grid: v('--border', '#e2e0f0'),
    surface: v('--surface', '#ffffff'),
    palette: [
      v('--accent', '#6d5dfc'),
      v('--accent-2', '#ff6b8b'),
      v('--ok', '#1b8a5a'),
      v('--warn', '#8a5a00'),
      v('--danger', '#c62850'),
      v('--muted', '#6b6880'),
    ],
  };
}

/** Calls `changed` when the OS switches between light and dark. */
export function watchTheme(changed: () => void): () => void {
  if (typeof matchMedia === 'undefined') return () => {};
  const mq = matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', changed);
  return () => mq.removeEventListener('change', changed);
}

/** Axis and legend colours shared by both charts. */
export function axes(t: Theme) {
  const scale = { ticks: { color: t.muted }, grid: { color: t.grid }, border: { color: t.grid } };
  return { scale, legend: { labels: { color: t.text, boxWidth: 12 } } };
}
