// Pure parts of the AI job service: request validation, rate limit, per-session queue, and the
// one-transaction result write with its one-step undo.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNotes, addTrack, initScore, jobOrigin, readJobs, readNotes, readTracks, undoJobResult, writeJobState, type NoteData, type TrackId } from '../../lib/score';
import { applyResult } from '../../server/jobs/apply';
import { SessionQueue, QueueFullError } from '../../server/jobs/queue';
import { RateLimiter } from '../../server/jobs/rate-limit';
import { JobRequestError, legacyToAiBody, parseAiJobRequest } from '../../server/jobs/schema';

const opts = { allowDebug: false, maxBars: 64 };
/** The older POST /jobs body, as the route reads it (through the AI contract). */
const parseJobRequest = (body: unknown, o: typeof opts) => parseAiJobRequest(legacyToAiBody(body), o);

describe('parseAiJobRequest (older /jobs bodies)', () => {
  it('accepts a well-formed request and maps it to the generator request', () => {
    const r = parseJobRequest({ model: 'transformer', task: 'harmonize', sourceTrackId: 'mel_1', bars: [0, 8], params: { temperature: 0.9 }, seed: 3, requester: { id: 'p1', name: 'Ada' } }, opts).ai;
    expect(r).toMatchObject({ task: 'harmonize', sourceTrackId: 'mel_1', bars: [0, 8], requesterName: 'Ada' });
    expect(r.jobs).toHaveLength(1);
    expect(r.jobs[0]).toMatchObject({ model: 'transformer', seed: 3, knobs: { temperature: 0.9, topP: 1, strictVoiceLeading: true } });
  });

  it.each([
    [{ model: 'lstm', task: 'accompany', sourceTrackId: 'a' }, /model/],
    [{ model: 'gan', task: 'accompany' }, /sourceTrackId is required/],
    [{ model: 'gan', task: 'continue', sourceTrackId: 'a' }, /does not offer/],
    [{ model: 'transformer', task: 'infill', sourceTrackId: 'a' }, /does not offer/],
    [{ model: 'gan', task: 'accompany', sourceTrackId: 'a', bars: [4, 2] }, /to > from/],
    [{ model: 'gan', task: 'accompany', sourceTrackId: 'a', extra: 1 }, /extra|unrecognized/i],
    [{ model: 'gan', task: 'accompany', sourceTrackId: 'a', params: { t: { nested: 1 } } }, /knobs/],
    [{ model: 'gan', task: 'accompany', sourceTrackId: 'a', debug: { crash: true } }, /debug hooks are disabled/],
    [{ model: 'gan', task: 'accompany', sourceTrackId: '../../etc' }, /url-safe/],
  ])('refuses %j with a clear message', (body, msg) => {
    let err: unknown;
    try {
      parseJobRequest(body, opts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JobRequestError);
    expect((err as JobRequestError).status).toBe(400);
    expect((err as Error).message).toMatch(msg);
  });

  it('answers 413 for an over-long bar range', () => {
    expect(() => parseJobRequest({ model: 'gan', task: 'accompany', sourceTrackId: 'a', bars: [0, 500] }, opts)).toThrow(expect.objectContaining({ status: 413 }));
  });
});

describe('RateLimiter', () => {
  it('allows `limit` hits per window per key and says when to retry', () => {
    let t = 0;
    const rl = new RateLimiter(2, 1000, () => t);
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a').ok).toBe(true);
    const refused = rl.take('a');
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBe(1000);
    expect(rl.take('b').ok).toBe(true);
    t = 1001;
    expect(rl.take('a').ok).toBe(true);
  });
});

describe('SessionQueue', () => {
  it('runs at most maxRunning per session, queues the rest, refuses beyond maxPending', async () => {
    const q = new SessionQueue(1, 3);
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    const job = (id: string) => () => new Promise<void>((r) => (started.push(id), gates.set(id, r)));
    q.enqueue('s', 'a', job('a'));
    q.enqueue('s', 'b', job('b'));
    q.enqueue('t', 'x', job('x'));
    q.enqueue('s', 'c', job('c'));
    expect(() => q.enqueue('s', 'd', job('d'))).toThrow(QueueFullError);
    expect(started).toEqual(['a', 'x']);
    expect(q.removeWaiting('s', 'c')).toBe(true);
    gates.get('a')!();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['a', 'x', 'b']);
    gates.get('b')!();
    gates.get('x')!();
    await new Promise((r) => setTimeout(r, 0));
    expect(q.totalPending).toBe(0);
  });
});

