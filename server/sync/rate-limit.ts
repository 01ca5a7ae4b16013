// Messages per second per connection, as a token bucket: `burst` tokens to start with, refilled
// at `perSecond`. A y-websocket client sends a handful of frames when it (re)connects and then
// one per edit or pointer move, far below the rate; a burst covers a reconnect resync, a paste or
// a chunked import. A flood drains the bucket and its connection is closed (CLOSE.rateLimited).
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty (the message is over the rate). */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Milliseconds of the server's main thread a session may spend applying what its participants
 * send, per second, as a bucket that may go into debt: a message is always finished once started
 * (an 8 MB import chunk costs what it costs), and while the session is in debt its connections
 * are paused (TCP backpressure, nothing is refused or lost) until the debt is paid back. So a
 * flood in one session slows only that session, however many sockets it uses, and a legitimate
 * big import is spread out instead of stalling every other session on the instance.
 */
export class TimeBudget {
  private balance: number;
  private last: number;

  constructor(
    readonly msPerSecond: number,
    readonly burstMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.balance = burstMs;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.balance = Math.min(this.burstMs, this.balance + ((t - this.last) / 1000) * this.msPerSecond);
    this.last = t;
  }

  /** How long to wait before the next message may be applied (0: now). */
  waitMs(): number {
    this.refill();
    return this.balance > 0 ? 0 : Math.ceil((-this.balance / this.msPerSecond) * 1000) + 1;
  }

  spend(ms: number): void {
    this.refill();
    this.balance -= ms;
  }
}
