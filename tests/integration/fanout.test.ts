// The coalesced fan-out (server/sync/fanout.ts) and backpressure (server/sync/connection.ts):
// updates merged per tick still reach every client complete and in causal order, and a socket
// that stops reading is closed (1013) while the others keep receiving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Socket } from 'node:net';
import { addNotes, readNotes, readTracks } from '@/lib/score';
import { createSession, startInProcessServer } from '../helpers/server';
import { connectSynced, openRaw, waitFor, type Client } from './sync-helpers';

const step1 = (): Uint8Array => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
  return encoding.toUint8Array(e);
};

/** The Yjs update in a sync frame (step 2 or update), or null for anything else. */
const updateOf = (frame: Uint8Array): { type: number; update: Uint8Array } | null => {
  const d = decoding.createDecoder(frame);
  if (decoding.readVarUint(d) !== 0) return null;
  const type = decoding.readVarUint(d);
  return type === 1 || type === 2 ? { type, update: decoding.readVarUint8Array(d) } : null;
};

describe('coalesced fan-out', () => {
  let server: Awaited<ReturnType<typeof startInProcessServer>>;
  const clients: Client[] = [];
  beforeAll(async () => {
    // A generous apply budget: the 20,000-note setup below must not be throttled on a loaded machine.
    server = await startInProcessServer({ sendBufferBytes: 64 * 1024, sendBufferGraceMs: 300, roomApplyMsPerSecond: 5000 });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
  });

  it('merges a burst into fewer frames, in causal order, and every client converges', async () => {
    const id = await createSession(server.url);
    const N = 6;
    for (let i = 0; i < N; i++) clients.push(await connectSynced(server.wsUrl, id));
    const raw = await openRaw(server.wsUrl, id);
    raw.ws.send(step1());
    await waitFor(() => raw.messages.some((m) => updateOf(m)?.type === 1), 10_000, 'the raw socket to get step 2');
    const trackId = readTracks(clients[0]!.doc)[0]!.id;
    const before = raw.messages.length;

    // Each client sends 40 separate updates at once (40 frames each, 240 in all).
    const PER = 40;
    for (const [k, c] of clients.entries())
      for (let i = 0; i < PER; i++) addNotes(c.doc, [{ trackId, pitch: 40 + k, start: i * 120, duration: 120, velocity: 90 }]);
    const total = N * PER;
    await waitFor(() => clients.every((c) => readNotes(c.doc).length === total), 20_000, 'every client to see every note');
    const notesOf = (c: Client) => JSON.stringify(readNotes(c.doc).map((n) => [n.id, n.pitch, n.start]).sort());
    for (const c of clients) expect(notesOf(c)).toBe(notesOf(clients[0]!));

    // The raw socket applies what it got, frame by frame: never a struct whose predecessor is
    // missing (pendingStructs stays empty), and the full set at the end.
    await waitFor(() => {
      const d = new Y.Doc();
      for (const m of raw.messages) {
        const u = updateOf(m);
        if (u) Y.applyUpdate(d, u.update);
      }
      return readNotes(d).length === total;
    }, 10_000, 'the raw socket to receive every note');
    const doc = new Y.Doc();
    let frames = 0;
    for (const m of raw.messages) {
      const u = updateOf(m);
      if (!u) continue;
      Y.applyUpdate(doc, u.update);
      expect(doc.store.pendingStructs).toBeNull();
      if (raw.messages.indexOf(m) >= before) frames++;
    }
    expect(readNotes(doc).length).toBe(total);
    // Coalescing: the 240 updates arrived in fewer frames than updates.
    expect(frames).toBeLessThan(total);
    raw.ws.close();
  });

  it('closes a socket that stops reading (1013) while the others keep receiving', async () => {
    const id = await createSession(server.url);
    const writer = await connectSynced(server.wsUrl, id);
    const reader = await connectSynced(server.wsUrl, id);
    clients.push(writer, reader);
    const trackId = readTracks(writer.doc)[0]!.id;
    // A session of ~1.5 MB, so a few full-state answers outgrow any socket buffer.
    for (let i = 0; i < 10; i++)
      addNotes(writer.doc, Array.from({ length: 2000 }, (_, j) => ({ trackId, pitch: 30 + (j % 60), start: (i * 2000 + j) * 60, duration: 60, velocity: 80 })));
    await waitFor(() => readNotes(reader.doc).length === 20_000, 120_000, 'the reader to sync 20,000 notes');
    const room = server.rooms.peek(id)!;

    const slow = await openRaw(server.wsUrl, id);
    await waitFor(() => room.peers.size === 3, 5000, 'the slow socket to join');
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    for (let i = 0; i < 12; i++) slow.ws.send(step1());
    // Meanwhile edits keep flowing to the reader.
    let n = 0;
    const edits = setInterval(() => addNotes(writer.doc, [{ trackId, pitch: 90, start: 2_000_000 + n++ * 60, duration: 60, velocity: 80 }]), 50);
    try {
      await waitFor(() => room.peers.size === 2, 10_000, 'the slow socket to be closed');
      const before = readNotes(reader.doc).length;
      await waitFor(() => readNotes(reader.doc).length >= before + 5, 5000, 'the reader to keep receiving');
    } finally {
      clearInterval(edits);
    }
    await waitFor(() => readNotes(reader.doc).length === readNotes(writer.doc).length, 5000, 'the reader to converge');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/tutti_rejected_total\{code="1013",reason="tryAgainLater"\} [1-9]/);
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
  });

  it('keeps a socket the apply budget paused, although it cannot answer pings meanwhile', async () => {
    // Pings every 200 ms and a tiny budget: the flood below keeps the socket paused for seconds.
    const s = await startInProcessServer({ pingIntervalMs: 200, roomApplyMsPerSecond: 100 });
    try {
      const id = await createSession(s.url);
      const flooder = await openRaw(s.wsUrl, id);
      for (let f = 0; f < 10; f++) {
        const d = new Y.Doc();
        const ups: Uint8Array[] = [];
        d.on('update', (u: Uint8Array) => ups.push(u));
        addNotes(d, Array.from({ length: 20 }, (_, i) => ({ trackId: 'flood' as never, pitch: 40 + (i % 40), start: (f * 20 + i) * 60, duration: 60, velocity: 64 })));
        const e = encoding.createEncoder();
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint8Array(e, Y.mergeUpdates(ups));
        flooder.ws.send(encoding.toUint8Array(e));
      }
      let code: number | null = null;
      void flooder.closed.then((c) => (code = c.code));
      await waitFor(() => code !== null || (s.rooms.peek(id) !== undefined && s.rooms.peek(id)!.doc.getMap('notes').size === 200), 60_000, 'every flood frame to be applied');
      expect(code).toBeNull();
      flooder.ws.close();
    } finally {
      await s.close();
    }
  });

  it('applies the edits a client sent before leaving, even those the apply budget held back', async () => {
    const s = await startInProcessServer({ roomApplyMsPerSecond: 30 });
    try {
      const id = await createSession(s.url);
      const raw = await openRaw(s.wsUrl, id);
      for (let f = 0; f < 10; f++) {
        const d = new Y.Doc();
        const ups: Uint8Array[] = [];
        d.on('update', (u: Uint8Array) => ups.push(u));
        addNotes(d, Array.from({ length: 20 }, (_, i) => ({ trackId: 'gone' as never, pitch: 40 + (i % 40), start: (f * 20 + i) * 60, duration: 60, velocity: 64 })));
        const e = encoding.createEncoder();
        encoding.writeVarUint(e, 0);
        encoding.writeVarUint(e, 2);
        encoding.writeVarUint8Array(e, Y.mergeUpdates(ups));
        raw.ws.send(encoding.toUint8Array(e));
      }
      raw.ws.close(); // right away: most frames are still waiting for the budget
      await raw.closed;
      const later = await connectSynced(s.wsUrl, id);
      clients.push(later);
      await waitFor(() => later.doc.getMap('notes').size === 200, 60_000, 'all 200 notes to be applied');
    } finally {
      await s.close();
    }
  });
});
