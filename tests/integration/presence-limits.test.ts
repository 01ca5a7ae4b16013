// Presence and connection limits on /sync, against the real server process (server/main.ts, API
// only): a hostile presence state — too deep, too big, off-schema, or set on someone else's client
// id — is refused with a clear close and reaches nobody; the server keeps serving and a new
// joiner still gets everyone's presence. A message flood is closed with the rate reason; the
// connection after the per-session cap gets the "session is full" reason.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { addNotes, readNotes, readTracks } from '@/lib/score';
import { createSession, startTestServer, type TestServer } from '../helpers/server';
import { connectSynced, openRaw, waitFor, withTimeout, type Client, type RawSocket } from './sync-helpers';

interface Entry {
  clientId: number;
  clock: number;
  json: string;
}

/** An awareness frame (type 1) carrying the given entries exactly as written. */
function awarenessFrame(entries: Entry[]): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(inner, e.clientId);
    encoding.writeVarUint(inner, e.clock);
    encoding.writeVarString(inner, e.json);
  }
  const outer = encoding.createEncoder();
  encoding.writeVarUint(outer, 1);
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
  return encoding.toUint8Array(outer);
}

/** The awareness entries a raw socket has received so far (state JSON kept as text). */
function receivedPresence(raw: RawSocket): Entry[] {
  const out: Entry[] = [];
  for (const m of raw.messages) {
    const d = decoding.createDecoder(m);
    if (decoding.readVarUint(d) !== 1) continue;
    const u = decoding.createDecoder(decoding.readVarUint8Array(d));
    const n = decoding.readVarUint(u);
    for (let i = 0; i < n; i++) out.push({ clientId: decoding.readVarUint(u), clock: decoding.readVarUint(u), json: decoding.readVarString(u) });
  }
  return out;
}

const nameOf = (c: Client, clientId: number) => (c.provider.awareness.getStates().get(clientId) as { user?: { name?: string } } | undefined)?.user?.name;
const clockOf = (c: Client) => c.provider.awareness.meta.get(c.doc.clientID)!.clock;
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Two named participants on a fresh session, both seeing each other. */
async function twoPeople(server: TestServer): Promise<{ id: string; ada: Client; bob: Client }> {
  const id = await createSession(server.url);
  const ada = await connectSynced(server.wsUrl, id);
  const bob = await connectSynced(server.wsUrl, id);
  ada.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#e4572e' });
  bob.provider.awareness.setLocalStateField('user', { name: 'Bob', color: '#22d3ee' });
  await waitFor(() => nameOf(ada, bob.doc.clientID) === 'Bob' && nameOf(bob, ada.doc.clientID) === 'Ada', 10_000, 'Ada and Bob to see each other');
  return { id, ada, bob };
}

/** The server is alive, Ada's edit reaches Bob, and a new joiner sees both names. */
async function stillServing(server: TestServer, id: string, ada: Client, bob: Client): Promise<void> {
  expect(server.child.exitCode).toBeNull();
  const trackId = readTracks(ada.doc)[0]!.id;
  const n = readNotes(bob.doc).length;
  addNotes(ada.doc, [{ trackId, pitch: 60, start: 480 * n, duration: 240, velocity: 90 }]);
  await waitFor(() => readNotes(bob.doc).length === n + 1, 10_000, 'Bob to receive Ada’s edit');
  const carol = await connectSynced(server.wsUrl, id);
  try {
    await waitFor(() => nameOf(carol, ada.doc.clientID) === 'Ada' && nameOf(carol, bob.doc.clientID) === 'Bob', 10_000, 'a new joiner to see Ada and Bob');
  } finally {
    carol.destroy();
  }
}

