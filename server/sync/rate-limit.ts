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
