// `npm run bench:jobs [-- --runs N --rounds R]`: the AI feature as a user feels it. For each model,
// the time from a participant's POST /jobs to the moment a SECOND y-websocket client on the same
// session has the generated notes; p50/p95 alone (one request at a time, warm workers) and with 4
// sessions requesting at once. Real server process (API + sync, no Next), real worker threads,
// committed weights, embedded database. Writes bench/results/jobs.json; the last line printed is
// one JSON object with p50_ms_<model>, p95_ms_<model>, and the *_4_sessions figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jobsMap, notesMap, readJob, undoJobResult } from '@/lib/score';
import { createSession, startTestServer } from '../tests/helpers/server';
import { api, assertWeights, connect, postJob, waitFor, writeMelody, type Client } from '../tests/integration/jobs-helpers';

const ALL_MODELS = ['gan', 'arcnn', 'transformer'] as const;
type Model = (typeof ALL_MODELS)[number];
// `--models arcnn,gan` measures a subset (while a model is still training); the default is all three.
const modelsFlag = process.argv.indexOf('--models');
const MODELS: readonly Model[] = modelsFlag >= 0 ? (process.argv[modelsFlag + 1]!.split(',').filter((m) => (ALL_MODELS as readonly string[]).includes(m)) as Model[]) : ALL_MODELS;
const TASK: Record<Model, string> = { gan: 'accompany', arcnn: 'harmonize', transformer: 'harmonize' };
const BARS = 8;

const flag = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : def;
};
const RUNS = flag('runs', 15);
const ROUNDS = flag('rounds', 4);
const WARMUP = 2;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!) : NaN;
};

interface Pair {
  sessionId: string;
  requester: Client;
  observer: Client;
  melodyId: string;
  /** When the observer first held job <id> as done with all of its notes. */
  seen: Map<string, number>;
}

async function makePair(url: string, wsUrl: string): Promise<Pair> {
  const sessionId = await createSession(url);
  const requester = await connect(wsUrl, sessionId);
  const melodyId = writeMelody(requester.doc, BARS);
  const observer = await connect(wsUrl, sessionId);
  await waitFor(() => notesMap(observer.doc).size >= BARS * 4, 10_000, 'melody at the observer');
  const seen = new Map<string, number>();
  observer.doc.on('afterTransaction', () => {
    const jobs = jobsMap(observer.doc);
    jobs.forEach((y, id) => {
      if (seen.has(id)) return;
      const j = readJob(id, y);
      if (j && j.status !== 'queued' && j.status !== 'running' && j.addedNoteIds.every((n) => notesMap(observer.doc).has(n))) seen.set(id, performance.now());
    });
  });
  return { sessionId, requester, observer, melodyId, seen };
}

/** Per model: end-to-end minus the worker's own inference time (queue, HTTP, doc write, sync). */
const overhead: Record<string, number[]> = {};

async function once(url: string, p: Pair, model: Model, seed: number): Promise<number> {
  const t0 = performance.now();
  const r = await postJob(url, p.sessionId, { model, task: TASK[model], sourceTrackId: p.melodyId, bars: [0, BARS], seed, requester: { id: `bench-${p.sessionId.slice(0, 6)}`, name: 'bench' } });
  if (r.status !== 202) throw new Error(`POST job → ${r.status} ${JSON.stringify(r.body)}`);
  await waitFor(() => p.seen.has(r.body.jobId), 120_000, `${model} job ${r.body.jobId} at the observer`);
  const j = readJob(r.body.jobId, jobsMap(p.observer.doc).get(r.body.jobId)!);
  if (j?.status !== 'done') throw new Error(`${model} job ended ${j?.status}: ${j?.error}`);
  const total = p.seen.get(r.body.jobId)! - t0;
  // Keep the session small between runs: undo the result (as the requester would).
  undoJobResult(p.requester.doc, r.body.jobId, 'bench');
  const rec = (await api<{ timings: { inferenceMs: number | null } }>(`${url}/api/sessions/${p.sessionId}/jobs/${r.body.jobId}`, 'GET')).body;
  (overhead[model] ??= []).push(total - (rec.timings.inferenceMs ?? 0));
  return total;
}

async function main(): Promise<void> {
  if (MODELS.length === ALL_MODELS.length) assertWeights();
  const server = await startTestServer({
    env: { TUTTI_JOB_RATE_LIMIT: '100000', TUTTI_JOB_RATE_LIMIT_PER_ADDRESS: '100000', TUTTI_JOB_MAX_PENDING_PER_SESSION: '64' },
  });
  const results: Record<string, unknown> = { machine: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model ?? '?' }, runs: RUNS, rounds: ROUNDS, bars: BARS, tasks: TASK };
  const summary: Record<string, number> = {};
  try {
    const pairs = await Promise.all([0, 1, 2, 3].map(() => makePair(server.url, server.wsUrl)));
    const alone = pairs[0]!;
    for (const model of MODELS) {
      for (let i = 0; i < WARMUP; i++) await once(server.url, alone, model, 1000 + i);
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) xs.push(await once(server.url, alone, model, i));
      summary[`p50_ms_${model}`] = pct(xs, 50);
      summary[`p95_ms_${model}`] = pct(xs, 95);
      results[`alone_${model}`] = xs.map(Math.round);
      summary[`overhead_p50_ms_${model}`] = pct(overhead[model]!.slice(-RUNS), 50);
      console.log(`${model.padEnd(12)} alone      p50 ${summary[`p50_ms_${model}`]} ms  p95 ${summary[`p95_ms_${model}`]} ms  (n=${xs.length}; of which outside the model p50 ${summary[`overhead_p50_ms_${model}`]} ms)`);
    }
    for (const model of MODELS) {
      const xs: number[] = [];
      for (let r = 0; r < ROUNDS; r++) xs.push(...(await Promise.all(pairs.map((p, k) => once(server.url, p, model, 100 + r * 4 + k)))));
      summary[`p50_ms_${model}_4_sessions`] = pct(xs, 50);
      summary[`p95_ms_${model}_4_sessions`] = pct(xs, 95);
      results[`four_sessions_${model}`] = xs.map(Math.round);
      console.log(`${model.padEnd(12)} 4 sessions p50 ${summary[`p50_ms_${model}_4_sessions`]} ms  p95 ${summary[`p95_ms_${model}_4_sessions`]} ms  (n=${xs.length})`);
    }
    for (const p of pairs) (p.requester.destroy(), p.observer.destroy());
  } finally {
    await server.stop();
  }
  const out = { ...results, ...summary, targets: { p95_ms_gan: 2000, p95_ms_arcnn: 2000, p95_ms_transformer: 4000 } };
  const dir = path.resolve(import.meta.dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'jobs.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(summary));
}

await main();