describe('presence is validated', () => {
  let server: TestServer;
  const clients: Client[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await server?.stop();
  });

  it('refuses a deeply nested state spoofed onto another client’s id; the server keeps serving and a new joiner gets everyone’s presence', async () => {
    const { id, ada, bob } = await twoPeople(server);
    clients.push(ada, bob);
    const closes: { code: number; reason: string }[] = [];
    for (const depth of [100_000, 2_000]) {
      const raw = await openRaw(server.wsUrl, id);
      raw.ws.send(awarenessFrame([{ clientId: ada.doc.clientID, clock: clockOf(ada) + 1, json: '['.repeat(depth) + ']'.repeat(depth) }]));
      closes.push(await withTimeout(raw.closed, 10_000, 'the attacker to be closed'));
    }
    await stillServing(server, id, ada, bob);
    expect(nameOf(bob, ada.doc.clientID)).toBe('Ada');
    expect(closes[0]).toEqual({ code: 4400, reason: 'presence state of 200000 bytes exceeds the limit of 4096' });
    expect(closes[1]).toEqual({ code: 4400, reason: 'presence state nested deeper than 8 levels' });
  });

  it('never applies a valid state set on another client’s id, and binds a connection to its own', async () => {
    const { id, ada, bob } = await twoPeople(server);
    clients.push(ada, bob);
    const raw = await openRaw(server.wsUrl, id);
    const eve = 0x7fff_0001;
    // A well-formed spoof first, then the raw client's own state: frames are handled in order,
    // so once Bob sees Eve, the spoof has been dealt with.
    raw.ws.send(awarenessFrame([{ clientId: ada.doc.clientID, clock: clockOf(ada) + 100, json: JSON.stringify({ user: { name: 'Mallory' } }) }]));
    raw.ws.send(awarenessFrame([{ clientId: eve, clock: 1, json: JSON.stringify({ user: { name: 'Eve' } }) }]));
    await waitFor(() => nameOf(bob, eve) === 'Eve', 10_000, 'Bob to see Eve');
    // Bound to Eve now: Ada's id stays out of reach, in the same frame as Eve's own entry too.
    raw.ws.send(
      awarenessFrame([
        { clientId: ada.doc.clientID, clock: clockOf(ada) + 200, json: 'null' },
        { clientId: eve, clock: 2, json: JSON.stringify({ user: { name: 'Eve 2' } }) },
      ]),
    );
    await waitFor(() => nameOf(bob, eve) === 'Eve 2', 10_000, 'Bob to see Eve’s update');
    expect(nameOf(bob, ada.doc.clientID)).toBe('Ada');
    // Removing its own state is fine.
    raw.ws.send(awarenessFrame([{ clientId: eve, clock: 3, json: 'null' }]));
    await waitFor(() => !bob.provider.awareness.getStates().has(eve), 10_000, 'Eve’s removal to reach Bob');
    expect(nameOf(bob, ada.doc.clientID)).toBe('Ada');
    raw.ws.close();
    await stillServing(server, id, ada, bob);
  });

  it('refuses an oversized or off-schema state with a clear reason', async () => {
    const { id, ada, bob } = await twoPeople(server);
    clients.push(ada, bob);
    const cases: [string, RegExp][] = [
      [JSON.stringify({ user: { name: 'Big' }, selection: Array.from({ length: 400 }, (_, i) => `note${String(i).padStart(8, '0')}`) }), /presence state of \d+ bytes exceeds the limit of 4096/],
      [JSON.stringify({ user: { name: 42 } }), /invalid presence state: user\.name/],
      [JSON.stringify({ user: { name: 'X' }, script: 'alert(1)' }), /invalid presence state/],
      [JSON.stringify([1, 2, 3]), /invalid presence state/],
    ];
    for (const [json, reason] of cases) {
      const raw = await openRaw(server.wsUrl, id);
      raw.ws.send(awarenessFrame([{ clientId: 0x7fff_0100, clock: 1, json }]));
      const closed = await withTimeout(raw.closed, 10_000, 'the sender to be closed');
      expect(closed.code).toBe(4400);
      expect(closed.reason).toMatch(reason);
    }
    await stillServing(server, id, ada, bob);
  });

  it('20 presence states of 5 MB each are refused and never reach a new joiner', async () => {
    const { id, ada, bob } = await twoPeople(server);
    clients.push(ada, bob);
    const rssBefore = rssMb(server.child.pid!);
    const sockets = await Promise.all(Array.from({ length: 20 }, () => openRaw(server.wsUrl, id)));
    const big = 'x'.repeat(5 * 1024 * 1024);
    sockets.forEach((raw, i) => raw.ws.send(awarenessFrame([{ clientId: 0x7ffe_0000 + i, clock: 1, json: JSON.stringify({ user: { name: big } }) }])));
    const closes = await Promise.all(sockets.map((raw) => withTimeout(raw.closed, 30_000, 'each big state to be refused')));
    for (const c of closes) {
      expect(c.code).toBe(4400);
      expect(c.reason).toMatch(/exceeds the limit of 4096/);
    }
    const joiner = await openRaw(server.wsUrl, id);
    await waitFor(() => receivedPresence(joiner).length >= 2, 10_000, 'the joiner to get the presence of those present');
    const got = receivedPresence(joiner);
    expect(new Set(got.map((e) => e.clientId))).toEqual(new Set([ada.doc.clientID, bob.doc.clientID]));
    expect(got.reduce((sum, e) => sum + e.json.length, 0)).toBeLessThan(2 * 4096);
    joiner.ws.close();
    await stillServing(server, id, ada, bob);
    // The figure for the closing note (not asserted: RSS depends on GC timing).
    console.log(`[presence-limits] server RSS ${rssBefore.toFixed(0)} MB before, ${rssMb(server.child.pid!).toFixed(0)} MB after 20 × 5 MB presence states`);
  });
});

