// Test servers. startTestServer spawns the real entry point (server/main.ts) as a child process
// on a free port with a temporary DATA_DIR — a separate process so tests can restart it or
// kill -9 it. startInProcessServer runs startServer in the test process when a test needs to
// look inside (room count, heap). createSession makes a session through the HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { startServer, type StartOptions, type TuttiServer } from '@/server/app';
import { openDatabase } from '@/server/db/client';
import { readMigrations } from '@/server/db/migrate';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const PG_URL = process.env.TUTTI_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestServerOptions {
  /** Reuse a data dir (restart tests); default a fresh temp dir. */
  dataDir?: string;
  /** postgresql://… (may carry ?schema=); default the embedded database in dataDir. */
  databaseUrl?: string;
  /** Listen on this port (restart a server where its clients expect it); default a free one. */
  port?: number;
  /** Serve the Next app too (slow; e2e only). Default false. */
  next?: boolean;
  /** Run as `npm start` does (scripts/start.mjs: the compiled server) even without Next. */
  viaStartScript?: boolean;
  env?: Record<string, string>;
}

export interface TestServer {
  url: string;
  port: number;
  wsUrl: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Graceful stop (SIGTERM: sessions flushed and compacted). */
  stop(): Promise<void>;
  /** kill -9: no chance to flush anything. */
  kill(): Promise<void>;
}

/**
 * A fresh DATA_DIR. Creating an embedded database (initdb + migrations) costs seconds, so the
 * first call builds a migrated template once per migration set and later calls copy it (a
 * cleanly closed PGlite directory is an ordinary Postgres data dir, safe to copy).
 */
export async function tempDataDir(prefix = 'tutti-test-'): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  const template = await embeddedTemplate();
  fs.cpSync(template, path.join(dir, 'pglite'), { recursive: true });
  return dir;
}

// Data dirs are ~40 MB each: remove them when the test process ends.
const created: string[] = [];
process.once('exit', () => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

let templatePromise: Promise<string> | null = null;
function embeddedTemplate(): Promise<string> {
  templatePromise ??= (async () => {
    const key = crypto
      .createHash('sha256')
      .update(
        readMigrations()
          .map((m) => `${m.name}:${m.checksum}`)
          .join('|'),
      )
      .digest('hex')
      .slice(0, 12);
    const template = path.join(os.tmpdir(), `tutti-pglite-template-${key}`);
    if (fs.existsSync(path.join(template, 'PG_VERSION'))) return template;
    const building = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-template-build-'));
    const db = await openDatabase({ dataDir: building });
    await db.close();
    try {
      fs.renameSync(path.join(building, 'pglite'), template); // atomic; another process may have won
    } catch {
      if (!fs.existsSync(path.join(template, 'PG_VERSION'))) throw new Error(`could not create the database template ${template}`);
    }
    fs.rmSync(building, { recursive: true, force: true });
    return template;
  })();
  return templatePromise;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? (await tempDataDir());
  // With Next, go through the start script: it builds the web app first when .next is stale.
  const args = opts.next
    ? [path.join(ROOT, 'scripts/start.mjs')]
    : opts.viaStartScript
      ? [path.join(ROOT, 'scripts/start.mjs'), '--no-next']
      : ['--import', 'tsx', path.join(ROOT, 'server/main.ts'), '--no-next'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: opts.databaseUrl ?? '',
      TUTTI_UNLOAD_DELAY_MS: '200',
      CHECKPOINT_DISABLE: '1',
      // The pages install their window.__tutti* hooks (app/test-hooks.ts) for the e2e tests and benches.
      TUTTI_TEST_HOOKS: '1',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const limit = opts.next ? 600_000 : 120_000; // a first Next build takes minutes on a busy machine
    const timer = setTimeout(() => reject(new Error(`server did not start in ${limit / 1000} s:\n${output}`)), limit);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  if (process.env.TUTTI_TEST_VERBOSE) child.stdout!.pipe(process.stdout), child.stderr!.pipe(process.stderr);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    wsUrl: `ws://127.0.0.1:${port}/sync`,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM:\n${output}`);
    },
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The server in this process (no Next), for tests that inspect rooms or memory. */
export async function startInProcessServer(opts: StartOptions = {}): Promise<TuttiServer & { wsUrl: string; dataDir: string }> {
  const dataDir = opts.dataDir ?? (await tempDataDir());
  const s = await startServer({ port: 0, host: '127.0.0.1', next: false, unloadDelayMs: 50, log: () => {}, ...opts, dataDir });
  return Object.assign(s, { wsUrl: `ws://127.0.0.1:${s.port}/sync`, dataDir });
}

/** What POST /api/sessions answers (README "Sharing"). */
export interface CreatedSession {
  id: string;
  url: string;
  editUrl: string;
  viewUrl: string;
  editToken: string;
  viewToken: string;
  ownerToken: string;
}

/**
 * The link tokens of every session this test process created through the API, so the shared
 * helpers (sync-helpers connectClient/openRaw, jobs-helpers connect/api) present the edit token
 * without every test threading it through. A test about tokens passes its own explicitly.
 */
export const sessionTokens = new Map<string, CreatedSession>();

/** The edit token of a session created here (undefined for one made another way, e.g. a pre-links session). */
export const editTokenFor = (sessionId: string): string | undefined => sessionTokens.get(sessionId)?.editToken;

export async function createSessionWithLinks(url: string, title?: string): Promise<CreatedSession> {
  const res = await fetch(`${url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(title ? { title } : {}),
  });
  if (res.status !== 201) throw new Error(`POST /api/sessions → ${res.status} ${await res.text()}`);
  const created = (await res.json()) as CreatedSession;
  sessionTokens.set(created.id, created);
  return created;
}

/** A new session through the API; its id (its tokens are in sessionTokens). */
export async function createSession(url: string, title?: string): Promise<string> {
  return (await createSessionWithLinks(url, title)).id;
}

/** GET /api/sessions/<id> with the session's edit token. */
export async function sessionInfo<T = Record<string, unknown>>(url: string, sessionId: string): Promise<T> {
  const token = editTokenFor(sessionId);
  const res = await fetch(`${url}/api/sessions/${sessionId}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) throw new Error(`GET /api/sessions/${sessionId} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
