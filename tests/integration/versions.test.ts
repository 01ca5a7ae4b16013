// Versions (issue 16) against a real server and real websocket clients, on the embedded database
// and on PostgreSQL: automatic checkpoints after activity and when the last person leaves, a named
// version round-trip, a bar-range restore that touches only those bars and reaches a second
// client, a fork independent of its parent, compaction keeping versions, and deletion removing
// them. Checkpoint timing is shrunk to milliseconds through the server's options.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNotes, deleteNotes, readNotes, readTracks, updateNotes, type Note, type TrackId } from '@/lib/score';
import { createSessionWithLinks, startInProcessServer, tempDataDir, type CreatedSession } from '../helpers/server';
import { VersionStore } from '@/server/versions/store';
import { scoreFromState } from '@/lib/score/versions';
import { connectSynced, pgSchemaUrl, requirePostgres, sleep, waitFor, type Client } from './sync-helpers';

type Server = Awaited<ReturnType<typeof startInProcessServer>>;

interface VersionRow {
  id: string;
  kind: 'auto' | 'named';
  name: string | null;
  authors: string[];
  noteCount: number;
}

const modes = [
  { name: 'embedded', setup: async () => ({ databaseUrl: undefined as string | undefined, cleanup: async () => {} }) },
  {
    name: 'postgres',
    setup: async () => {
      await requirePostgres();
      const s = pgSchemaUrl('tutti_versions');
      return { databaseUrl: s.url as string | undefined, cleanup: () => s.drop() };
    },
  },
];

const BAR = 1920; // 4/4 at 480 PPQ

/** Four notes in each of bars 1..4 on one track. */
const fourBars = (trackId: TrackId) =>
  Array.from({ length: 16 }, (_, i) => ({ trackId, pitch: 60 + (i % 4), start: Math.floor(i / 4) * BAR + (i % 4) * 480, duration: 240, velocity: 90 }));

const inBars = (notes: Note[], from: number, to: number) => notes.filter((n) => n.start >= (from - 1) * BAR && n.start < to * BAR);
const shape = (notes: Note[]) => notes.map((n) => `${n.trackId}:${n.pitch}:${n.start}:${n.duration}:${n.velocity}`).sort();

