// bench:studio (issue 18 figures): training throughput through the server's training job against
// the command-line harness on the same settings, in the same run, and the time from the train
// request to the first progress point.
//   - The server: `server/main.ts --no-next` as a child process with a fresh DATA_DIR (embedded
//     database); a training is requested over HTTP as the UI does (POST /api/studio/trainings),
//     watched over its Server-Sent Events, and polled (GET …?after=-1) for the first point.
//   - The CLI: `npm run train -- <family>` with exactly the flags the server passes its trainer
//     (models/studio/train-job.ts trainFlags), run after the server's training ended.
// Both throughputs come from the same place, each run's harness log (train-log.json: per logged
// step, the seconds since the start), as steps per second between the first and the last logged
// step: start-up is left out of both, validation and checkpoints (same cadence) are in both.
// The server's training process runs at nice 10 (low priority, as in production); the CLI at the
// same niceness (BENCH_NICE, default 10, as TUTTI_STUDIO_NICE). BENCH_FAMILY (arcnn), BENCH_SIZE (tiny), BENCH_STEPS (100), BENCH_BATCH
// (family default), BENCH_RUNS (2: server, CLI, CLI, server). Prints one JSON object as its last line; --write also keeps it in
// bench/results/studio.json.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { STUDIO_DEFAULTS, type StudioFamily, type StudioSize, type TrainingJob } from '../lib/ai/studio';
import { writeResult } from '../models/cli/result-file';
import { trainFlags } from '../models/studio/train-job';
import type { TrainLog } from '../models/train/harness';
import { spawnUntilReady } from './support/spawn-server';

