// `npm run bench:workers [-- --jobs N --model M --seconds S --write]`: queue mode's figures (issue 17),
// each setup started as a real cluster (scripts/cluster.mjs, API + sync only) on DATABASE_URL /
// REDIS_URL (default: the local PostgreSQL, a schema of its own, and the local Redis):
//   throughput_jobs_per_s_1_worker / _2_workers: N jobs of model M spread over 4 sessions, from
//     the first POST to the last result in the clients' documents, with 1 then 2 worker processes;
//   edit_p50_ms / edit_p99_ms_{idle,pool,workers}: one session's edit latency (a note added by one
//     client, seen by another, every 50 ms for S seconds) with no AI running (idle); while another
//     session keeps two AI jobs in flight on the web process's own worker threads (pool: the
//     embedded default, TUTTI_JOB_RUNNER=pool, TUTTI_JOB_WORKERS=2); and on two separate worker
//     processes (workers: queue mode). Ratios pool/idle and workers/idle are in the same run.
// The last line printed is one JSON object of the figures; --write also keeps them in
// bench/results/workers-<model>.json.
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { addNotes, getSuggestion, notesMap, readTracks, type TrackId } from '@/lib/score';
import { createSession, editTokenFor } from '../tests/helpers/server';
import { api, assertWeights, connect, waitFor, writeMelody, type Client } from '../tests/integration/jobs-helpers';
import { startCluster } from '../tests/integration/cluster-helpers';
import { writeResult } from '../models/cli/result-file';

const flag = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const JOBS = Number(flag('jobs', '24'));
const MODEL = flag('model', 'gan');
const LOAD_MODEL = flag('load-model', 'transformer');
const SECONDS = Number(flag('seconds', '10'));
const TASK: Record<string, string> = { gan: 'accompany', arcnn: 'harmonize', transformer: 'harmonize' };
const PG_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10 : NaN;
};

