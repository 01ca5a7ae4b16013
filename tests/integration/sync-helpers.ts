// Shared by the backbone's integration tests: real y-websocket clients in Node, a raw websocket
// for sending hand-made frames, polling waits, and direct reads of what the database holds.
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import pg from 'pg';
import { WebsocketProvider } from 'y-websocket';
import { PGlite } from '@electric-sql/pglite';
import path from 'node:path';
import { Redis } from 'ioredis';
import { PG_URL, editTokenFor } from '../helpers/server';

export interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
  destroy(): void;
}

/**
 * A stock y-websocket client: serverUrl ws://host:port/sync, room = session id, the link token as
 * the `token` URL parameter (default: the edit token of a session made with createSession).
 */
export function connectClient(wsUrl: string, sessionId: string, opts: { waitSync?: boolean; token?: string } = {}): Client & { synced: Promise<void> } {
  const doc = new Y.Doc();
  const token = opts.token ?? editTokenFor(sessionId);
  const provider = new WebsocketProvider(wsUrl, sessionId, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true, maxBackoffTime: 500, ...(token ? { params: { token } } : {}) });
  const synced = waitFor(() => provider.synced, 30_000, `client sync on ${sessionId}`);
  void opts;
  return {
    doc,
    provider,
    synced,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export async function connectSynced(wsUrl: string, sessionId: string, token?: string): Promise<Client> {
  const c = connectClient(wsUrl, sessionId, token ? { token } : {});
  await c.synced;
  return c;
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RawSocket {
  ws: WebSocket;
  messages: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
}

/**
 * A bare websocket on /sync/<id> for sending frames no real client would send. `token`: the link
 * token (default the edit token of a session made with createSession; null: none).
 */
export async function openRaw(wsUrl: string, sessionId: string, token?: string | null, headers?: Record<string, string>): Promise<RawSocket> {
  const t = token === undefined ? editTokenFor(sessionId) : token;
  const ws = new WebSocket(`${wsUrl}/${sessionId}${t ? `?token=${encodeURIComponent(t)}` : ''}`, headers ? { headers } : {});
  const messages: Uint8Array[] = [];
  ws.on('message', (d) => messages.push(new Uint8Array(d as Buffer)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface StoredRows {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
}

/** Reads a session's rows straight from PostgreSQL (schema-qualified), bypassing the server. */
export async function readStoredPg(databaseUrl: string, sessionId: string): Promise<StoredRows> {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await readRows((sql, params) => client.query(sql.replaceAll('"T".', `"${schema}".`), params), sessionId);
  } finally {
    await client.end();
  }
}

/** Reads a session's rows from an embedded data dir with PGlite directly (server stopped). */
export async function readStoredEmbedded(dataDir: string, sessionId: string): Promise<StoredRows> {
  const db = await PGlite.create(path.join(dataDir, 'pglite'));
  try {
    return await readRows((sql, params) => db.query(sql.replaceAll('"T".', ''), params) as Promise<{ rows: unknown[] }>, sessionId);
  } finally {
    await db.close();
  }
}

type Query = (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

async function readRows(query: Query, sessionId: string): Promise<StoredRows> {
  const s = (await query(`SELECT snapshot FROM "T"."Session" WHERE id = $1`, [sessionId])).rows[0] as { snapshot: Uint8Array | null } | undefined;
  if (!s) throw new Error(`session ${sessionId} is not in the database`);
  const u = (await query(`SELECT data FROM "T"."DocUpdate" WHERE "sessionId" = $1 ORDER BY id`, [sessionId])).rows as { data: Uint8Array }[];
  return { snapshot: s.snapshot ? new Uint8Array(s.snapshot) : null, updates: u.map((r) => new Uint8Array(r.data)) };
}

/** The document the stored rows describe. */
/** An update that sets one key of the `log` map, made by its own client (so stored rows are independent). */
export function keyUpdate(key: string): Uint8Array {
  const d = new Y.Doc();
  d.getMap('log').set(key, true);
  const u = Y.encodeStateAsUpdate(d);
  d.destroy();
  return u;
}

export function docFromRows(rows: StoredRows): Y.Doc {
  const doc = new Y.Doc();
  if (rows.snapshot) Y.applyUpdate(doc, rows.snapshot);
  for (const u of rows.updates) Y.applyUpdate(doc, u);
  return doc;
}

/** Fails loudly (never skips) when the PostgreSQL server the suite needs is not reachable. */
export async function requirePostgres(url = PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is required by this suite and is unreachable at ${url} (${(err as Error).message}). ` +
        `Start it (e.g. pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TUTTI_TEST_PG_URL.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema on the test PostgreSQL for one run; drop() removes it. */
export function pgSchemaUrl(prefix = 'tutti_test'): { url: string; schema: string; drop(): Promise<void> } {
  const schema = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export const REDIS_URL = process.env.TUTTI_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fails loudly (never skips) when the Redis server a suite needs is not reachable. */
export async function requireRedis(url = REDIS_URL): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new Error(`Redis is required by this suite and is unreachable at ${url} (${(err as Error).message}). Start it (redis-server --daemonize yes) or set TUTTI_TEST_REDIS_URL.`);
  } finally {
    r.disconnect();
  }
}

/** A raw sync-protocol message carrying one Yjs update (message type 0 sync, step 2 "update"). */
export function updateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** The update `edit` makes on a copy of `base` (a fresh client id each time): what a hostile client could send. */
export function craft(base: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  const scratch = new Y.Doc();
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(base));
  const updates: Uint8Array[] = [];
  scratch.on('update', (u: Uint8Array) => updates.push(u));
  edit(scratch);
  scratch.destroy();
  return Y.mergeUpdates(updates);
}
