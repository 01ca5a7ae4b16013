// Starts `scripts/cluster.mjs` (web instances + model workers in queue mode) as a child process and
// reads the JSON lines it prints: used by the cluster tests and bench/workers.ts. startQueueCluster
// is a queue-mode suite's whole set-up: the services checked, a schema and a queue of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertWeights } from './jobs-helpers';
import { pgSchemaUrl, REDIS_URL, requirePostgres, requireRedis } from './sync-helpers';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ClusterProc {
  role: 'web' | 'worker';
  name: string;
  pid: number;
  port: number;
  /** Web instances: http://127.0.0.1:<port>. */
  url?: string;
  /** Workers: their /metrics (and /healthz beside it). */
  metrics?: string;
}

export interface RunningCluster {
  child: ChildProcess;
  procs: ClusterProc[];
  /** Everything the processes logged (prefixed with their names). */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM to the cluster (it drains every process); resolves with its exit code. */
  stop(): Promise<number | null>;
}

export async function startCluster(opts: { web: number; workers: number; env: Record<string, string> }): Promise<RunningCluster> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'scripts/cluster.mjs'), '--web', String(opts.web), '--workers', String(opts.workers), '--port', '0', '--no-next'],
    {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-cluster-')), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const procs: ClusterProc[] = [];
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`the cluster did not start in 150 s:\n${output.slice(-4000)}`)), 150_000);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (line.role) procs.push(line);
        if (line.ready) {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the cluster exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
  return {
    child,
    procs,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface QueueCluster extends RunningCluster {
  /** This cluster's PostgreSQL schema (pgSchemaUrl). */
  schema: ReturnType<typeof pgSchemaUrl>;
  /** This cluster's queue on the test Redis. */
  queue: string;
  /** Stops the cluster (SIGTERM, at most 30 s), SIGKILLs any process of it still alive, drops the schema. */
  close(): Promise<void>;
}

/**
 * A queue-mode cluster on the test PostgreSQL (a schema of its own, named from `name`) and Redis (a
 * queue of its own), its workers preloading `models`. Fails (never skips) when PostgreSQL or Redis
 * is unreachable or a model's committed weights are missing. `env` adds to or overrides the
 * cluster's environment.
 */
export async function startQueueCluster(opts: {
  name: string;
  web: number;
  workers: number;
  models: string[];
  env?: Record<string, string>;
}): Promise<QueueCluster> {
  await requireRedis();
  await requirePostgres();
  assertWeights(opts.models);
  const schema = pgSchemaUrl(opts.name);
  const queue = `${opts.name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let cluster: RunningCluster;
  try {
    cluster = await startCluster({
      web: opts.web,
      workers: opts.workers,
      env: { DATABASE_URL: schema.url, REDIS_URL, TUTTI_JOB_QUEUE: queue, TUTTI_JOB_PRELOAD: opts.models.join(','), ...opts.env },
    });
  } catch (e) {
    await schema.drop();
    throw e;
  }
  return {
    ...cluster,
    schema,
    queue,
    async close() {
      await Promise.race([cluster.stop(), new Promise((r) => setTimeout(r, 30_000))]);
      for (const p of cluster.procs) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
      await schema.drop();
    },
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The worker reporting a running job on its /healthz (polls for up to `ms`). */
export async function workerRunningAJob(procs: ClusterProc[], ms = 5000): Promise<ClusterProc | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const w of procs.filter((p) => p.role === 'worker' && alive(p.pid))) {
      const h = (await (await fetch(w.metrics!.replace('/metrics', '/healthz'))).json()) as { running: number };
      if (h.running > 0) return w;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}
