// Room lifecycle: a room lives while someone holds it and unloads — persisted first — after the
// last client leaves; room count and heap return to baseline. Server-side edits through
// rooms.withDoc persist and sync with or without clients connected.
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNotes, readNotes, readTracks, type TrackId } from '@/lib/score';
import * as Y from 'yjs';
import { SessionNotFoundError } from '@/server/persistence/store';
import { Persister } from '@/server/rooms/persister';
import { createSession, startInProcessServer } from '../helpers/server';
import { connectSynced, sleep, waitFor } from './sync-helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapAfterGc = async () => {
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
};

describe('rooms', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;

  beforeAll(async () => {
    server = await startInProcessServer({ unloadDelayMs: 50 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('unloads rooms after the last client leaves; room count and heap return to baseline', async () => {
    // One round: 8 sessions, two clients each, 2500 notes per session; returns the heap while
    // everything is loaded, then lets every client leave and waits for every room to unload.
    const round = async () => {
      const ids = await Promise.all(Array.from({ length: 8 }, () => createSession(server.url)));
      const clients = await Promise.all(ids.flatMap((id) => [connectSynced(server.wsUrl, id), connectSynced(server.wsUrl, id)]));
      expect(server.rooms.count).toBe(8);
      for (const c of clients.filter((_, i) => i % 2 === 0)) {
        const trackId = readTracks(c.doc)[0]!.id;
        addNotes(c.doc, Array.from({ length: 2500 }, (_, i) => ({ trackId, pitch: 30 + (i % 60), start: i * 60, duration: 60, velocity: 1 + (i % 127) })));
      }
      await waitFor(() => clients.every((c) => readNotes(c.doc).length === 2500), 60_000, 'all clients to sync their notes');
      const peak = await heapAfterGc();
      for (const c of clients) c.destroy();
      clients.length = 0;
      await waitFor(() => server.rooms.count === 0, 30_000, 'every room to unload');
      return { ids, peak };
    };

    // A first round warms up what is created once per process (compiled code, caches), so the
    // baseline is taken after it; a leak would then show as growth in the second round.
    await round();
    expect(server.rooms.count).toBe(0);
    const baseline = await heapAfterGc();
    const { ids, peak } = await round();
    const after = await heapAfterGc();

    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(`heap: baseline ${mb(baseline)} MB, with 8 loaded rooms + 16 clients ${mb(peak)} MB, after unload ${mb(after)} MB`);
    expect(peak - baseline).toBeGreaterThan(30 * 1024 * 1024); // the rooms really were big
    expect(after - baseline).toBeLessThan(5 * 1024 * 1024);

    // Unloading persisted everything: a new client gets each session's notes from the database.
    const check = await connectSynced(server.wsUrl, ids[3]!);
    expect(readNotes(check.doc)).toHaveLength(2500);
    check.destroy();
  });

  it('persists a withDoc edit made while no client is connected, and syncs one made while clients are', async () => {
    const id = await createSession(server.url);
    expect(server.rooms.has(id)).toBe(false);
    const added = await server.rooms.withDoc(id, (doc) => {
      const trackId = readTracks(doc)[0]!.id as TrackId;
      return addNotes(doc, [{ trackId, pitch: 67, start: 0, duration: 960, velocity: 100 }]);
    });
    expect(added).toHaveLength(1);
    await waitFor(() => !server.rooms.has(id), 10_000, 'room to unload after the server-side edit');
    // Straight from the database: the room is gone, so this is a fresh load.
    const stored = await server.rooms.store.loadDoc(id);
    expect(stored!.updates).toHaveLength(0); // compacted on unload
    const c = await connectSynced(server.wsUrl, id);
    expect(readNotes(c.doc).map((n) => n.id)).toEqual([added[0]!.id]);

    await server.rooms.withDoc(id, (doc) => addNotes(doc, [{ trackId: added[0]!.trackId, pitch: 69, start: 960, duration: 480, velocity: 90 }]), { flush: true });
    await waitFor(() => readNotes(c.doc).length === 2, 10_000, 'connected client to receive the server edit');
    c.destroy();
  });

  it('rejects withDoc on an unknown session and does not create a room', async () => {
    await expect(server.rooms.withDoc('AAAAAAAAAAAAAAAAAAAAAA', () => 1)).rejects.toBeInstanceOf(SessionNotFoundError);
    expect(server.rooms.has('AAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });

  it('batches a burst of edits into a few appended rows', async () => {
    const id = await createSession(server.url);
    const c = await connectSynced(server.wsUrl, id);
    const trackId = readTracks(c.doc)[0]!.id;
    for (let i = 0; i < 100; i++) addNotes(c.doc, [{ trackId, pitch: 60, start: i * 120, duration: 120, velocity: 80 }]);
    await waitFor(() => readNotes(server.rooms.peek(id)!.doc).length === 100, 10_000, 'server to receive the burst');
    await server.rooms.peek(id)!.persister.flush();
    const stored = await server.rooms.store.loadDoc(id);
    expect(stored!.updates.length).toBeGreaterThan(0);
    expect(stored!.updates.length).toBeLessThan(10); // 100 edits in well under a second: a few batches
    c.destroy();
  });

  it('compacts the log into a snapshot after compactEvery appended rows; loading = snapshot + later rows', async () => {
    const id = await createSession(server.url);
    const store = server.rooms.store;
    const persister = new Persister(store, id, { batchMs: 5, compactEvery: 3 });
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await store.loadDoc(id))!.snapshot!);
    doc.on('update', (u: Uint8Array) => persister.push(u));
    const trackId = readTracks(doc)[0]!.id;
    for (let i = 0; i < 2; i++) {
      addNotes(doc, [{ trackId, pitch: 60 + i, start: i * 480, duration: 480, velocity: 90 }]);
      await persister.flush();
    }
    expect((await store.loadDoc(id))!.updates).toHaveLength(2);
    addNotes(doc, [{ trackId, pitch: 70, start: 2000, duration: 480, velocity: 90 }]);
    await persister.flush(); // third row: triggers compaction in the background
    await waitFor(() => !persister.dirty, 10_000, 'compaction');
    const compacted = (await store.loadDoc(id))!;
    expect(compacted.updates).toHaveLength(0);
    addNotes(doc, [{ trackId, pitch: 72, start: 3000, duration: 480, velocity: 90 }]);
    await persister.flush();
    const loaded = (await store.loadDoc(id))!;
    expect(loaded.updates).toHaveLength(1);
    const replay = new Y.Doc();
    Y.applyUpdate(replay, loaded.snapshot!);
    for (const u of loaded.updates) Y.applyUpdate(replay, u);
    expect(readNotes(replay)).toEqual(readNotes(doc));
    persister.dispose();
  });
});
