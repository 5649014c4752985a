// The queue as Rust last reported it. Rust pushes `queue-jobs-changed` (coalesced:
// only the changed jobs, applied by `applyDelta`) whenever the engine changes
// a job, and `queue-changed` (the whole overview) when the window missed
// changes while hidden; actions answer with the new overview.
// While jobs run, Rust also sends their progress every second. A click on a
// desktop notification makes Rust send `open-job`: the Queue opens on that job.
import { tick } from 'svelte';
import { commands, events, type CommandError, type JobView, type QueueOverview, type Result } from '../backend';
import { nav } from '../nav.svelte';
import { applyDelta, replaceRows, reuseRows, totalsChanged } from './delta';

// Rows are never changed in place, only replaced (`applyDelta`, `reuseRows`):
// raw state spares a proxy and a signal per field of every row, and a row
// whose object is unchanged is not drawn again.
class QueueStore {
  overview = $state.raw<QueueOverview | null>(null);
  problem = $state<string | null>(null);
  /** The running jobs' progress (0..1) as Rust last computed it, by job id. */
  progress = $state.raw<Record<number, number>>({});
  /** The job a notification click asked for: its row is highlighted and scrolled to. */
  focused = $state<number | null>(null);
  /** The queued job being dragged to a new place in its account's queue. */
  dragging = $state<{ id: number; account: string } | null>(null);
  /** The filter's text, and the jobs Rust listed for it (null: no filter). */
  filterText = $state('');
  filtered = $state.raw<JobView[] | null>(null);
  private filterAsked = 0;

  /** Follows Rust's queue events (from the start: a notification click must find the Queue). */
  async listen() {
    await events.queueChanged.listen((e) => this.show(e.payload));
    await events.queueJobsChanged.listen(async (e) => {
      // Before the first overview there is nothing to apply it to.
      if (!this.overview) return;
      const before = this.overview;
      this.overview = applyDelta(before, e.payload);
      // Jobs were added or removed (queued by another window or `loova`):
      // which ones to list is Rust's call, so the whole overview, once.
      if (totalsChanged(before, this.overview)) this.take(await commands.queueOverview());
      // Which jobs match is Rust's call too: shown rows are replaced, and a
      // changed job the filter did not list asks Rust again.
      if (this.filtered) {
        const { rows, unlisted } = replaceRows(this.filtered, e.payload.jobs, e.payload.removed);
        this.filtered = rows;
        if (unlisted) await this.filter(this.filterText);
      }
    });
    await events.jobsProgress.listen((e) => {
      this.progress = Object.fromEntries(e.payload.jobs.map((j) => [j.id, j.progress]));
    });
    await events.openJob.listen((e) => this.focus(e.payload.job_id));
  }

  /** Shows the Queue, on `jobId` if given (a notice about several jobs has none). */
  focus(jobId: number | null) {
    this.focused = jobId;
    nav.screen = 'queue';
  }

  /** Runs an action; returns its error, if any. */
  async run(call: Promise<Result<QueueOverview, CommandError>>): Promise<CommandError | null> {
    const r = await call;
    if (r.status === 'ok') {
      this.show(r.data);
      return null;
    }
    return r.error;
  }

  /** Reads the whole overview again (after a change the engine does not report, as a pick). */
  async reload() {
    this.take(await commands.queueOverview());
  }

  /**
   * Lists the jobs whose name, prompt, task id or saved file contain `text`
   * (blank: every job). Each keystroke asks Rust at once; an answer to an
   * older keystroke is dropped. Once the rows are drawn the next frame tells
   * Rust (the benchmark's keystroke-to-rows figure; nothing otherwise).
   */
  async filter(text: string) {
    this.filterText = text;
    const asked = ++this.filterAsked;
    if (text.trim() === '') {
      this.filtered = null;
      await this.drawn();
      return;
    }
    const r = await commands.queueFilter(text);
    if (asked !== this.filterAsked) return;
    if (r.status === 'error') {
      this.problem = r.error.message;
      return;
    }
    this.filtered = reuseRows(r.data.jobs, this.filtered ?? [], this.overview?.jobs ?? []);
    await this.drawn();
  }

  private async drawn() {
    await tick();
    requestAnimationFrame(() => requestAnimationFrame(() => void commands.filterDrawn()));
  }

  /** A fresh overview carries every job's progress: older ticks are void. */
  show(overview: QueueOverview) {
    this.overview = overview;
    this.progress = {};
  }

  private take(r: Result<QueueOverview, CommandError>) {
    if (r.status === 'ok') this.show(r.data);
    else this.problem = r.error.message;
  }
}

export const queue = new QueueStore();
