// The job limits of a cluster, kept in Redis so they hold across web instances and workers:
//   rate      sliding window per participant / address (a sorted set of hit times);
//   pending   a session's waiting-or-running jobs (reserved at admission, released when final);
//   running   a session's jobs on a model right now (claimed by a worker before it runs one).
// Each check-and-take is one Lua script (atomic), timed by Redis's clock so instances' clocks do
// not matter. Entries expire on their own, so a job lost with its process cannot hold a slot forever.
import type { Redis } from 'ioredis';
import type { AdmissionLimits, RateDecision } from './admission';
import type { JobsConfig } from './config';

const NOW = `local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

// KEYS[1] window; ARGV window ms, limit, unique member. Returns -1 (taken) or ms until a hit leaves.
const RATE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + tonumber(ARGV[1]) - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return -1`;

// KEYS[1] slots (member = job id, score = expiry); ARGV ttl ms, max, ids... Ids already held
// (a job run again after its worker died) do not count twice. Returns 1 (taken) or 0 (full).
const SLOTS = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local fresh = 0
for i = 3, #ARGV do if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then fresh = fresh + 1 end end
if redis.call('ZCARD', KEYS[1]) + fresh > tonumber(ARGV[2]) then return 0 end
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/** Key prefix of one queue's limits and channels. */
export const queueKeys = (queueName: string) => ({
  rate: (kind: string, key: string) => `tutti:${queueName}:rate:${kind}:${key}`,
  pending: (sessionId: string) => `tutti:${queueName}:pending:${sessionId}`,
  running: (sessionId: string) => `tutti:${queueName}:running:${sessionId}`,
  /** Pub/sub: a job id to cancel, heard by every worker (only the one running it acts). */
  cancel: `tutti:${queueName}:cancel`,
  /** Set with the message, for a worker that takes the job just after it was published. */
  cancelled: (jobId: string) => `tutti:${queueName}:cancelled:${jobId}`,
});

// How long a reservation outlives a lost job: a waiting job may sit in a busy queue for a while.
const PENDING_TTL_MS = 30 * 60_000;

export class RedisLimits implements AdmissionLimits {
  private readonly keys: ReturnType<typeof queueKeys>;
  private seq = 0;

  constructor(
    private readonly redis: Redis,
    private readonly c: JobsConfig,
  ) {
    this.keys = queueKeys(c.queueName);
  }

  async rate(kind: 'participant' | 'address', key: string): Promise<RateDecision> {
    const limit = kind === 'participant' ? this.c.rateLimit : this.c.rateLimitPerAddress;
    const member = `${process.pid}:${Date.now()}:${this.seq++}:${Math.random()}`;
    const r = Number(await this.redis.eval(RATE, 1, this.keys.rate(kind, key), this.c.rateWindowMs, limit, member));
    return r < 0 ? { ok: true, retryAfterMs: 0 } : { ok: false, retryAfterMs: r };
  }

  async reserve(sessionId: string, jobIds: readonly string[]): Promise<boolean> {
    return Number(await this.redis.eval(SLOTS, 1, this.keys.pending(sessionId), PENDING_TTL_MS, this.c.maxPendingPerSession, ...jobIds)) === 1;
  }

  async release(sessionId: string, jobIds: readonly string[]): Promise<void> {
    if (jobIds.length) await this.redis.zrem(this.keys.pending(sessionId), ...jobIds);
  }

  /** A worker's claim to run `jobId` now, within the session's cap of running jobs. */
  async claimRunning(sessionId: string, jobId: string): Promise<boolean> {
    // Held at most as long as a run may last, so a killed worker's claim lapses by itself.
    const ttl = this.c.timeoutMs + this.c.lockMs + 5_000;
    return Number(await this.redis.eval(SLOTS, 1, this.keys.running(sessionId), ttl, this.c.maxRunningPerSession, jobId)) === 1;
  }

  async releaseRunning(sessionId: string, jobId: string): Promise<void> {
    await this.redis.zrem(this.keys.running(sessionId), jobId);
  }
}
