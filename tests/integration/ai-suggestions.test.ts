// AI suggestions end to end (issue 13) against the real server process: real worker threads with
// the committed weights, two real y-websocket clients A and B. An invalid knob is refused before
// anything is queued; candidates and "compare models" land as suggestions (not notes) that B sees;
// A accepts one and both see its notes, A's undo removes them and B's does not; any participant
// cancels a request; steering reaches the notes; ten accepted harmonisations leave three tracks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { acceptSuggestion, jobsMap, readJobs, readNotes, readSuggestions, readTracks, suggestionsMap, type Suggestion } from '@/lib/score';
import { createSession, editTokenFor, startTestServer, type TestServer } from '../helpers/server';
import { api, assertWeights, connect, newParticipant, waitFor, writeMelody, type Client } from './jobs-helpers';

const ENV = { NODE_ENV: 'test', TUTTI_JOB_WORKERS: '2', TUTTI_JOB_RATE_LIMIT: '1000', TUTTI_JOB_RATE_LIMIT_PER_ADDRESS: '1000', TUTTI_JOB_MAX_PENDING_PER_SESSION: '16' };

describe('AI suggestions (real server, real workers, two clients)', () => {
  let server: TestServer;
  let sessionId: string;
  let a: Client;
  let b: Client;
  let melodyId: string;
  let asA: Record<string, string>;
  let asB: Record<string, string>;

  const postAi = (body: unknown, headers = asA) => api<{ requestId: string; jobIds: string[]; error?: string; code?: string; issues?: string[] }>(`${server.url}/api/sessions/${sessionId}/ai`, 'POST', body, headers);
  const ofRequest = (doc: Y.Doc, requestId: string): Suggestion[] => readSuggestions(doc).filter((s) => s.requestId === requestId);

  beforeAll(async () => {
    assertWeights();
    server = await startTestServer({ env: ENV });
    sessionId = await createSession(server.url);
    a = await connect(server.wsUrl, sessionId);
    b = await connect(server.wsUrl, sessionId);
    melodyId = writeMelody(a.doc, 4);
    await waitFor(() => readNotes(b.doc).length === 16, 10_000, 'the melody at B');
    const auth = { authorization: `Bearer ${editTokenFor(sessionId)}` };
    asA = { ...auth, 'x-tutti-participant': (await newParticipant(server.url, sessionId)).participantToken };
    asB = { ...auth, 'x-tutti-participant': (await newParticipant(server.url, sessionId)).participantToken };
  });

  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    await server?.stop();
  });

  it('refuses an invalid knob with 400 and the reason, leaving no trace in any job list', async () => {
    const jobsBefore = jobsMap(b.doc).size;
    const listBefore = (await api<{ jobs: unknown[] }>(`${server.url}/api/sessions/${sessionId}/jobs`, 'GET')).body.jobs.length;
    const r = await postAi({ model: 'gan', task: 'harmonize', sourceTrackId: melodyId, candidates: 2, knobs: { temperature: 5, density: 3 } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid_request');
    expect(r.body.issues).toEqual(['knobs.temperature: temperature must be at most 2', 'knobs.density: density must be at most 1']);
    // The older /jobs route validates the same way now (it used to answer 202 and fail later).
    const legacy = await api<{ code: string; issues: string[] }>(`${server.url}/api/sessions/${sessionId}/jobs`, 'POST', { model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, params: { temperature: -4 } }, asA);
    expect(legacy.status).toBe(400);
    expect(legacy.body.issues).toEqual(['knobs.temperature: temperature must be at least 0.05']);
    expect((await postAi({ model: 'gan', task: 'harmonize', sourceTrackId: melodyId, candidates: 5 })).status).toBe(400);
    expect((await postAi({ model: 'gan', task: 'harmonize', sourceTrackId: 'noSuchTrack' })).status).toBe(422);
    await new Promise((r) => setTimeout(r, 300));
    expect(jobsMap(b.doc).size).toBe(jobsBefore);
    expect(jobsMap(a.doc).size).toBe(jobsBefore);
    expect((await api<{ jobs: unknown[] }>(`${server.url}/api/sessions/${sessionId}/jobs`, 'GET')).body.jobs.length).toBe(listBefore);
  });

  it('three candidates land as three suggestions B sees; A accepts candidate 2, both see the notes; A’s undo removes them, B’s does not', async () => {
    const notesBefore = readNotes(a.doc).length;
    const r = await postAi({ model: 'gan', task: 'harmonize', sourceTrackId: melodyId, bars: [0, 4], candidates: 3, seed: 11, requester: { name: 'Ann' } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.jobIds).toHaveLength(3);
    await waitFor(() => ofRequest(b.doc, r.body.requestId).length === 3, 60_000, 'three suggestions at B');
    const cards = ofRequest(b.doc, r.body.requestId);
    expect(cards.map((s) => [s.index, s.seed, s.status, s.model, s.requesterName, s.bars])).toEqual([0, 1, 2].map((i) => [i, 11 + i, 'pending', 'gan', 'Ann', [0, 4]]));
    for (const s of cards) {
      expect(s.modelVersion).toMatch(/^gan-[0-9a-f]{8}$/);
      expect(s.notes.length).toBeGreaterThan(0);
      expect(new Set(s.notes.map((n) => n.voice))).toEqual(new Set(['alto', 'tenor', 'bass']));
    }
    // Suggestions, not edits: no note was written, and each job says which suggestion it made.
    expect(readNotes(b.doc)).toHaveLength(notesBefore);
    for (const j of readJobs(b.doc).filter((j) => j.requestId === r.body.requestId)) expect(j).toMatchObject({ status: 'done', suggestionId: j.id, seed: 11 + j.index, modelVersion: cards[0]!.modelVersion });

    const originA = { user: 'A' };
    const originB = { user: 'B' };
    const undoA = new Y.UndoManager([a.doc.getMap('notes'), a.doc.getMap('tracks')], { trackedOrigins: new Set([originA]) });
    const undoB = new Y.UndoManager([b.doc.getMap('notes'), b.doc.getMap('tracks')], { trackedOrigins: new Set([originB]) });
    const second = cards[1]!;
    expect(acceptSuggestion(a.doc, second.id, 'A', originA).ok).toBe(true);
    await waitFor(() => readNotes(b.doc).filter((n) => n.suggestionId === second.id).length === second.notes.length, 10_000, 'the accepted notes at B');
    expect(readSuggestions(b.doc).find((s) => s.id === second.id)).toMatchObject({ status: 'accepted', decidedBy: 'A' });
    expect(readTracks(b.doc).filter((t) => t.aiVoice).map((t) => [t.name, t.aiVoice])).toEqual([
      ['Alto', 'alto'],
      ['Tenor', 'tenor'],
      ['Bass', 'bass'],
    ]);
    undoB.undo();
    await new Promise((res) => setTimeout(res, 300));
    expect(readNotes(a.doc).filter((n) => n.suggestionId === second.id)).toHaveLength(second.notes.length);
    undoA.undo();
    await waitFor(() => readNotes(b.doc).every((n) => n.suggestionId !== second.id), 10_000, 'A’s undo at B');
    expect(readNotes(b.doc)).toHaveLength(notesBefore);
    undoA.destroy();
    undoB.destroy();
  });

  it('"compare models" runs GAN, AR-CNN and transformer on the same bars, side by side', async () => {
    const r = await postAi({ compare: true, task: 'harmonize', sourceTrackId: melodyId, bars: [0, 2], seed: 3 });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    await waitFor(() => ofRequest(b.doc, r.body.requestId).length === 3, 120_000, 'three models’ suggestions at B');
    const cards = ofRequest(b.doc, r.body.requestId);
    expect(cards.map((s) => s.model)).toEqual(['gan', 'arcnn', 'transformer']);
    for (const s of cards) {
      expect(s.bars).toEqual([0, 2]);
      expect(s.notes.length).toBeGreaterThan(0);
      expect(s.notes.every((n) => n.start < 2 * 1920)).toBe(true);
    }
  });

  it('steering reaches the notes: "keep the melody’s rhythm" puts every voice onset on a melody onset', async () => {
    const r = await postAi({ model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, bars: [0, 4], seed: 5, knobs: { rhythm: 'chordal', voiceRanges: 'choir' } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    await waitFor(() => ofRequest(b.doc, r.body.requestId).length === 1, 60_000, 'the steered suggestion');
    const s = ofRequest(b.doc, r.body.requestId)[0]!;
    const melodyOnsets = new Set(readNotes(b.doc).filter((n) => n.trackId === melodyId).map((n) => n.start));
    expect(s.notes.length).toBeGreaterThan(0);
    expect(s.notes.every((n) => melodyOnsets.has(n.start))).toBe(true);
    expect(s.knobs).toMatchObject({ rhythm: 'chordal', voiceRanges: 'choir' });
    const choir = { alto: [55, 74], tenor: [48, 69], bass: [40, 62] } as Record<string, [number, number]>;
    for (const n of s.notes) expect(n.pitch >= choir[n.voice]![0] && n.pitch <= choir[n.voice]![1], `${n.voice} ${n.pitch}`).toBe(true);
  });

  it('any participant can cancel a request: B cancels A’s running candidates, no suggestion lands', async () => {
    const r = await postAi({ model: 'gan', task: 'harmonize', sourceTrackId: melodyId, candidates: 2, debug: { spinMs: 60_000 } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    await waitFor(() => readJobs(b.doc).some((j) => j.requestId === r.body.requestId && j.status === 'running'), 20_000, 'a running candidate');
    const c = await api<{ cancelled: string[] }>(`${server.url}/api/sessions/${sessionId}/ai/${r.body.requestId}/cancel`, 'POST', undefined, asB);
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body.cancelled.sort()).toEqual([...r.body.jobIds].sort());
    await waitFor(() => readJobs(b.doc).filter((j) => j.requestId === r.body.requestId && j.status === 'cancelled').length === 2, 20_000, 'both cancelled at B');
    expect(ofRequest(b.doc, r.body.requestId)).toEqual([]);
  });

  it('ten harmonisations of the same melody, each accepted, leave exactly three accompaniment tracks', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await postAi({ model: 'gan', task: 'harmonize', sourceTrackId: melodyId, bars: [0, 4], seed: 100 + i });
      expect(r.status).toBe(202);
      await waitFor(() => ofRequest(a.doc, r.body.requestId).length === 1, 60_000, `harmonisation ${i}`);
      expect(acceptSuggestion(a.doc, ofRequest(a.doc, r.body.requestId)[0]!.id, 'A', 'a-origin').ok).toBe(true);
    }
    await waitFor(() => readSuggestions(b.doc).filter((s) => s.status === 'accepted').length >= 10, 10_000, 'all ten accepted at B');
    const tracks = readTracks(b.doc);
    expect(tracks.filter((t) => t.role === 'accompaniment').map((t) => t.name)).toEqual(['Alto', 'Tenor', 'Bass']);
    expect(new Set(tracks.map((t) => t.color)).size).toBe(tracks.length);
    expect(suggestionsMap(b.doc).size).toBeLessThanOrEqual(40);
  });
});
