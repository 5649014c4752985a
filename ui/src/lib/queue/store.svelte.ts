// The queue as Rust last reported it. Rust pushes `queue-changed` (coalesced)
// whenever the engine changes a job; actions answer with the new overview.
import { commands, events, type CommandError, type QueueOverview, type Result } from '../backend';

class QueueStore {
  overview = $state<QueueOverview | null>(null);
  problem = $state<string | null>(null);

  async load() {
    this.take(await commands.queueOverview());
    await events.queueChanged.listen((e) => {
      this.overview = e.payload;
    });
  }

  /** Runs an action; returns its error, if any. */
  async run(call: Promise<Result<QueueOverview, CommandError>>): Promise<CommandError | null> {
    const r = await call;
    if (r.status === 'ok') {
      this.overview = r.data;
      return null;
    }
    return r.error;
  }

  private take(r: Result<QueueOverview, CommandError>) {
    if (r.status === 'ok') this.overview = r.data;
    else this.problem = r.error.message;
  }
}

export const queue = new QueueStore();
