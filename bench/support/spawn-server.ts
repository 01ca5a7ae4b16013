// Starts a server as a child process for a bench and waits for its ready line. Shared by the
// benches that compare Tutti with the stock @y/websocket-server (bench:sync, bench:memory).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SpawnedServer {
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after 30 s. */
  stop(): Promise<void>;
}

export async function spawnUntilReady(
  name: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; ready: RegExp; timeoutMs?: number },
): Promise<SpawnedServer> {
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

/** A TCP port free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** spawnUntilReady on a free port of 127.0.0.1 (PORT and HOST in its environment). */
export async function spawnOnFreePort(
  name: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; ready: RegExp; timeoutMs?: number },
): Promise<SpawnedServer & { port: number }> {
  const port = await freePort();
  const s = await spawnUntilReady(name, args, { ...opts, env: { ...opts.env, PORT: String(port), HOST: '127.0.0.1' } });
  return { port, ...s };
}

/** The stock @y/websocket-server (the peer the benches measure Tutti against) from `root`'s node_modules, on a free port. */
export function spawnStock(name: string, root: string, timeoutMs?: number): Promise<SpawnedServer & { port: number }> {
  return spawnOnFreePort(name, [path.join(root, 'node_modules/@y/websocket-server/src/server.js')], { cwd: root, env: {}, ready: /running at/, timeoutMs });
}
