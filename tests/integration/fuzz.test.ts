// Fuzz as a test (issue 11): 10,000 mutated frames (seeded) against one room. The seeds are real
// frames — sync step 1 and 2, document updates (new notes, edits and deletes of existing ones,
// tracks, meta) and presence — mutated by bit flips, truncation, splices of two frames, random
// overwrites and insertions, and pure noise. Each frame is followed by a query-awareness probe on
// the same socket, so we know the server processed it (a reply) or refused it (a close).
// Asserts: 0 crashes (no internal error, no unhandled rejection, the server still serves), a
// client connected throughout still converges on a valid edit, and nothing invalid is persisted:
// the session reloaded from the database into a fresh Y.Doc has only valid entries in every
// top-level type. Runs on PostgreSQL: nearly every bad frame costs a reconnect, and each connect
// checks its link token in the database, which the embedded one serialises.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import WebSocket from 'ws';
import { addNotes, addTrack, deleteNotes, findInvalidEntries, readNotes, readScore, readTracks, setMeta, updateNotes, type NoteData, type NoteId } from '@/lib/score';
import { createSession, editTokenFor, startInProcessServer } from '../helpers/server';
import { connectSynced, craft, docFromRows, pgSchemaUrl, requirePostgres, waitFor, withTimeout, type Client } from './sync-helpers';

const FRAMES = 10_000;
const SEED = 20261130;
const WORKERS = 16;

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syncFrame(syncType: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, syncType);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

function awarenessFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

const QUERY = new Uint8Array([3]);

/** Real frames a y-websocket client sends, against the session's current state. */
function seedFrames(base: Y.Doc, rand: () => number): Uint8Array[] {
  const trackId = readTracks(base)[0]!.id;
  const ids = readNotes(base).map((n) => n.id);
  const pick = () => ids[Math.floor(rand() * ids.length)]! as NoteId;
  const note = (i: number): NoteData => ({ trackId, pitch: 40 + (i % 50), start: i * 60, duration: 60 + (i % 7) * 60, velocity: 30 + (i % 90) });
  const out: Uint8Array[] = [syncFrame(0, Y.encodeStateVector(base)), syncFrame(0, Y.encodeStateVector(new Y.Doc())), QUERY];
  for (let i = 0; i < 60; i++) {
    const edits: ((d: Y.Doc) => void)[] = [
      (d) => addNotes(d, [note(i), note(i + 1)]),
      (d) => updateNotes(d, { [pick()]: { pitch: 30 + i, start: i * 10 } }),
      (d) => updateNotes(d, { [pick()]: { duration: 1 + i, velocity: 1 + i } }),
      (d) => deleteNotes(d, [pick()]),
      (d) => addTrack(d, { name: `T${i}` }),
      (d) => setMeta(d, { bpm: 60 + i, title: `fuzz ${i}` }),
    ];
    const update = craft(base, edits[i % edits.length]!);
    out.push(syncFrame(2, update), syncFrame(1, update));
  }
  const aw = new Awareness(new Y.Doc());
  aw.setLocalState({ user: { name: 'fuzz', color: '#ff8800' }, cursor: { tick: 480, pitch: 60 }, selection: ids.slice(0, 3), keys: [60, 64] });
  out.push(awarenessFrame(encodeAwarenessUpdate(aw, [aw.clientID])));
  aw.setLocalState(null);
  out.push(awarenessFrame(encodeAwarenessUpdate(aw, [aw.clientID])));
  aw.destroy();
  return out;
}

function mutate(seeds: Uint8Array[], rand: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  const src = seeds[int(seeds.length)]!;
  let f = src.slice();
  const ops = 1 + int(3);
  for (let k = 0; k < ops; k++) {
    switch (int(7)) {
      case 0: // bit flips
        for (let j = 1 + int(4); j > 0 && f.length > 0; j--) f[int(f.length)]! ^= 1 << int(8);
        break;
      case 1: // truncate
        f = f.subarray(0, int(f.length + 1)).slice();
        break;
      case 2: {
        // splice the head of this frame onto the tail of another
        const other = seeds[int(seeds.length)]!;
        f = new Uint8Array([...f.subarray(0, int(f.length + 1)), ...other.subarray(int(other.length + 1))]);
        break;
      }
      case 3: // overwrite a run with random bytes
        for (let j = 0, at = int(f.length + 1), n = 1 + int(8); j < n && at + j < f.length; j++) f[at + j] = int(256);
        break;
      case 4: {
        // insert random bytes
        const at = int(f.length + 1);
        const ins = Uint8Array.from({ length: 1 + int(6) }, () => int(256));
        f = new Uint8Array([...f.subarray(0, at), ...ins, ...f.subarray(at)]);
        break;
      }
      case 5: // boundary values (varint lengths, clocks, type bytes)
        if (f.length > 0) f[int(f.length)] = [0, 1, 0x7f, 0x80, 0xff][int(5)]!;
        break;
      default: // noise
        f = Uint8Array.from({ length: int(64) }, () => int(256));
    }
  }
  return f;
}