function session() {
  const doc = new Y.Doc();
  initScore(doc);
  const melody = addTrack(doc, { name: 'Melody', role: 'melody' });
  const alto = addTrack(doc, { name: 'Alto', role: 'accompaniment' });
  const mel = addNotes(doc, [0, 1, 2, 3].map((i): NoteData => ({ trackId: melody.id, pitch: 72 + i, start: i * 480, duration: 480, velocity: 90 })));
  const old = addNotes(doc, [{ trackId: alto.id, pitch: 60, start: 0, duration: 960, velocity: 80 }]);
  return { doc, melody, alto, mel, old };
}

describe('applyResult and undoJobResult', () => {
  it('writes tracks, notes, removals and the job state in one transaction with the job origin, and undoes it in one', () => {
    const { doc, melody, alto, old } = session();
    writeJobState(doc, 'J1', { model: 'arcnn', task: 'rewrite', requesterId: 'p', requesterName: 'Ada', createdAt: 1 });
    const before = { notes: readNotes(doc), tracks: readTracks(doc) };
    const origins: unknown[] = [];
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    const out = applyResult(
      doc,
      {
        newTracks: [{ ref: 'bass', name: 'Bass', instrument: 'bass', role: 'accompaniment' }, { ref: 'unused', name: 'Empty', instrument: 'pad', role: 'accompaniment' }],
        add: [
          { trackId: 'bass' as TrackId, pitch: 48, start: 0, duration: 480, velocity: 80 },
          { trackId: alto.id, pitch: 64, start: 0, duration: 480, velocity: 80 },
        ],
        remove: [old[0]!.id],
      },
      jobOrigin('J1'),
      { jobId: 'J1' },
    );
    expect(origins).toEqual(['job:J1']);
    expect(out.addedTrackIds).toHaveLength(1); // the track with no notes is not created
    expect(out.removedNotes.map((n) => n.id)).toEqual([old[0]!.id]);
    const job = readJobs(doc)[0]!;
    expect(job.status).toBe('done');
    expect(job.addedNoteIds.sort()).toEqual(out.addedNoteIds.sort());
    expect(readNotes(doc)).toHaveLength(before.notes.length + 1);

    // A peer edits a melody note meanwhile; the undo must keep it.
    const melNote = readNotes(doc).find((n) => n.trackId === melody.id)!;
    doc.transact(() => doc.getMap<Y.Map<unknown>>('notes').get(melNote.id)!.set('pitch', 50), 'peer');
    origins.length = 0;
    const undo = undoJobResult(doc, 'J1');
    expect(origins).toEqual(['job:J1:undo']);
    expect(undo).toEqual({ removedNotes: 2, removedTracks: 1, restoredNotes: 1 });
    expect(readTracks(doc)).toEqual(before.tracks);
    const restored = readNotes(doc);
    expect(restored.map((n) => n.id).sort()).toEqual(before.notes.map((n) => n.id).sort());
    expect(restored.find((n) => n.id === melNote.id)!.pitch).toBe(50);
    expect(undoJobResult(doc, 'J1').removedNotes).toBe(0); // idempotent
  });

  it('rejects an invalid generated note before touching the document', () => {
    const { doc, alto } = session();
    const before = Y.encodeStateVector(doc);
    expect(() => applyResult(doc, { newTracks: [], add: [{ trackId: alto.id, pitch: 200, start: 0, duration: 1, velocity: 1 }], remove: [] }, 'job:x')).toThrow(/pitch/);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('drops notes for a track deleted while the job ran', () => {
    const { doc } = session();
    const out = applyResult(doc, { newTracks: [], add: [{ trackId: 'gone' as TrackId, pitch: 60, start: 0, duration: 1, velocity: 1 }], remove: [] }, 'job:y');
    expect(out.skippedNotes).toBe(1);
    expect(out.addedNoteIds).toEqual([]);
  });
});
