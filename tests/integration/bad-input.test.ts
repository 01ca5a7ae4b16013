// Bad input on the sync endpoint: each bad frame closes only the connection that sent it, with
// a code and a reason; the document is unchanged, other clients keep working, the server keeps
// running. Also: unknown and malformed session ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { addNotes, readNotes, readTracks } from '@/lib/score';
import { createSession, editTokenFor, startInProcessServer } from '../helpers/server';
import { connectSynced, openRaw, waitFor, withTimeout, type Client } from './sync-helpers';

const LIMIT = 32 * 1024;

/** A sync-update frame (type 0, sync type 2) carrying `update`. */
function updateFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** A valid update adding `n` notes, made on a scratch doc that shares the session's state. */
function notesUpdate(base: Y.Doc, n: number): Uint8Array {
  const scratch = new Y.Doc();
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(base));
  const sv = Y.encodeStateVector(scratch);
  const trackId = readTracks(scratch)[0]!.id;
  addNotes(scratch, Array.from({ length: n }, (_, i) => ({ trackId, pitch: 60 + (i % 12), start: i * 120, duration: 120, velocity: 90 })));
  return Y.encodeStateAsUpdate(scratch, sv);
}

describe('bad input on /sync', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;
  let id: string;
  let a: Client;
  let b: Client;

  beforeAll(async () => {
    server = await startInProcessServer({ maxMessageBytes: LIMIT });
    id = await createSession(server.url);
    a = await connectSynced(server.wsUrl, id);
    b = await connectSynced(server.wsUrl, id);
    const trackId = readTracks(a.doc)[0]!.id;
    addNotes(a.doc, [{ trackId, pitch: 64, start: 0, duration: 480, velocity: 100 }]);
    await waitFor(() => readNotes(server.rooms.peek(id)!.doc).length === 1 && readNotes(b.doc).length === 1, 10_000, 'initial note');
  });
  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    await server?.close();
  });

  const serverState = () => Y.encodeStateAsUpdate(server.rooms.peek(id)!.doc);

  /** Sends `frame` on a raw socket; returns the close event; checks the doc and the others are fine. */
  async function rejects(frame: Uint8Array | string, expectCode: number, reason: RegExp) {
    const before = serverState();
    const raw = await openRaw(server.wsUrl, id);
    raw.ws.send(frame);
    const closed = await withTimeout(raw.closed, 10_000, 'server to close the bad connection');
    expect(closed.code).toBe(expectCode);
    expect(closed.reason).toMatch(reason);
    expect(serverState()).toEqual(before);

    // The process is alive and the other clients still edit together.
    const trackId = readTracks(a.doc)[0]!.id;
    const n = readNotes(b.doc).length;
    addNotes(a.doc, [{ trackId, pitch: 70, start: 960 * n, duration: 120, velocity: 80 }]);
    await waitFor(() => readNotes(b.doc).length === n + 1, 10_000, 'b to receive a’s next edit');
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);
    expect((await fetch(`${server.url}/api/sessions/${id}`, { headers: { authorization: `Bearer ${editTokenFor(id)}` } })).status).toBe(200);
  }

  it('closes on garbage binary frames', async () => {
    await rejects(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x42, 0x13, 0x37]), 4400, /unknown message type|malformed/);
    await rejects(new Uint8Array([0, 2, 5, 0xde, 0xad, 0xbe, 0xef, 0x01]), 4400, /malformed update/);
  });

  it('closes on truncated sync messages', async () => {
    const full = updateFrame(notesUpdate(server.rooms.peek(id)!.doc, 3));
    await rejects(full.subarray(0, Math.floor(full.length / 2)), 4400, /malformed/);
    await rejects(new Uint8Array([0]), 4400, /malformed/); // sync type missing
  });

  it('closes on unknown message and sync types, text frames and trailing bytes', async () => {
    await rejects(new Uint8Array([7, 0, 0]), 4400, /unknown message type 7/);
    await rejects(new Uint8Array([0, 9, 0]), 4400, /unknown sync message type 9/);
    await rejects('hello', 4400, /text frames/);
    const full = updateFrame(notesUpdate(server.rooms.peek(id)!.doc, 1));
    await rejects(new Uint8Array([...full, 1, 2, 3]), 4400, /trailing bytes/);
  });

  it('closes on malformed awareness updates', async () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    const inner = encoding.createEncoder();
    encoding.writeVarUint(inner, 1);
    encoding.writeVarUint(inner, 1234);
    encoding.writeVarUint(inner, 1);
    encoding.writeVarString(inner, '{not json');
    encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
    await rejects(encoding.toUint8Array(e), 4400, /awareness/);
  });

  it('closes with 1009 on an update over the size limit, and keeps the document unchanged', async () => {
    const big = updateFrame(notesUpdate(server.rooms.peek(id)!.doc, 2000));
    expect(big.length).toBeGreaterThan(LIMIT);
    await rejects(big, 1009, /exceeds the limit/);
    // The same kind of update under the limit is accepted (the limit, not the content, refused it).
    const small = updateFrame(notesUpdate(server.rooms.peek(id)!.doc, 5));
    const raw = await openRaw(server.wsUrl, id);
    const n = readNotes(b.doc).length;
    raw.ws.send(small);
    await waitFor(() => readNotes(b.doc).length === n + 5, 10_000, 'the small update to reach b');
    raw.ws.close();
  });

  it('closes sockets for unknown or malformed session ids with 4404', async () => {
    const unknown = await openRaw(server.wsUrl, 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(await withTimeout(unknown.closed, 10_000, 'close')).toEqual({ code: 4404, reason: 'unknown session AAAAAAAAAAAAAAAAAAAAAA' });
    const bad = await openRaw(server.wsUrl, 'no%20such');
    expect((await withTimeout(bad.closed, 10_000, 'close')).code).toBe(4404);
    expect(server.rooms.has('AAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });
});