describe('fuzz: mutated frames against one room', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;
  let id: string;
  let a: Client;
  let b: Client;
  const internalErrors: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  const pg = pgSchemaUrl('tutti_fuzz');

  beforeAll(async () => {
    await requirePostgres();
    process.on('unhandledRejection', onUnhandled);
    server = await startInProcessServer({
      databaseUrl: pg.url,
      maxMessagesPerSecond: 1_000_000,
      messageBurst: 1_000_000,
      log: (msg, err) => void (err && internalErrors.push(`${msg}: ${(err as Error)?.message ?? err}`)),
    });
    id = await createSession(server.url);
    a = await connectSynced(server.wsUrl, id);
    b = await connectSynced(server.wsUrl, id);
    const trackId = readTracks(a.doc)[0]!.id;
    addNotes(a.doc, Array.from({ length: 40 }, (_, i) => ({ trackId, pitch: 60 + (i % 12), start: i * 240, duration: 240, velocity: 80 })));
    await waitFor(() => readNotes(b.doc).length === 40 && readNotes(server.rooms.peek(id)!.doc).length === 40, 10_000, 'the seed notes');
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    a?.destroy();
    b?.destroy();
    await server?.close();
    await pg.drop();
  });

  it(`survives ${FRAMES} mutated frames; nothing invalid reaches peers or the database`, async () => {
    const rand = prng(SEED);
    const seeds = seedFrames(server.rooms.peek(id)!.doc, rand);
    const frames = Array.from({ length: FRAMES }, () => mutate(seeds, rand));
    const closes = new Map<number, number>();
    let processed = 0;
    let next = 0;

    /** One socket at a time: send a frame and the probe; on a reply go on, on a close reconnect. */
    async function worker(): Promise<void> {
      let ws: WebSocket | null = null;
      let waiter: ((r: 'reply' | 'closed') => void) | null = null;
      const open = async () => {
        const sock = new WebSocket(`${server.wsUrl}/${id}?token=${encodeURIComponent(editTokenFor(id)!)}`);
        sock.on('message', (d) => {
          const bytes = new Uint8Array(d as Buffer);
          if (bytes[0] === 1) waiter?.('reply'); // the probe's awareness answer
        });
        sock.on('close', (code) => {
          closes.set(code, (closes.get(code) ?? 0) + 1);
          waiter?.('closed');
          if (ws === sock) ws = null;
        });
        await new Promise<void>((resolve, reject) => {
          sock.once('open', () => resolve());
          sock.once('error', reject);
        });
        ws = sock;
      };
      while (next < frames.length) {
        const frame = frames[next++]!;
        if (!ws) await open();
        const result = new Promise<'reply' | 'closed'>((resolve) => (waiter = resolve));
        ws!.send(frame);
        ws!.send(QUERY);
        const r = await withTimeout(result, 20_000, 'the server to answer the probe or close');
        waiter = null;
        processed++;
        void r; // either way the frame was handled; a closed socket is reopened for the next one
      }
      (ws as WebSocket | null)?.close();
    }
    await Promise.all(Array.from({ length: WORKERS }, () => worker()));

    // The server still serves, and the client connected all along converges on a valid edit.
    expect((await fetch(`${server.url}/api/sessions/${id}`)).status).toBeLessThan(500);
    const trackId = readTracks(a.doc)[0]!.id;
    const [edit] = addNotes(a.doc, [{ trackId, pitch: 72, start: 123_456, duration: 480, velocity: 99 }]);
    await waitFor(() => readNotes(b.doc).some((n) => n.id === edit!.id), 20_000, 'b to receive a valid edit after the fuzzing');
    await waitFor(() => JSON.stringify(readScore(a.doc)) === JSON.stringify(readScore(b.doc)), 20_000, 'a and b to converge');
    expect(findInvalidEntries(b.doc)).toEqual([]);
    const late = await connectSynced(server.wsUrl, id);
    expect(findInvalidEntries(late.doc)).toEqual([]);
    late.destroy();

    await server.rooms.peek(id)!.persister.flush();
    const stored = docFromRows((await server.rooms.store.loadDoc(id))!);
    const invalid = findInvalidEntries(stored);
    const crashes = internalErrors.length + unhandled.length;
    const closed = [...closes.values()].reduce((x, y) => x + y, 0);
    console.log(
      `[fuzz] frames ${processed}, crashes ${crashes}, invalid entries persisted ${invalid.length}; ` +
        `connections closed by code ${JSON.stringify(Object.fromEntries(closes))} (${closed}), ` +
        `stored notes ${readNotes(stored).length}, tracks ${readTracks(stored).length}`,
    );
    expect(processed).toBe(FRAMES);
    expect(closes.get(4401) ?? 0).toBe(0); // every frame reached the room (the link token was right)
    expect(internalErrors).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(invalid).toEqual([]);
    expect(readScore(stored).notes.length).toBe(readNotes(a.doc).length);
  });
});