const ROOT = path.resolve(import.meta.dirname, '..');
const family = (process.env.BENCH_FAMILY ?? 'arcnn') as StudioFamily;
const size = (process.env.BENCH_SIZE ?? 'tiny') as StudioSize;
const steps = Number(process.env.BENCH_STEPS ?? 100);
const batch = Number(process.env.BENCH_BATCH ?? STUDIO_DEFAULTS[family].batch);
const settings = { steps, size, learningRate: STUDIO_DEFAULTS[family].learningRate, batch, seed: 1 };
/** The server's training thread priority (TUTTI_STUDIO_NICE); the CLI runs at the same niceness so the comparison is of the code path, not of the scheduler. */
const nice = Number(process.env.BENCH_NICE ?? 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Steps per second between the first and the last logged step of a harness log. */
function stepsPerSec(log: TrainLog): number {
  const a = log.train[0]!;
  const b = log.train.at(-1)!;
  return (b.step - a.step) / (b.elapsedSec - a.elapsedSec);
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function serverRun(): Promise<{ stepsPerSec: number; backend: string; firstPointMs: number; firstSseMs: number; totalMs: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-studio-'));
  const port = await freePort();
  const server = await spawnUntilReady('tutti', ['--import', 'tsx', 'server/main.ts', '--no-next'], {
    cwd: ROOT,
    env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, CHECKPOINT_DISABLE: '1', LOG_LEVEL: 'info', TUTTI_STUDIO_NICE: String(nice) },
    ready: /listening on/,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    const key = crypto.randomBytes(18).toString('base64url');
    const t0 = performance.now();
    const res = await fetch(`${base}/api/studio/trainings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tutti-studio-key': key },
      body: JSON.stringify({ family, name: 'bench', ...settings, data: { kind: 'jsb' } }),
    });
    if (res.status !== 202) throw new Error(`POST /api/studio/trainings → ${res.status} ${await res.text()}`);
    const { training } = (await res.json()) as { training: TrainingJob };
    // The SSE stream, as a browser watches it: time to its first progress event, and its end.
    const sse = (async () => {
      const r = await fetch(`${base}/api/studio/trainings/${training.id}/events`);
      const reader = r.body!.getReader();
      let buf = '';
      let first = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += new TextDecoder().decode(value);
        if (!first && buf.includes('event: progress')) first = performance.now() - t0;
        if (buf.includes('event: end')) break;
      }
      await reader.cancel().catch(() => undefined);
      return { first, end: performance.now() - t0, ok: /"status":"done"/.test(buf.slice(buf.lastIndexOf('event: end'))) };
    })();
    let firstPointMs = 0;
    while (!firstPointMs) {
      const v = (await (await fetch(`${base}/api/studio/trainings/${training.id}?after=-1`)).json()) as { points: unknown[]; training: TrainingJob };
      if (v.points.length) firstPointMs = performance.now() - t0;
      else if (['failed', 'cancelled'].includes(v.training.status)) throw new Error(`the training ${v.training.status}: ${v.training.error}`);
      else await sleep(50);
    }
    const s = await sse;
    if (!s.ok) throw new Error('the server training did not end done');
    const log = JSON.parse(fs.readFileSync(path.join(dataDir, 'models', 'versions', training.id, 'work', 'train-log.json'), 'utf8')) as TrainLog;
    return { stepsPerSec: stepsPerSec(log), backend: log.backend, firstPointMs, firstSseMs: s.first, totalMs: s.end };
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function cliRun(): Promise<{ stepsPerSec: number; backend: string; totalMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-studio-cli-'));
  const flags = trainFlags({ family, settings, workDir: path.join(dir, 'work'), weightsDir: path.join(dir, 'weights') });
  const args = ['--import', 'tsx', 'models/cli/train.ts', family, ...Object.entries(flags).map(([k, v]) => (v === true ? `--${k}` : `--${k}=${v}`))];
  const t0 = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('nice', ['-n', String(nice), process.execPath, ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run train exited ${code}: ${err.slice(-2000)}`))));
    });
    const log = JSON.parse(fs.readFileSync(path.join(dir, 'work', 'train-log.json'), 'utf8')) as TrainLog;
    return { stepsPerSec: stepsPerSec(log), backend: log.backend, totalMs: performance.now() - t0 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Alternating A B B A … so a change of the machine's load during the run falls on both sides.
const runs = Number(process.env.BENCH_RUNS ?? 2);
const load0 = os.loadavg()[0]!;
const servers: Awaited<ReturnType<typeof serverRun>>[] = [];
const clis: Awaited<ReturnType<typeof cliRun>>[] = [];
for (let i = 0; i < runs; i++) {
  if (i % 2 === 0) {
    servers.push(await serverRun());
    clis.push(await cliRun());
  } else {
    clis.push(await cliRun());
    servers.push(await serverRun());
  }
}
const load1 = os.loadavg()[0]!;
const round = (x: number, d = 3) => Number(x.toFixed(d));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};
const serverRate = mean(servers.map((s) => s.stepsPerSec));
const cliRate = mean(clis.map((c) => c.stepsPerSec));
const result = {
  bench: 'studio',
  family,
  size,
  steps,
  batch,
  runs,
  data: 'jsb train split (valid for validation)',
  server_steps_per_sec: round(serverRate),
  cli_steps_per_sec: round(cliRate),
  server_vs_cli_ratio: round(serverRate / cliRate),
  within_10_percent: Math.abs(serverRate / cliRate - 1) <= 0.1,
  server_steps_per_sec_runs: servers.map((s) => round(s.stepsPerSec)),
  cli_steps_per_sec_runs: clis.map((c) => round(c.stepsPerSec)),
  train_to_first_point_ms: Math.round(median(servers.map((s) => s.firstPointMs))),
  train_to_first_sse_progress_ms: Math.round(median(servers.map((s) => s.firstSseMs))),
  train_to_first_point_ms_runs: servers.map((s) => Math.round(s.firstPointMs)),
  server_backend: servers[0]!.backend,
  cli_backend: clis[0]!.backend,
  nice,
  loadavg1: [round(load0, 2), round(load1, 2)],
  cores: os.cpus().length,
};
const file = writeResult(path.resolve(import.meta.dirname, 'results/studio.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`result file: ${file}`);
console.log(JSON.stringify(result));
