// Fairness between sessions (server/sync/rate-limit.ts TimeBudget): a session whose participants
// send more than its apply-time budget has its sockets paused instead of being served at everyone
// else's expense. Pausing must lose nothing and keep order: every frame a throttled flooder sent
// is applied, and another session's edits keep arriving meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes, notesMap, readNotes, readTracks, type NoteData } from '@/lib/score';
import { TimeBudget } from '@/server/sync/rate-limit';
import { createSession, startInProcessServer } from '../helpers/server';
import { connectSynced, openRaw, waitFor, type Client, updateFrame } from './sync-helpers';

type Server = Awaited<ReturnType<typeof startInProcessServer>>;


describe('TimeBudget', () => {
  it('lets a burst through, then asks for the debt to be paid back at the rate', () => {
    let t = 0;
    const b = new TimeBudget(100, 100, () => t); // 100 ms per second, 100 ms burst
    expect(b.waitMs()).toBe(0);
    b.spend(300); // one long message is finished even past the balance: debt 200 ms
    expect(b.waitMs()).toBe(2001);
    t = 1000;
    expect(b.waitMs()).toBe(1001);
    t = 2001;
    expect(b.waitMs()).toBe(0);
    t = 100_000;
    b.spend(50);
    expect(b.waitMs()).toBe(0); // refilled to the burst, never beyond
    b.spend(60);
    expect(b.waitMs()).toBeGreaterThan(0);
  });
});

describe('apply-time budget per session', () => {
  let server: Server;
  let a1: Client;
  let a2: Client;

  beforeAll(async () => {
    // A small budget so a modest flood is throttled for seconds.
    server = await startInProcessServer({ roomApplyMsPerSecond: 20 });
    const roomA = await createSession(server.url);
    a1 = await connectSynced(server.wsUrl, roomA);
    a2 = await connectSynced(server.wsUrl, roomA);
  });
  afterAll(async () => {
    a1?.destroy();
    a2?.destroy();
    await server?.close();
  });

  it('pauses a flooding session without losing or reordering its frames, while another session is served', async () => {
    const roomB = await createSession(server.url);
    const flooder = await openRaw(server.wsUrl, roomB);
    // 30 frames, each adding 100 notes from a fresh client, then one that edits a note of the last frame
    // (so it only applies if the frames before it were applied in order).
    const FRAMES = 30;
    const frames: Uint8Array[] = [];
    let last: Y.Doc | null = null;
    for (let f = 0; f < FRAMES; f++) {
      const d = new Y.Doc();
      const ups: Uint8Array[] = [];
      d.on('update', (u: Uint8Array) => ups.push(u));
      addNotes(d, Array.from({ length: 100 }, (_, i): NoteData => ({ trackId: 'flood' as NoteData['trackId'], pitch: 40 + (i % 40), start: (f * 100 + i) * 60, duration: 60, velocity: 64 })));
      frames.push(updateFrame(Y.mergeUpdates(ups)));
      last = d;
    }
    const ups: Uint8Array[] = [];
    last!.on('update', (u: Uint8Array) => ups.push(u));
    const firstId = [...notesMap(last!).keys()][0]!;
    notesMap(last!).get(firstId)!.set('velocity', 127);
    frames.push(updateFrame(Y.mergeUpdates(ups)));
    for (const f of frames) flooder.ws.send(f);

    // Session A is served while B works through its backlog.
    const trackA = readTracks(a1.doc)[0]!.id;
    for (let k = 0; k < 5; k++) {
      addNotes(a1.doc, [{ trackId: trackA, pitch: 60 + k, start: k * 480, duration: 480, velocity: 90 }]);
      await waitFor(() => readNotes(a2.doc).length === k + 1, 30_000, `session A's edit ${k} to arrive`);
    }
    // ...and B was still being throttled then: its backlog (seconds of apply time at 20 ms/s) is not done.
    expect(notesMap(server.rooms.peek(roomB)!.doc).size).toBeLessThan(FRAMES * 100);

    // Nothing of B's flood is lost or applied out of order, and the flooder was never closed.
    const doc = () => server.rooms.peek(roomB)!.doc;
    await waitFor(() => notesMap(doc()).size === FRAMES * 100, 120_000, 'every flood frame to be applied');
    await waitFor(() => notesMap(doc()).get(firstId)?.get('velocity') === 127, 30_000, 'the last frame to apply after the ones it depends on');
    expect(flooder.ws.readyState).toBe(flooder.ws.OPEN);
    flooder.ws.close();
  }, 180_000);
});
