// The actions of a saved video shared by the player and compare.
import { commands, type LibraryItem } from '../backend';
import { draft } from '../composer/draft.svelte';
import { nav } from '../nav.svelte';

/** "Open in Composer": the video's recipe in the form, as the Queue does it. */
export async function openInComposer(item: LibraryItem): Promise<string | null> {
  const r = await commands.libraryComposerDraft(item.id);
  if (r.status === 'error') return r.error.message;
  nav.screen = 'composer';
  await draft.load(r.data.spec, r.data.name, r.data.account_id ?? draft.accountId);
  return null;
}

/** Copies `text`; the async clipboard may be refused in a webview, then the old way. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.style.cssText = 'position:fixed;left:-10000px';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
