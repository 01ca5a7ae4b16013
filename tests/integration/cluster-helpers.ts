// Starts `scripts/cluster.mjs` (web instances + model workers in queue mode) as a child process and
// reads the JSON lines it prints: used by the cluster tests and bench/workers.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/cluster.mjs'), '--web', String(opts.web), '--workers', String(opts.workers), '--port', '0', '--no-next'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-cluster-')), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