describe('message rate and connections per session', () => {
  const RATE = 100;
  const BURST = 200;
  const CAP = 3;
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      env: { TUTTI_MAX_MESSAGES_PER_SECOND: String(RATE), TUTTI_MESSAGE_BURST: String(BURST), TUTTI_MAX_CONNECTIONS_PER_ROOM: String(CAP) },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('closes a flooding connection with the rate reason; the others and a normal resync are unaffected', async () => {
    const id = await createSession(server.url);
    const a = await connectSynced(server.wsUrl, id);
    const b = await connectSynced(server.wsUrl, id);
    try {
      const raw = await openRaw(server.wsUrl, id);
      const query = new Uint8Array([3]); // "send me everyone's presence": tiny, and answered every time
      for (let i = 0; i < 20 * BURST; i++) raw.ws.send(query);
      const closed = await withTimeout(raw.closed, 10_000, 'the flood to be closed');
      expect(closed.code).toBe(4429);
      expect(closed.reason).toMatch(new RegExp(`more than ${RATE} messages per second \\(burst ${BURST}\\)`));
      // A burst of edits within the limit goes through, and a reconnecting client resyncs.
      const trackId = readTracks(a.doc)[0]!.id;
      for (let i = 0; i < BURST / 4; i++) addNotes(a.doc, [{ trackId, pitch: 60 + (i % 12), start: 120 * i, duration: 120, velocity: 80 }]);
      await waitFor(() => readNotes(b.doc).length === BURST / 4, 10_000, 'b to receive a’s burst of edits');
      b.provider.disconnect();
      addNotes(a.doc, [{ trackId, pitch: 72, start: 0, duration: 120, velocity: 80 }]);
      b.provider.connect();
      await waitFor(() => b.provider.synced && readNotes(b.doc).length === BURST / 4 + 1, 10_000, 'b to resync after reconnecting');
      expect(a.provider.wsconnected).toBe(true);
      expect(server.child.exitCode).toBeNull();
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it(`refuses connection ${CAP + 1} to a session with “session is full”; other sessions and a freed seat still work`, async () => {
    const id = await createSession(server.url);
    const seated = await Promise.all(Array.from({ length: CAP }, () => connectSynced(server.wsUrl, id)));
    try {
      const extra = await openRaw(server.wsUrl, id);
      const closed = await withTimeout(extra.closed, 10_000, 'the extra connection to be refused');
      expect(closed).toEqual({ code: 4503, reason: `session is full: ${CAP} connections is the limit per session` });
      const other = await connectSynced(server.wsUrl, await createSession(server.url));
      other.destroy();
      seated.pop()!.destroy();
      // The server learns of the departure when the close handshake ends: retry until it has.
      let next: RawSocket | null = null;
      for (let attempt = 0; !next && attempt < 50; attempt++) {
        const r = await openRaw(server.wsUrl, id);
        const refused = r.closed.then(() => true);
        await waitFor(() => r.messages.length > 0 || r.ws.readyState !== r.ws.OPEN, 10_000, 'an answer to the next connection');
        if (r.messages.length > 0 && !(await Promise.race([refused, Promise.resolve(false)]))) next = r;
        else await refused;
      }
      expect(next, 'a seat freed by a departure is given to the next connection').not.toBeNull();
      next!.ws.close();
    } finally {
      seated.forEach((c) => c.destroy());
    }
  });
});
