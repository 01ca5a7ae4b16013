// Starts a server as a child process for a bench and waits for its ready line. Shared by the
// benches that compare Tutti with the stock @y/websocket-server (bench:sync, bench:memory).
import { spawn, type ChildProcess } from 'node:child_process';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SpawnedServer {
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after 30 s. */
  stop(): Promise<void>;
}

export async function spawnUntilReady(name: string, args: string[], opts: { cwd: string; env: Record<string, string>; ready: RegExp; timeoutMs?: number }): Promise<SpawnedServer> {
  const child = spawn(process.execPath, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a server behind
      reject(new Error(`${name} did not start:\n${out}`));
    }, opts.timeoutMs ?? 180_000);
    const on = (d: Buffer) => {
      out += d.toString();
      if (opts.ready.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${out}`)));
  });
  // Keep draining its output so a full pipe never blocks it.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
