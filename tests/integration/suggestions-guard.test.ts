// The update guard on AI suggestions (issue 13): only the server creates a suggestion and writes its
// payload; a participant may decide a pending one (status accepted | dismissed, decidedBy,
// decidedAt) — accepting writes its notes, with suggestionId, and new voice tracks, with aiVoice, in
// the same update — and nothing else. Real server, real y-websocket clients, raw sockets for the
// crafted updates a hostile client could send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { acceptSuggestion, dismissSuggestion, getSuggestion, readNotes, readTracks, suggestionsMap, writeSuggestion, type NewSuggestion } from '@/lib/score';
import { createSession, startInProcessServer } from '../helpers/server';
import { connectSynced, openRaw, waitFor, withTimeout, type Client, updateFrame, craft } from './sync-helpers';

type Server = Awaited<ReturnType<typeof startInProcessServer>>;



const payload = (sourceTrackId: string, over: Partial<NewSuggestion> = {}): NewSuggestion => ({
  requestId: 'req1',
  index: 0,
  jobId: 'job1',
  model: 'gan',
  modelVersion: 'gan@test',
  task: 'harmonize',
  knobs: {},
  seed: 1,
  requesterId: 'pA',
  requesterName: 'Ann',
  createdAt: 1,
  bars: [0, 1],
  sourceTrackId,
  notes: [
    { voice: 'alto', trackId: null, pitch: 67, start: 0, duration: 480, velocity: 80 },
    { voice: 'bass', trackId: null, pitch: 48, start: 0, duration: 480, velocity: 80 },
  ],
  remove: [],
  voices: [],
  ...over,
});

