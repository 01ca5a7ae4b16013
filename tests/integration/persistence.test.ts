// Nothing written is lost across a graceful restart or a kill -9, in both database modes: the
// embedded PGlite under DATA_DIR and PostgreSQL (127.0.0.1:5432, its own schema per run). The
// server runs as a child process so it can really be killed. PostgreSQL being unreachable fails
// this suite; it never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes, readNotes, readScore, readTracks, setMeta, type TrackId } from '@/lib/score';
import { createSession, sessionInfo, startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import {
  connectClient,
  connectSynced,
  docFromRows,
  pgSchemaUrl,
  readStoredEmbedded,
  readStoredPg,
  requirePostgres,
  sleep,
  waitFor,
  type Client,
} from './sync-helpers';

interface Mode {
  name: 'embedded' | 'postgres';
  setup(): Promise<{ databaseUrl?: string; dataDir: string; readStored(id: string): ReturnType<typeof readStoredPg>; cleanup(): Promise<void> }>;
}

const modes: Mode[] = [
  {
    name: 'embedded',
    async setup() {
      const dataDir = await tempDataDir();
      return { dataDir, readStored: (id) => readStoredEmbedded(dataDir, id), cleanup: async () => {} };
    },
  },
  {
    name: 'postgres',
    async setup() {
      await requirePostgres();
      const s = pgSchemaUrl();
      return { databaseUrl: s.url, dataDir: await tempDataDir(), readStored: (id) => readStoredPg(s.url, id), cleanup: () => s.drop() };
    },
  },
];

describe.each(modes)('persistence ($name database)', (mode) => {
  let env: Awaited<ReturnType<Mode['setup']>>;
  const servers: TestServer[] = [];
  const clients: Client[] = [];
  const start = async (port?: number) => {
    const s = await startTestServer({ dataDir: env.dataDir, databaseUrl: env.databaseUrl, port });
    servers.push(s);
    return s;
  };

  beforeAll(async () => {
    env = await mode.setup();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const s of servers) await s.kill();
    await env?.cleanup();
  });

  it('keeps an identical document across a graceful restart', async () => {
    const s1 = await start();
    const id = await createSession(s1.url);
    const a = await connectSynced(s1.wsUrl, id);
    clients.push(a);
    const trackId = readTracks(a.doc)[0]!.id;
    addNotes(a.doc, Array.from({ length: 200 }, (_, i) => ({ trackId, pitch: 48 + (i % 24), start: i * 120, duration: 120, velocity: 80 })));
    setMeta(a.doc, { title: 'Restart me', bpm: 132 });
    // Delete some so the snapshot has to carry deletions too.
    a.doc.transact(() => readNotes(a.doc).slice(0, 50).forEach((n) => a.doc.getMap('notes').delete(n.id)));
    const before = readScore(a.doc);
    const beforeState = Y.encodeStateVector(a.doc);
    await sleep(400); // let the last batch reach the server (the batch window is 250 ms)
    a.destroy();
    clients.splice(clients.indexOf(a), 1);
    await s1.stop();

    const s2 = await start();
    const b = await connectSynced(s2.wsUrl, id);
    clients.push(b);
    expect(readScore(b.doc)).toEqual(before);
    expect(readNotes(b.doc)).toHaveLength(150);
    expect(Y.encodeStateVector(b.doc)).toEqual(beforeState);
    const info = await sessionInfo<{ title: string }>(s2.url, id);
    expect(info.title).toBe('Restart me');
  });

  it('recovers the union of two clients’ edits after kill -9 mid-burst, and compacts it into the database', async () => {
    const s1 = await start();
    const id = await createSession(s1.url);
    const a = connectClient(s1.wsUrl, id);
    const b = connectClient(s1.wsUrl, id);
    clients.push(a, b);
    await Promise.all([a.synced, b.synced]);
    const trackId = readTracks(a.doc)[0]!.id as TrackId;

    // Both clients add a note every 5 ms for 1.2 s; the server is killed 500 ms in. Clients keep
    // editing while disconnected (offline edits) and resync when the server is back.
    const burst = (c: Client, pitch: number) =>
      (async () => {
        for (let i = 0; i < 240; i++) {
          addNotes(c.doc, [{ trackId, pitch, start: i * 60, duration: 60, velocity: 64 + (i % 60) }]);
          await sleep(5);
        }
      })();
    const bursts = Promise.all([burst(a, 60), burst(b, 72)]);
    await sleep(500);
    await s1.kill();
    await bursts;
    expect(a.provider.wsconnected || b.provider.wsconnected).toBe(false);

    const s2 = await start(s1.port); // same address, so the clients' providers reconnect by themselves
    const expected = () => new Set([...readNotes(a.doc), ...readNotes(b.doc)].map((n) => n.id));
    await waitFor(() => a.provider.synced && b.provider.synced && a.provider.wsconnected && b.provider.wsconnected, 30_000, 'clients to reconnect');
    await waitFor(() => readNotes(a.doc).length === 480 && readNotes(b.doc).length === 480, 30_000, 'clients to exchange their offline edits');
    const union = expected();
    expect(union.size).toBe(480);

    // A fresh client sees the server's state: exactly the union.
    const c = await connectSynced(s2.wsUrl, id);
    clients.push(c);
    await waitFor(() => readNotes(c.doc).length === 480, 10_000, 'fresh client to see every note');
    expect(new Set(readNotes(c.doc).map((n) => n.id))).toEqual(union);

    // Everyone leaves; a graceful stop flushes and compacts. The rows alone hold the union.
    for (const x of [a, b, c]) x.destroy();
    clients.length = 0;
    await s2.stop();
    const rows = await env.readStored(id);
    expect(rows.updates).toHaveLength(0);
    expect(rows.snapshot).not.toBeNull();
    const stored = docFromRows(rows);
    expect(new Set(readNotes(stored).map((n) => n.id))).toEqual(union);
    expect(readNotes(stored).filter((n) => n.pitch === 60)).toHaveLength(240);
    expect(readNotes(stored).filter((n) => n.pitch === 72)).toHaveLength(240);
  });
});
