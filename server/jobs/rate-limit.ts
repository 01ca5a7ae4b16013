// A sliding-window rate limit: at most `limit` hits per key within `windowMs`. Keys are
// participants (and, looser, client addresses). Memory is bounded by pruning idle keys.
export interface RateDecision {
  ok: boolean;
  /** When refused: milliseconds until the oldest hit leaves the window. */
  retryAfterMs: number;
}

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a hit for `key` if it is allowed; a refused hit is not recorded. */
  take(key: string): RateDecision {
    const t = this.now();
    const recent = (this.hits.get(key) ?? []).filter((h) => t - h < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return { ok: false, retryAfterMs: Math.max(1, this.windowMs - (t - recent[0]!)) };
    }
    recent.push(t);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune(t);
    return { ok: true, retryAfterMs: 0 };
  }

  private prune(t: number): void {
    for (const [k, v] of this.hits) if (v.every((h) => t - h >= this.windowMs)) this.hits.delete(k);
  }
}
