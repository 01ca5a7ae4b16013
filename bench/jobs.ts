// `npm run bench:jobs [-- --runs N --rounds R --ai-runs K]`: the AI feature as a user feels it. For
// each model, the time from a participant's POST /jobs to the moment a SECOND y-websocket client on
// the same session has the result (since issue 13: the suggestion with its notes); p50/p95 alone
// (one request at a time, warm workers) and with 4 sessions requesting at once. Issue 13 adds:
//   first_candidate_visible_p50_ms_<model> / _p95_: POST /ai asking 3 candidates → the first of
//     them visible at the second client (and all_candidates_visible_p95_ms_<model>);
//   compare_all_visible_p50_ms / compare_all_visible_p95_ms: POST /ai "compare models" (GAN, AR-CNN
//     and transformer harmonising the same bars) → all three visible at the second client (target ≤ 3 s).
// Real server process (API + sync, no Next), real worker threads, committed weights, embedded
// database. Writes bench/results/jobs.json; the last line printed is one JSON object of the figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dismissSuggestion, getSuggestion, jobsMap, notesMap, readJob, readSuggestion, suggestionsMap } from '@/lib/score';
import { createSession, startTestServer } from '../tests/helpers/server';
import { api, assertWeights, connect, postJob, waitFor, writeMelody, type Client } from '../tests/integration/jobs-helpers';
import { writeResult } from '../models/cli/result-file';

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
const AI_RUNS = flag('ai-runs', 10);
const CANDIDATES = 3;
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
  /** When the observer first held job <id> as done with its suggestion. */
  seen: Map<string, number>;
  /** When the observer first held suggestion <id> (= its job id). */
  seenSuggestion: Map<string, number>;
}

async function makePair(url: string, wsUrl: string): Promise<Pair> {
  const sessionId = await createSession(url);
  const requester = await connect(wsUrl, sessionId);
  const melodyId = writeMelody(requester.doc, BARS);
  const observer = await connect(wsUrl, sessionId);
  await waitFor(() => notesMap(observer.doc).size >= BARS * 4, 10_000, 'melody at the observer');
  const seen = new Map<string, number>();
  const seenSuggestion = new Map<string, number>();
  observer.doc.on('afterTransaction', () => {
    const now = performance.now();
    suggestionsMap(observer.doc).forEach((y, id) => {
      if (seenSuggestion.has(id)) return;
      const sug = readSuggestion(id, y);
      if (sug && sug.notes.length > 0) seenSuggestion.set(id, now);
    });
    const jobs = jobsMap(observer.doc);
    jobs.forEach((y, id) => {
      if (seen.has(id)) return;
      const j = readJob(id, y);
      if (j && j.status !== 'queued' && j.status !== 'running' && (j.status !== 'done' || seenSuggestion.has(id))) seen.set(id, now);
    });
  });
  return { sessionId, requester, observer, melodyId, seen, seenSuggestion };
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
  // Keep the session small between runs: dismiss the suggestion (as the requester would).
  await waitFor(() => getSuggestion(p.requester.doc, r.body.jobId) !== null, 10_000, 'the suggestion at the requester');
  dismissSuggestion(p.requester.doc, r.body.jobId, 'bench', 'bench');
  const rec = (await api<{ timings: { inferenceMs: number | null } }>(`${url}/api/sessions/${p.sessionId}/jobs/${r.body.jobId}`, 'GET')).body;
  (overhead[model] ??= []).push(total - (rec.timings.inferenceMs ?? 0));
  return total;
}

/** POST /ai; resolves with the times (ms from the POST) at which the observer saw each candidate. */
async function aiRequest(url: string, p: Pair, body: Record<string, unknown>): Promise<number[]> {
  const t0 = performance.now();
  const r = await api<{ requestId: string; jobIds: string[] }>(`${url}/api/sessions/${p.sessionId}/ai`, 'POST', { sourceTrackId: p.melodyId, bars: [0, BARS], ...body });
  if (r.status !== 202) throw new Error(`POST ai → ${r.status} ${JSON.stringify(r.body)}`);
  const ids = r.body.jobIds;
  await waitFor(() => ids.every((id) => p.seen.has(id)), 180_000, `request ${r.body.requestId} at the observer`);
  for (const id of ids) {
    const j = readJob(id, jobsMap(p.observer.doc).get(id)!);
    if (j?.status !== 'done') throw new Error(`${j?.model} candidate ended ${j?.status}: ${j?.error}`);
  }
  const times = ids.map((id) => p.seenSuggestion.get(id)! - t0);
  await waitFor(() => ids.every((id) => getSuggestion(p.requester.doc, id) !== null), 10_000, 'the suggestions at the requester');
  for (const id of ids) dismissSuggestion(p.requester.doc, id, 'bench', 'bench');
  return times;
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
    // Issue 13: candidates and "compare models", one request at a time.
    for (const model of MODELS) {
      const first: number[] = [];
      const all: number[] = [];
      const task = model === 'gan' ? 'harmonize' : TASK[model];
      await aiRequest(server.url, alone, { model, task, candidates: CANDIDATES, seed: 900 }); // warm-up
      for (let i = 0; i < AI_RUNS; i++) {
        const times = await aiRequest(server.url, alone, { model, task, candidates: CANDIDATES, seed: 1000 + 10 * i });
        first.push(Math.min(...times));
        all.push(Math.max(...times));
      }
      summary[`first_candidate_visible_p50_ms_${model}`] = pct(first, 50);
      summary[`first_candidate_visible_p95_ms_${model}`] = pct(first, 95);
      summary[`all_candidates_visible_p95_ms_${model}`] = pct(all, 95);
      results[`first_candidate_visible_${model}`] = first.map(Math.round);
      results[`all_candidates_visible_${model}`] = all.map(Math.round);
      console.log(`${model.padEnd(12)} ${CANDIDATES} candidates: first visible p50 ${summary[`first_candidate_visible_p50_ms_${model}`]} ms  p95 ${summary[`first_candidate_visible_p95_ms_${model}`]} ms; all visible p95 ${summary[`all_candidates_visible_p95_ms_${model}`]} ms  (n=${first.length})`);
    }
    if (MODELS.length === ALL_MODELS.length) {
      const xs: number[] = [];
      await aiRequest(server.url, alone, { compare: true, task: 'harmonize', seed: 900 }); // warm-up
      for (let i = 0; i < AI_RUNS; i++) xs.push(Math.max(...(await aiRequest(server.url, alone, { compare: true, task: 'harmonize', seed: 2000 + i }))));
      summary.compare_all_visible_p50_ms = pct(xs, 50);
      summary.compare_all_visible_p95_ms = pct(xs, 95);
      results.compare_all_visible = xs.map(Math.round);
      console.log(`compare models (3 candidates): all visible p50 ${summary.compare_all_visible_p50_ms} ms  p95 ${summary.compare_all_visible_p95_ms} ms  (n=${xs.length})`);
    }
    for (const p of pairs) (p.requester.destroy(), p.observer.destroy());
  } finally {
    await server.stop();
  }
  results.ai_runs = AI_RUNS;
  results.candidates = CANDIDATES;
  results.load_average = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const out = { ...results, ...summary, targets: { p95_ms_gan: 2000, p95_ms_arcnn: 2000, p95_ms_transformer: 4000, compare_all_visible_p95_ms: 3000 } };
  writeResult(path.resolve(import.meta.dirname, 'results', 'jobs.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(summary));
}

await main();
