// The choices and ranges a job has (models, modes, ratios, durations,
// reference limits, state groups), as Rust sends them. The UI keeps no copy
// of any of them: it lists these and formats them.
import { commands, type Catalog } from './backend';

declare global {
  interface Window {
    /** Set by Rust before the page's script runs (src-tauri/src/lib.rs, `catalog_script`). */
    __LOOVA_CATALOG__?: Catalog | null;
  }
}

class CatalogStore {
  // At start the catalog is already in the page, so the Composer is drawn
  // in the first frame instead of after a call to Rust.
  value = $state<Catalog | null>((typeof window !== 'undefined' && window.__LOOVA_CATALOG__) || null);
  error = $state<string | null>(null);

  async load(): Promise<Catalog | null> {
    try {
      this.value = await commands.catalog();
    } catch (e) {
      this.error = String(e);
    }
    return this.value;
  }

  /** "seedance_2_0_fast" → "Seedance 2.0 Fast" (the price list's name). */
  modelName(id: string): string {
    return this.value?.models.find((m) => m.id === id)?.name ?? id;
  }
}

export const catalog = new CatalogStore();
