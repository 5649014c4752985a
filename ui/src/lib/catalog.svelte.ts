// The choices and ranges a job has (models, modes, ratios, durations,
// reference limits, state groups), as Rust sends them. The UI keeps no copy
// of any of them: it lists these and formats them.
import { commands, type Catalog } from './backend';

class CatalogStore {
  value = $state<Catalog | null>(null);
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