interface Cluster {
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

async function startBenchCluster(schemaUrl: string, workers: number, env: Record<string, string>): Promise<Cluster> {
  const c = await startCluster({
    web: 1,
    workers,
    env: {
      DATABASE_URL: schemaUrl,
      REDIS_URL,
      TUTTI_JOB_QUEUE: `bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      TUTTI_JOB_PRELOAD: [...new Set([MODEL, LOAD_MODEL])].join(','),
      TUTTI_JOB_WARM: '1',
      TUTTI_JOB_MAX_PENDING_PER_SESSION: '100',
      TUTTI_JOB_RATE_LIMIT: '10000',
      TUTTI_JOB_RATE_LIMIT_PER_ADDRESS: '10000',
      ...env,
    },
  });
  const url = c.procs.find((p) => p.role === 'web')!.url!;
  // Let the workers load their models (TUTTI_JOB_WARM) before measuring.
  await new Promise((r) => setTimeout(r, 4000));
  return {
    url,
    wsUrl: `${url.replace('http', 'ws')}/sync`,
    async stop() {
      await c.stop();
    },
  };
}

const ask = (url: string, sessionId: string, body: Record<string, unknown>) =>
  api<{ jobIds: string[] }>(`${url}/api/sessions/${sessionId}/ai`, 'POST', body, { authorization: `Bearer ${editTokenFor(sessionId)}` });

async function session(c: Cluster): Promise<{ id: string; client: Client; melody: string }> {
  const id = await createSession(c.url);
  const client = await connect(c.wsUrl, id);
  const melody = writeMelody(client.doc, 8);
  await new Promise((r) => setTimeout(r, 300));
  return { id, client, melody };
}

/** N jobs over 4 sessions (so the per-session running cap is not what limits), after a warm-up; jobs per second. */
async function throughput(c: Cluster): Promise<number> {
  const sessions = await Promise.all(Array.from({ length: 4 }, () => session(c)));
  // Warm-up, untimed: one job per session (rooms loaded on the workers, first-run costs paid).
  const warm = await Promise.all(
    sessions.map(async (s, i) => ({
      s,
      jobId: (await ask(c.url, s.id, { model: MODEL, task: TASK[MODEL], sourceTrackId: s.melody, seed: 1000 + i })).body.jobIds[0]!,
    })),
  );
  await waitFor(() => warm.every((w) => getSuggestion(w.s.client.doc, w.jobId)), 120_000, 'the warm-up jobs');
  const t0 = performance.now();
  const pending: { s: (typeof sessions)[number]; jobId: string }[] = [];
  for (let i = 0; i < JOBS; i++) {
    const s = sessions[i % sessions.length]!;
    const r = await ask(c.url, s.id, { model: MODEL, task: TASK[MODEL], sourceTrackId: s.melody, seed: i });
    if (r.status !== 202) throw new Error(`POST ai → ${r.status} ${JSON.stringify(r.body)}`);
    pending.push({ s, jobId: r.body.jobIds[0]! });
  }
  await waitFor(() => pending.every((p) => getSuggestion(p.s.client.doc, p.jobId)), 600_000, 'every job done');
  const secs = (performance.now() - t0) / 1000;
  for (const s of sessions) s.client.destroy();
  return Math.round((JOBS / secs) * 100) / 100;
}

/** Edit latency in one session for SECONDS, while `load` keeps AI jobs in flight in another (or not). */
async function editLatency(c: Cluster, load: boolean): Promise<number[]> {
  const id = await createSession(c.url);
  const writer = await connect(c.wsUrl, id);
  const reader = await connect(c.wsUrl, id);
  const track = readTracks(writer.doc)[0]!.id as TrackId;
  const sent = new Map<string, number>();
  const lat: number[] = [];
  notesMap(reader.doc).observe((e) => {
    const now = performance.now();
    for (const key of e.keysChanged) {
      const t = sent.get(key);
      if (t !== undefined) lat.push(now - t), sent.delete(key);
    }
  });
  let stop = false;
  const loader = (async () => {
    if (!load) return;
    const s = await session(c);
    const inFlight = new Set<string>();
    let seed = 0;
    while (!stop) {
      for (const j of [...inFlight]) if (getSuggestion(s.client.doc, j)) inFlight.delete(j);
      while (inFlight.size < 2 && !stop) {
        const r = await ask(c.url, s.id, { model: LOAD_MODEL, task: TASK[LOAD_MODEL], sourceTrackId: s.melody, seed: seed++ });
        if (r.status !== 202) throw new Error(`POST ai → ${r.status} ${JSON.stringify(r.body)}`);
        inFlight.add(r.body.jobIds[0]!);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    s.client.destroy();
  })();
  if (load) await new Promise((r) => setTimeout(r, 2000)); // the jobs are running
  const end = performance.now() + SECONDS * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const [n] = addNotes(writer.doc, [{ trackId: track, pitch: 40 + (i % 40), start: i * 120, duration: 120, velocity: 80 }]);
    sent.set(n!.id, performance.now());
    await new Promise((r) => setTimeout(r, 50));
  }
  await waitFor(() => sent.size === 0, 10_000, 'every edit seen').catch(() => undefined);
  stop = true;
  await loader;
  writer.destroy();
  reader.destroy();
  return lat;
}

async function main(): Promise<void> {
  assertWeights([...new Set([MODEL, LOAD_MODEL])]);
  const schema = `tutti_bench_workers_${process.pid}`;
  const u = new URL(PG_URL);
  u.searchParams.set('schema', schema);
  const out: Record<string, number | string> = {
    model: MODEL,
    load_model: LOAD_MODEL,
    jobs: JOBS,
    seconds: SECONDS,
    cpus: os.availableParallelism(),
    loadavg_1m: Math.round(os.loadavg()[0]! * 10) / 10,
  };
  try {
    for (const workers of [1, 2]) {
      const c = await startBenchCluster(u.toString(), workers, {});
      try {
        out[`throughput_jobs_per_s_${workers}_worker${workers > 1 ? 's' : ''}`] = await throughput(c);
        if (workers === 2) {
          await new Promise((r) => setTimeout(r, 3000)); // the throughput sessions unload and settle first
          const idle = await editLatency(c, false);
          out.edit_p50_ms_idle = pct(idle, 50);
          out.edit_p99_ms_idle = pct(idle, 99);
          const loaded = await editLatency(c, true);
          out.edit_p50_ms_workers = pct(loaded, 50);
          out.edit_p99_ms_workers = pct(loaded, 99);
        }
      } finally {
        await c.stop();
      }
    }
    const pool = await startBenchCluster(u.toString(), 0, { TUTTI_JOB_RUNNER: 'pool', TUTTI_JOB_WORKERS: '2' });
    try {
      const loaded = await editLatency(pool, true);
      out.edit_p50_ms_pool = pct(loaded, 50);
      out.edit_p99_ms_pool = pct(loaded, 99);
    } finally {
      await pool.stop();
    }
    const t1 = out.throughput_jobs_per_s_1_worker as number;
    const t2 = out.throughput_jobs_per_s_2_workers as number;
    out.throughput_ratio_2_vs_1 = Math.round((t2 / t1) * 100) / 100;
    out.edit_p99_ratio_pool_vs_workers = Math.round(((out.edit_p99_ms_pool as number) / (out.edit_p99_ms_workers as number)) * 100) / 100;
  } finally {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  const file = path.join(import.meta.dirname, 'results', `workers-${MODEL}.json`);
  writeResult(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, loadavg_after: os.loadavg(), summary: out }, null, 2) + '\n');
  console.log(JSON.stringify(out));
  process.exit(0);
}

await main();
