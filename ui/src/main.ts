import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { reportFirstPaint } from './lib/firstPaint';

// A failure nobody caught must still reach the person, with what to do next.
function showFatal(reason: unknown) {
  const banner = document.getElementById('fatal') ?? document.body.appendChild(document.createElement('div'));
  banner.id = 'fatal';
  banner.setAttribute('role', 'alert');
  banner.textContent = `Something went wrong: ${String(reason)}. Restart Loova Desk; if it happens again, report this message.`;
}
window.addEventListener('error', (e) => showFatal(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showFatal(e.reason));

mount(App, { target: document.getElementById('app')! });
// The Composer's model picker is drawn once Rust's catalog has arrived.
reportFirstPaint('[data-testid="model"]');