describe.each(modes)('versions ($name database)', (mode) => {
  let server: Server;
  let cleanup: () => Promise<void>;
  const clients: Client[] = [];

  const api = async <T,>(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
  };
  const list = async (s: CreatedSession) => (await api<{ versions: VersionRow[]; forkedFrom: { sessionId: string; versionId: string | null } | null }>('GET', `/api/sessions/${s.id}/versions`, s.viewToken)).body;
  const connect = async (id: string, token?: string) => {
    const c = await connectSynced(server.wsUrl, id, token);
    clients.push(c);
    return c;
  };
  const leave = (c: Client) => {
    c.destroy();
    clients.splice(clients.indexOf(c), 1);
  };

  beforeAll(async () => {
    const env = await mode.setup();
    cleanup = env.cleanup;
    server = await startInProcessServer({ dataDir: await tempDataDir(), databaseUrl: env.databaseUrl, batchMs: 20, unloadDelayMs: 100, versions: { afterMs: 300, minIntervalMs: 60_000 } });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    await cleanup?.();
  });

  it('checkpoints a stretch of edits, at most once per interval, and again when the last person leaves', async () => {
    const s = await createSessionWithLinks(server.url, 'Checkpoints');
    const a = await connect(s.id);
    a.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#123456' });
    const trackId = readTracks(a.doc)[0]!.id;
    addNotes(a.doc, fourBars(trackId));
    let versions: VersionRow[] = [];
    for (let i = 0; i < 100 && versions.length === 0; i++) {
      await sleep(100);
      versions = (await list(s)).versions;
    }
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ kind: 'auto', noteCount: 16, authors: ['Ada'] });
    // More edits within the interval (60 s): no second checkpoint while people are still here...
    addNotes(a.doc, [{ trackId, pitch: 72, start: 4 * BAR, duration: 480, velocity: 80 }]);
    await sleep(800);
    expect((await list(s)).versions).toHaveLength(1);
    // ...but one when the last person leaves (the room unloads).
    leave(a);
    for (let i = 0; i < 100 && versions.length < 2; i++) {
      await sleep(100);
      versions = (await list(s)).versions;
    }
    expect(versions.map((v) => v.noteCount)).toEqual([17, 16]);
  });

  it('round-trips a named version', async () => {
    const s = await createSessionWithLinks(server.url, 'Named');
    const a = await connect(s.id);
    const trackId = readTracks(a.doc)[0]!.id;
    addNotes(a.doc, fourBars(trackId));
    await sleep(200);
    const created = await api<{ version: VersionRow }>('POST', `/api/sessions/${s.id}/versions`, s.editToken, { name: 'Verse idea', author: 'Ada' });
    expect(created.status).toBe(201);
    expect(created.body.version).toMatchObject({ kind: 'named', name: 'Verse idea', authors: ['Ada'], noteCount: 16 });
    const got = await api<{ score: { notes: Note[]; tracks: { id: string }[] } }>('GET', `/api/sessions/${s.id}/versions/${created.body.version.id}`, s.viewToken);
    expect(got.status).toBe(200);
    expect(got.body.score.notes).toEqual(readNotes(a.doc));
    expect(got.body.score.tracks.map((t) => t.id)).toEqual(readTracks(a.doc).map((t) => t.id));
    // The form the editor fetches: the stored bytes, decoded by the client.
    const raw = await fetch(`${server.url}/api/sessions/${s.id}/versions/${created.body.version.id}?format=yjs`, { headers: { authorization: `Bearer ${s.viewToken}` } });
    expect(raw.headers.get('x-tutti-encoding')).toBe('deflate-raw');
    expect(JSON.parse(decodeURIComponent(raw.headers.get('x-tutti-version')!))).toMatchObject({ id: created.body.version.id, name: 'Verse idea' });
    const decoded = scoreFromState(new Uint8Array(await new Response(raw.body!.pipeThrough(new DecompressionStream('deflate-raw'))).arrayBuffer()));
    expect(decoded.notes).toEqual(got.body.score.notes);
    // A view link may read versions but not save one; bad input gets a clear error.
    expect((await api('POST', `/api/sessions/${s.id}/versions`, s.viewToken, { name: 'x' })).status).toBe(403);
    const bad = await api<{ error: string }>('POST', `/api/sessions/${s.id}/versions`, s.editToken, { name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/name/);
    expect((await api('GET', `/api/sessions/${s.id}/versions/nope`, s.viewToken)).status).toBe(404);
    // Compaction folds the log into the snapshot; the versions stay, readable.
    await server.rooms.peek(s.id)?.persister.flush();
    await server.rooms.store.compact(s.id);
    const after = await list(s);
    expect(after.versions.map((v) => v.id)).toContain(created.body.version.id);
    expect((await api('GET', `/api/sessions/${s.id}/versions/${created.body.version.id}`, s.viewToken)).status).toBe(200);
  });

  it('restores a bar range: only those bars change, and a second client sees it', async () => {
    const s = await createSessionWithLinks(server.url, 'Restore');
    const a = await connect(s.id);
    const b = await connect(s.id);
    const trackId = readTracks(a.doc)[0]!.id;
    addNotes(a.doc, fourBars(trackId));
    await sleep(200);
    const v = (await api<{ version: VersionRow }>('POST', `/api/sessions/${s.id}/versions`, s.editToken, { name: 'before' })).body.version;
    const saved = (await api<{ score: { notes: Note[] } }>('GET', `/api/sessions/${s.id}/versions/${v.id}`, s.viewToken)).body.score.notes;
    // Change every bar: bar 1 transposed, bar 2 deleted, bar 3 moved by an eighth, bar 4 gains a note.
    const now = readNotes(a.doc);
    updateNotes(a.doc, new Map(inBars(now, 1, 1).map((n) => [n.id, { pitch: n.pitch + 12 }])));
    deleteNotes(a.doc, inBars(now, 2, 2).map((n) => n.id));
    updateNotes(a.doc, new Map(inBars(now, 3, 3).map((n) => [n.id, { start: n.start + 240 }])));
    addNotes(a.doc, [{ trackId, pitch: 40, start: 3 * BAR + 120, duration: 120, velocity: 50 }]);
    await waitFor(() => readNotes(b.doc).length === readNotes(a.doc).length && shape(readNotes(b.doc)).join() === shape(readNotes(a.doc)).join(), 10_000, 'B to see the edits');
    const beforeRestore = readNotes(a.doc);

    const r = await api<{ changed: number }>('POST', `/api/sessions/${s.id}/versions/${v.id}/restore`, s.editToken, { fromBar: 2, toBar: 3 });
    expect(r.status).toBe(200);
    expect(r.body.changed).toBeGreaterThan(0);
    for (const c of [a, b]) {
      await waitFor(() => shape(inBars(readNotes(c.doc), 2, 3)).join() === shape(inBars(saved, 2, 3)).join(), 10_000, 'bars 2-3 restored');
      const notes = readNotes(c.doc);
      expect(shape(inBars(notes, 1, 1))).toEqual(shape(inBars(beforeRestore, 1, 1)));
      expect(shape(inBars(notes, 4, 4))).toEqual(shape(inBars(beforeRestore, 4, 4)));
    }
    expect((await api('POST', `/api/sessions/${s.id}/versions/${v.id}/restore`, s.viewToken, {})).status).toBe(403);
    expect((await api('POST', `/api/sessions/${s.id}/versions/${v.id}/restore`, s.editToken, { fromBar: 2 })).status).toBe(400);
  });

  it('forks the current score or a version into an independent session owned by the forker', async () => {
    const s = await createSessionWithLinks(server.url, 'Parent');
    const a = await connect(s.id);
    const trackId = readTracks(a.doc)[0]!.id;
    addNotes(a.doc, fourBars(trackId));
    await sleep(200);
    const v = (await api<{ version: VersionRow }>('POST', `/api/sessions/${s.id}/versions`, s.editToken, { name: 'v1' })).body.version;
    addNotes(a.doc, [{ trackId, pitch: 30, start: 0, duration: 480, velocity: 80 }]);
    await sleep(200);

    // A view link may make a copy; the copy is the caller's (owner token).
    const fork = await api<CreatedSession & { title: string; forkedFrom: { sessionId: string } }>('POST', `/api/sessions/${s.id}/fork`, s.viewToken, {});
    expect(fork.status).toBe(201);
    expect(fork.body.title).toBe('Parent (copy)');
    const links = await api<{ role: string }>('GET', `/api/sessions/${fork.body.id}/links`, fork.body.ownerToken);
    expect(links.body.role).toBe('owner');
    const f = await connect(fork.body.id, fork.body.editToken);
    expect(shape(readNotes(f.doc))).toEqual(shape(readNotes(a.doc)));
    const forkInfo = await api<{ forkedFrom: { sessionId: string; versionId: string | null; title: string } }>('GET', `/api/sessions/${fork.body.id}/versions`, fork.body.viewToken);
    expect(forkInfo.body.forkedFrom).toMatchObject({ sessionId: s.id, versionId: null, title: 'Parent' });

    // Independent both ways.
    const parentBefore = shape(readNotes(a.doc));
    deleteNotes(f.doc, readNotes(f.doc).slice(0, 5).map((n) => n.id));
    addNotes(a.doc, [{ trackId, pitch: 31, start: 0, duration: 480, velocity: 80 }]);
    await sleep(400);
    const parentNow = await connect(s.id);
    expect(readNotes(parentNow.doc)).toHaveLength(parentBefore.length + 1);
    const forkNow = await connect(fork.body.id, fork.body.editToken);
    expect(readNotes(forkNow.doc)).toHaveLength(parentBefore.length - 5);

    // From a version: the version's notes, and the fork names it.
    const fromV = await api<CreatedSession>('POST', `/api/sessions/${s.id}/fork`, s.editToken, { versionId: v.id, title: 'Try a bridge' });
    expect(fromV.status).toBe(201);
    const fv = await connect(fromV.body.id, fromV.body.editToken);
    expect(readNotes(fv.doc)).toHaveLength(16);
    const fvInfo = await api<{ forkedFrom: { versionId: string; versionLabel: string } }>('GET', `/api/sessions/${fromV.body.id}/versions`, fromV.body.viewToken);
    expect(fvInfo.body.forkedFrom).toMatchObject({ versionId: v.id, versionLabel: 'v1' });
    expect((await api('POST', `/api/sessions/${s.id}/fork`, s.editToken, { versionId: 'missing' })).status).toBe(404);
  });

  it('retention keeps every named version and thins the automatic ones in the database', async () => {
    const s = await createSessionWithLinks(server.url, 'Retention');
    const H = 3_600_000;
    const now = Date.now();
    const row = (id: string, kind: string, ageMs: number) =>
      server.db.prisma.version.create({ data: { id, sessionId: s.id, kind, name: kind === 'named' ? id : null, authors: [], noteCount: 0, state: new Uint8Array([0]), contentHash: id, createdAt: new Date(now - ageMs) } });
    // Two automatic ones in one clock hour a few hours ago, two on one day last week, named ones as old.
    const hourStart = Math.floor((now - 5 * H) / H) * H;
    await row('auto-h-late', 'auto', now - (hourStart + 50 * 60_000));
    await row('auto-h-early', 'auto', now - (hourStart + 10 * 60_000));
    const dayStart = Math.floor((now - 7 * 24 * H) / (24 * H)) * 24 * H;
    await row('auto-d-late', 'auto', now - (dayStart + 20 * H));
    await row('auto-d-early', 'auto', now - (dayStart + 2 * H));
    await row('named-old-1', 'named', now - (dayStart + 3 * H));
    await row('named-old-2', 'named', now - (dayStart + 4 * H));
    await row('auto-recent', 'auto', 60_000);
    expect(await new VersionStore(server.db.prisma).thin(s.id, now)).toBe(2);
    const left = (await list(s)).versions.map((v) => v.id).sort();
    expect(left).toEqual(['auto-d-late', 'auto-h-late', 'auto-recent', 'named-old-1', 'named-old-2']);
  });

  it('deleting a session deletes its versions', async () => {
    const s = await createSessionWithLinks(server.url, 'Doomed');
    const a = await connect(s.id);
    addNotes(a.doc, fourBars(readTracks(a.doc)[0]!.id));
    await sleep(200);
    await api('POST', `/api/sessions/${s.id}/versions`, s.editToken, { name: 'one' });
    await api('POST', `/api/sessions/${s.id}/versions`, s.editToken, { name: 'two' });
    expect(await server.db.prisma.version.count({ where: { sessionId: s.id } })).toBe(2);
    const del = await fetch(`${server.url}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.ownerToken}` } });
    expect(del.status).toBe(204);
    expect(await server.db.prisma.version.count({ where: { sessionId: s.id } })).toBe(0);
  });
});
