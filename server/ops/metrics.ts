// Prometheus metrics (prom-client), served at /metrics. One registry for the process; the
// modules that do the work record into the series defined here, and gauges that are cheap to
// read on demand (rooms, connections, persistence lag) are collected at scrape time from the
// sources registered with `collectFrom`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'tutti_' });

/** What the gauges read at scrape time (set once by server/app.ts). */
export interface MetricSources {
  rooms(): number;
  connections(): number;
  /** Updates applied but not yet written to the database, and the age of the oldest, in seconds. */
  persistence(): { pending: number; oldestAgeSeconds: number };
}
let sources: MetricSources | null = null;
export function collectFrom(s: MetricSources | null): void {
  sources = s;
}

new Gauge({
  name: 'tutti_rooms',
  help: 'Sessions held in memory on this instance',
  registers: [registry],
  collect() {
    this.set(sources?.rooms() ?? 0);
  },
});
new Gauge({
  name: 'tutti_connections',
  help: 'Open sync websockets on this instance',
  registers: [registry],
  collect() {
    this.set(sources?.connections() ?? 0);
  },
});
new Gauge({
  name: 'tutti_persistence_pending_updates',
  help: 'Document updates applied in memory and not yet written to the database',
  registers: [registry],
  collect() {
    this.set(sources?.persistence().pending ?? 0);
  },
});
new Gauge({
  name: 'tutti_persistence_lag_seconds',
  help: 'Age of the oldest document update not yet written to the database (0: all written)',
  registers: [registry],
  collect() {
    this.set(sources?.persistence().oldestAgeSeconds ?? 0);
  },
});

export const updatesApplied = new Counter({
  name: 'tutti_updates_total',
  help: 'Document updates applied to rooms (rate() of it: updates/s), by origin',
  labelNames: ['origin'] as const,
  registers: [registry],
});

export const fanoutLatency = new Histogram({
  name: 'tutti_fanout_latency_seconds',
  help: 'From the first change of a fan-out tick being applied to its frame handed to every socket of the room',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const fanoutFrames = new Counter({
  name: 'tutti_fanout_frames_total',
  help: 'Coalesced frames fanned out, by kind (sync update or awareness)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const fanoutSends = new Counter({
  name: 'tutti_fanout_sends_total',
  help: 'Frames handed to sockets by the fan-out (frames x receivers)',
  registers: [registry],
});

export const compactionFolds = new Counter({
  name: 'tutti_compaction_folds_total',
  help: 'Compaction folds by where they ran: inline (small session), worker (the fold thread), fallback (the thread failed, folded inline)',
  labelNames: ['where'] as const,
  registers: [registry],
});

export const rejected = new Counter({
  name: 'tutti_rejected_total',
  help: 'Sync connections the server closed, by close code and reason (rate limit, bad message, backpressure, ...)',
  labelNames: ['code', 'reason'] as const,
  registers: [registry],
});

// AI jobs: server/jobs/index.ts registers the queue depth (this process's pool, or the BullMQ
// queue of the whole cluster in queue mode); server/jobs/runner.ts observes every finished job
// (in queue mode on the worker processes, each serving its own /metrics: TUTTI_WORKER_PORT).
let jobDepth: (() => number | Promise<number>) | null = null;
new Gauge({
  name: 'tutti_job_queue_depth',
  help: 'AI jobs waiting or running (queue mode: in the whole queue)',
  registers: [registry],
  async collect() {
    this.set(jobDepth ? await Promise.resolve(jobDepth()).catch(() => 0) : 0);
  },
});
export const jobDuration = new Histogram({
  name: 'tutti_job_duration_seconds',
  help: 'AI job durations by model and outcome',
  labelNames: ['model', 'outcome'] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});
/** For the jobs module: where to read the queue depth at scrape time. */
export function setJobQueueDepth(read: (() => number | Promise<number>) | null): void {
  jobDepth = read;
}
/** For the jobs module: one finished job. */
export function observeJob(model: string, outcome: 'done' | 'failed' | 'cancelled', seconds: number): void {
  jobDuration.observe({ model, outcome }, seconds);
}
