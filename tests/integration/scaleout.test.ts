// Scale-out: two Tutti instances on one PostgreSQL (its own schema per run) share sessions live
// through Redis (127.0.0.1:6379). Instance A is a child process (so it can really be killed, and
// its batch window is 60 s so it never persists on its own during the test); instance B runs in
// this process (so the test can look at its rooms and edit server-side like a job does).
// Redis or PostgreSQL being unreachable fails this suite; it never skips.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { addNotes, readNotes, readTracks, type TrackId } from '@/lib/score';
import { decodeBusMessage } from '@/server/scaleout/wire';
import { createSession, startInProcessServer, startTestServer, type TestServer } from '../helpers/server';
import { connectSynced, docFromRows, pgSchemaUrl, readStoredPg, REDIS_URL, requirePostgres, requireRedis, sleep, waitFor, type Client } from './sync-helpers';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-scaleout-'));

describe('scale-out: two instances, one PostgreSQL, Redis fan-out', () => {
  const schema = pgSchemaUrl('tutti_scaleout');
  let a: TestServer;
  let b: Awaited<ReturnType<typeof startInProcessServer>>;
  const clients: Client[] = [];
  const bLog: string[] = [];
  const connect = async (wsUrl: string, id: string) => {
    const c = await connectSynced(wsUrl, id);
    clients.push(c);
    return c;
  };
  const melody = (c: Client) => readTracks(c.doc)[0]!.id as TrackId;
  const noteIds = (c: Client) => new Set(readNotes(c.doc).map((n) => n.id));
  const storedNotes = async (id: string) => readNotes(docFromRows(await readStoredPg(schema.url, id)));

  beforeAll(async () => {
    await requireRedis();
    await requirePostgres();
    [a, b] = await Promise.all([
      startTestServer({ databaseUrl: schema.url, dataDir: tmp(), env: { REDIS_URL, TUTTI_BATCH_MS: '60000' } }),
      startInProcessServer({ databaseUrl: schema.url, dataDir: tmp(), redisUrl: REDIS_URL, log: (m) => bLog.push(m) }),
    ]);
    expect(b.fanout).toBeDefined();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await a?.kill();
    await b?.close();
    await schema.drop();
  });

  it('edits converge both ways, server-side edits too, and each update crosses Redis once (no echo)', async () => {
    const id = await createSession(a.url);
    const spy = new Redis(REDIS_URL);
    const onBus: string[] = [];
    spy.on('messageBuffer', (_ch: Buffer, msg: Buffer) => onBus.push(decodeBusMessage(new Uint8Array(msg)).kind));
    await spy.subscribe(`tutti:room:${id}`);
    try {
      const ca = await connect(a.wsUrl, id);
      const cb = await connect(b.wsUrl, id);
      const track = melody(ca);

      const before = onBus.filter((k) => k === 'update').length;
      addNotes(ca.doc, [{ trackId: track, pitch: 60, start: 0, duration: 480, velocity: 90 }]);
      await waitFor(() => readNotes(cb.doc).length === 1, 5000, 'A → B');
      await sleep(300); // an echo loop would keep publishing
      expect(onBus.filter((k) => k === 'update').length - before).toBe(1);

      // Concurrent edits on both instances.
      for (let i = 0; i < 10; i++) {
        addNotes(ca.doc, [{ trackId: track, pitch: 62, start: i * 480, duration: 240, velocity: 80 }]);
        addNotes(cb.doc, [{ trackId: track, pitch: 67, start: i * 480, duration: 240, velocity: 80 }]);
      }
      await waitFor(() => readNotes(ca.doc).length === 21 && readNotes(cb.doc).length === 21, 5000, 'both ways');
      expect(noteIds(ca)).toEqual(noteIds(cb));

      // A server-side transaction on B (what an AI job does) reaches A's client.
      await b.rooms.withDoc(id, (doc) => addNotes(doc, [{ trackId: track, pitch: 72, start: 0, duration: 960, velocity: 100 }]), { origin: 'job:test' });
      await waitFor(() => readNotes(ca.doc).length === 22, 5000, 'withDoc on B → client on A');
      expect(noteIds(ca)).toEqual(noteIds(cb));
    } finally {
      spy.disconnect();
    }
  });

  it('awareness propagates across instances, including leaving', async () => {
    const id = await createSession(a.url);
    const ca = await connect(a.wsUrl, id);
    const cb = await connect(b.wsUrl, id);
    ca.provider.awareness.setLocalStateField('user', { name: 'Ann' });
    cb.provider.awareness.setLocalStateField('user', { name: 'Bob' });
    const nameOf = (c: Client, clientId: number) => (c.provider.awareness.getStates().get(clientId) as { user?: { name: string } } | undefined)?.user?.name;
    await waitFor(() => nameOf(cb, ca.doc.clientID) === 'Ann', 5000, 'Ann on B');
    await waitFor(() => nameOf(ca, cb.doc.clientID) === 'Bob', 5000, 'Bob on A');

    // A third client joining B later sees Ann, who is on A.
    const cc = await connect(b.wsUrl, id);
    await waitFor(() => nameOf(cc, ca.doc.clientID) === 'Ann', 5000, 'Ann for a late client on B');

    const annId = ca.doc.clientID;
    ca.destroy();
    clients.splice(clients.indexOf(ca), 1);
    await waitFor(() => !cb.provider.awareness.getStates().has(annId), 5000, 'Ann gone on B');
  });

  it('a client joining B late gets the edits A holds but has not persisted', async () => {
    const id = await createSession(a.url);
    const ca = await connect(a.wsUrl, id);
    const track = melody(ca);
    addNotes(ca.doc, Array.from({ length: 40 }, (_, i) => ({ trackId: track, pitch: 48 + (i % 24), start: i * 240, duration: 240, velocity: 70 })));
    // A second client on A has them, so A has applied them; A's batch window is 60 s: none stored.
    const ca2 = await connect(a.wsUrl, id);
    await waitFor(() => readNotes(ca2.doc).length === 40, 5000, 'edits to reach A');
    expect(await storedNotes(id)).toHaveLength(0);
    expect(b.rooms.has(id)).toBe(false);

    // B loads the session from the database (no notes) and catches up before serving the client:
    // the client's first sync already holds all 40.
    const cb = await connect(b.wsUrl, id);
    expect(readNotes(cb.doc)).toHaveLength(40);
    expect(noteIds(cb)).toEqual(noteIds(ca));
    expect(bLog.filter((m) => m.includes('[scaleout]'))).toEqual([]); // A answered; no timeout
  });

  it('an instance whose Redis subscription drops catches up once it is back', async () => {
    const id = await createSession(a.url);
    const ca = await connect(a.wsUrl, id);
    const cb = await connect(b.wsUrl, id);
    const track = melody(ca);
    // A edits steadily while B's subscriber connection is killed under it; whatever A publishes
    // before B has resubscribed is gone from Redis, so only B's catch-up on reconnect brings it.
    const editing = (async () => {
      for (let i = 0; i < 40; i++) {
        addNotes(ca.doc, [{ trackId: track, pitch: 50 + (i % 30), start: i * 120, duration: 120, velocity: 60 }]);
        await sleep(10);
      }
    })();
    await sleep(100);
    const admin = new Redis(REDIS_URL);
    try {
      const list = (await admin.client('LIST')) as string;
      const line = list.split('\n').find((l) => l.includes(`name=tutti-sub-${b.fanout!.instanceId}`));
      expect(line, 'B’s subscriber connection in CLIENT LIST').toBeDefined();
      await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(line!)![1]!);
    } finally {
      admin.disconnect();
    }
    await editing;
    await waitFor(() => readNotes(cb.doc).length === 40, 10_000, 'B’s client to have every edit made on A');
    expect(noteIds(cb)).toEqual(noteIds(ca));
  });

  // Last: it kills A.
  it('killing an instance loses nothing another instance acknowledged', async () => {
    const id = await createSession(a.url);
    const ca = await connect(a.wsUrl, id);
    const cb = await connect(b.wsUrl, id);
    const track = melody(ca);
    addNotes(ca.doc, Array.from({ length: 30 }, (_, i) => ({ trackId: track, pitch: 60 + (i % 12), start: i * 120, duration: 120, velocity: 64 })));
    await waitFor(() => readNotes(cb.doc).length === 30, 5000, 'B to acknowledge A’s edits');
    const expected = noteIds(ca);

    await a.kill(); // kill -9: A never wrote its batch
    ca.destroy();
    clients.splice(clients.indexOf(ca), 1);
    cb.destroy();
    clients.splice(clients.indexOf(cb), 1);
    await waitFor(() => !b.rooms.has(id), 10_000, 'B to persist and unload the room');

    const stored = await storedNotes(id);
    expect(new Set(stored.map((n) => n.id))).toEqual(expected);
    const fresh = await connect(b.wsUrl, id);
    expect(noteIds(fresh)).toEqual(expected);
  });
});
