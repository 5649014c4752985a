// Accounts as Rust last reported them. Rust pushes `accounts-changed` after
// every change and every background refresh; commands answer with the same.
import { commands, events, type AccountsOverview, type CommandError, type Result } from '../backend';

class AccountsStore {
  overview = $state<AccountsOverview | null>(null);
  problem = $state<string | null>(null);
  refreshing = $state(false);

  async load() {
    this.apply(await commands.listAccounts());
    await events.accountsChanged.listen((e) => {
      this.overview = e.payload;
    });
  }

  /** Runs a command; on success shows its overview, on failure returns the error. */
  async run(call: Promise<Result<AccountsOverview, CommandError>>): Promise<CommandError | null> {
    const r = await call;
    if (r.status === 'ok') {
      this.overview = r.data;
      this.problem = null;
      return null;
    }
    return r.error;
  }

  async refresh() {
    this.refreshing = true;
    try {
      const err = await this.run(commands.refreshBalances());
      if (err) this.problem = err.message;
    } finally {
      this.refreshing = false;
    }
  }

  private apply(r: Result<AccountsOverview, CommandError>) {
    if (r.status === 'ok') this.overview = r.data;
    else this.problem = r.error.message;
  }
}

export const accounts = new AccountsStore();
