// The job lease that lets several server instances share one database. Each process has a random
// owner id; the jobs it queues are recorded as its own, and while it holds any it renews their
// heartbeat (one UPDATE for all of them) every `heartbeatMs`. Every `sweepMs`, and once at start,
// it fails the unfinished jobs of any OTHER owner whose heartbeat is older than the lease: their
// instance died (kill -9, power loss), so nobody will ever finish them. A live instance's jobs are
// never touched, which is why a starting instance cannot fail the work of a running one.
// This module only keeps the timers; what "fail" means (database + shared job list) is the
// service's `recoverInterrupted`.
export interface LeaseOptions {
  heartbeatMs: number;
  sweepMs: number;
  /** True while this process holds queued or running jobs (no write otherwise). */
  holdsJobs(): boolean;
  heartbeat(): Promise<unknown>;
  sweep(): Promise<unknown>;
  log?: (msg: string) => void;
}

export class LeaseKeeper {
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private beating: Promise<unknown> | null = null;
  private sweeping: Promise<unknown> | null = null;

  constructor(private readonly opts: LeaseOptions) {}

  start(): void {
    if (this.heartbeatTimer) return;
    // unref: the timers alone never keep a process alive.
    this.heartbeatTimer = setInterval(() => void this.beat(), this.opts.heartbeatMs).unref();
    this.sweepTimer = setInterval(() => void this.sweepNow(), this.opts.sweepMs).unref();
  }

  /** One sweep, never two at once (a slow sweep is not overtaken by the next tick). */
  sweepNow(): Promise<unknown> {
    this.sweeping ??= this.opts
      .sweep()
      .catch((e) => this.opts.log?.(`[jobs] sweeping expired job leases failed: ${(e as Error).message}`))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  /** Stops sweeping (e.g. at shutdown, before the rooms close); heartbeats go on until `stop`. */
  async stopSweeping(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.sweeping;
  }

  async stop(): Promise<void> {
    await this.stopSweeping();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    await this.beating;
  }

  private beat(): void {
    if (this.beating || !this.opts.holdsJobs()) return;
    this.beating = this.opts
      .heartbeat()
      .catch((e) => this.opts.log?.(`[jobs] job lease heartbeat failed: ${(e as Error).message}`))
      .finally(() => (this.beating = null));
  }
}