describe('suggestions on /sync', () => {
  let server: Server;
  let id: string;
  let a: Client;
  let b: Client;
  let melody: string;

  beforeAll(async () => {
    server = await startInProcessServer();
    id = await createSession(server.url);
    a = await connectSynced(server.wsUrl, id);
    b = await connectSynced(server.wsUrl, id);
    melody = readTracks(a.doc)[0]!.id;
    // The server writes suggestions (as the job service does).
    await server.rooms.withDoc(id, (doc) => {
      writeSuggestion(doc, 's1', payload(melody));
      writeSuggestion(doc, 's2', payload(melody, { index: 1, jobId: 'job2' }));
      writeSuggestion(doc, 's3', payload(melody, { index: 2, jobId: 'job3' }));
    });
    await waitFor(() => !!getSuggestion(a.doc, 's3') && !!getSuggestion(b.doc, 's3'), 10_000, 'both clients to see the suggestions');
  });
  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    await server?.close();
  });

  const serverDoc = () => server.rooms.peek(id)!.doc;

  async function refused(edit: (doc: Y.Doc) => void, reason: RegExp) {
    const update = craft(serverDoc(), edit);
    const before = Y.encodeStateAsUpdate(serverDoc());
    const raw = await openRaw(server.wsUrl, id);
    raw.ws.send(updateFrame(update));
    const closed = await withTimeout(raw.closed, 10_000, 'the server to close the offender');
    expect(closed.code).toBe(4422);
    expect(closed.reason).toMatch(reason);
    expect(Y.encodeStateAsUpdate(serverDoc())).toEqual(before);
  }

  it('refuses a client creating a suggestion or rewriting its payload', async () => {
    await refused((d) => writeSuggestion(d, 'fake', payload(melody)), /suggestions are created by the server only/);
    await refused((d) => suggestionsMap(d).get('s1')!.set('notes', '[]'), /may only decide suggestion s1 .*not write notes/);
    await refused((d) => suggestionsMap(d).get('s1')!.set('model', 'evil'), /not write model/);
    await refused((d) => suggestionsMap(d).delete('s1'), /removed by the server only/);
    await refused((d) => suggestionsMap(d).get('s1')!.set('status', 'bogus'), /suggestion s1: invalid suggestion field status/);
    await refused((d) => suggestionsMap(d).get('s1')!.set('decidedBy', 'pX'), /a decision must set its status/);
    expect(getSuggestion(b.doc, 's1')?.status).toBe('pending');
    expect(getSuggestion(serverDoc(), 'fake')).toBeNull();
  });

  it('lets a participant accept (notes with provenance, voice tracks with aiVoice) and syncs it to everyone', async () => {
    const out = acceptSuggestion(a.doc, 's1', 'pA', 'a-origin');
    expect(out.ok).toBe(true);
    await waitFor(() => getSuggestion(b.doc, 's1')?.status === 'accepted', 10_000, 'b to see the acceptance');
    expect(readNotes(b.doc).filter((n) => n.suggestionId === 's1')).toHaveLength(2);
    expect(readTracks(b.doc).map((t) => t.aiVoice ?? null)).toEqual([null, 'alto', 'bass']);
    expect(getSuggestion(serverDoc(), 's1')).toMatchObject({ status: 'accepted', decidedBy: 'pA' });
  });

  it('lets a participant dismiss; a decided suggestion cannot be reopened, and a late decision is undone without closing its sender', async () => {
    expect(dismissSuggestion(b.doc, 's2', 'pB', 'b-origin').ok).toBe(true);
    await waitFor(() => getSuggestion(a.doc, 's2')?.status === 'dismissed', 10_000, 'a to see the dismissal');
    await refused((d) => suggestionsMap(d).get('s1')!.set('status', 'pending'), /a decision sets status to a value/);
    // A late acceptance of the dismissed s2 (sent before its sender heard of the dismissal), notes and voice tracks included.
    const notesBefore = readNotes(serverDoc()).length;
    const tracksBefore = readTracks(serverDoc()).length;
    const update = craft(serverDoc(), (d) => {
      suggestionsMap(d).get('s2')!.set('status', 'pending'); // what the late sender still saw
      expect(acceptSuggestion(d, 's2', 'pC', 'late').ok).toBe(true);
    });
    const raw = await openRaw(server.wsUrl, id);
    raw.ws.send(updateFrame(update));
    await new Promise((r) => setTimeout(r, 500));
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    raw.ws.close();
    expect(getSuggestion(serverDoc(), 's2')).toMatchObject({ status: 'dismissed', decidedBy: 'pB' });
    expect(readNotes(serverDoc())).toHaveLength(notesBefore);
    expect(readTracks(serverDoc())).toHaveLength(tracksBefore);
  });

  it('two people accept the same suggestion at once: the first wins, the second’s notes and tracks are undone on both sides', async () => {
    await server.rooms.withDoc(id, (doc) => writeSuggestion(doc, 's4', payload(melody, { index: 3, jobId: 'job4', bars: [2, 3], notes: [{ voice: 'tenor', trackId: null, pitch: 60, start: 2 * 1920, duration: 480, velocity: 80 }] })));
    await waitFor(() => !!getSuggestion(a.doc, 's4') && !!getSuggestion(b.doc, 's4'), 10_000, 'both see s4');
    b.provider.disconnect();
    expect(acceptSuggestion(a.doc, 's4', 'pA', 'a-origin').ok).toBe(true);
    await waitFor(() => getSuggestion(serverDoc(), 's4')?.status === 'accepted', 10_000, 'A’s acceptance at the server');
    expect(acceptSuggestion(b.doc, 's4', 'pB', 'b-origin').ok).toBe(true); // B, offline, accepts too
    expect(readTracks(b.doc).filter((t) => t.aiVoice === 'tenor')).toHaveLength(1);
    b.provider.connect();
    await waitFor(() => getSuggestion(b.doc, 's4')?.decidedBy === 'pA', 10_000, 'B to learn that A decided first');
    await waitFor(() => readNotes(b.doc).filter((n) => n.suggestionId === 's4').length === 1, 10_000, 'B to keep only A’s note');
    expect(readTracks(b.doc).filter((t) => t.aiVoice === 'tenor')).toHaveLength(1);
    expect(readNotes(serverDoc()).filter((n) => n.suggestionId === 's4')).toHaveLength(1);
    expect(readTracks(serverDoc()).map((t) => t.id).sort()).toEqual(readTracks(a.doc).map((t) => t.id).sort());
    expect(b.provider.wsconnected).toBe(true);
  });

  it('refuses a decision that reopens as pending or clears decidedBy', async () => {
    await refused((d) => suggestionsMap(d).get('s3')!.set('status', 'pending'), /a decision sets status to a value/);
    await refused((d) => {
      const y = suggestionsMap(d).get('s3')!;
      y.set('status', 'accepted');
      y.set('decidedBy', null);
    }, /decidedBy to a value/);
    expect(getSuggestion(serverDoc(), 's3')?.status).toBe('pending');
  });
});
