// AI suggestions in the shared document (lib/score/suggestions.ts, issue 13): the state a
// suggestion goes through, where accepting puts its notes (voice tracks created once and reused,
// unique names, distinct colours; rewrites into the chosen tracks), one undoable transaction per
// accept, and the diff against the notes as they are now.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  acceptSuggestion,
  addNotes,
  addTrack,
  colourDistance,
  deleteNotes,
  diffAgainstNow,
  dismissSuggestion,
  getSuggestion,
  initScore,
  notesOfSuggestion,
  planAccept,
  readNotes,
  readScore,
  readSuggestions,
  readTracks,
  updateTrack,
  uniqueTrackName,
  writeSuggestion,
  type NewSuggestion,
  type NoteData,
  type SuggestionNote,
  type TrackId,
} from '../../lib/score';

function session() {
  const doc = new Y.Doc();
  initScore(doc);
  const melody = addTrack(doc, { name: 'Melody', role: 'melody', color: '#e4572e' });
  const notes: NoteData[] = [0, 1, 2, 3].map((i) => ({ trackId: melody.id, pitch: 72 + i, start: i * 480, duration: 480, velocity: 90 }));
  addNotes(doc, notes);
  return { doc, melody: melody.id };
}

const voices = (pitchShift = 0): SuggestionNote[] =>
  (['alto', 'tenor', 'bass'] as const).flatMap((voice, v) => [0, 1, 2, 3].map((i) => ({ voice, trackId: null, pitch: 67 - v * 7 + i + pitchShift, start: i * 480, duration: 480, velocity: 80 })));

function suggestion(over: Partial<NewSuggestion> = {}): NewSuggestion {
  return {
    requestId: 'req1',
    index: 0,
    jobId: 'job1',
    model: 'gan',
    modelVersion: 'gan@test',
    task: 'harmonize',
    knobs: { temperature: 0 },
    seed: 1,
    requesterId: 'pA',
    requesterName: 'Ann',
    createdAt: 1000,
    bars: [0, 1],
    sourceTrackId: 'x',
    notes: voices(),
    remove: [],
    voices: [
      { voice: 'alto', name: 'Alto', instrument: 'strings' },
      { voice: 'tenor', name: 'Tenor', instrument: 'strings' },
      { voice: 'bass', name: 'Bass', instrument: 'bass' },
    ],
    ...over,
  };
}

describe('suggestion state', () => {
  it('is written pending with its payload, then accepted or dismissed once', () => {
    const { doc, melody } = session();
    writeSuggestion(doc, 's1', suggestion({ sourceTrackId: melody }), 'server');
    writeSuggestion(doc, 's2', suggestion({ sourceTrackId: melody, index: 1, seed: 2 }), 'server');
    const all = readSuggestions(doc);
    expect(all.map((s) => [s.id, s.status, s.index])).toEqual([
      ['s1', 'pending', 0],
      ['s2', 'pending', 1],
    ]);
    expect(all[0]!.notes).toHaveLength(12);
    expect(all[0]!.knobs).toEqual({ temperature: 0 });

    expect(dismissSuggestion(doc, 's2', 'pB', 'b', 5).ok).toBe(true);
    expect(getSuggestion(doc, 's2')).toMatchObject({ status: 'dismissed', decidedBy: 'pB', decidedAt: 5 });
    expect(acceptSuggestion(doc, 's2', 'pA', 'a')).toEqual({ ok: false, reason: 'this suggestion was already dismissed' });
    expect(acceptSuggestion(doc, 's1', 'pA', 'a', 7).ok).toBe(true);
    expect(getSuggestion(doc, 's1')).toMatchObject({ status: 'accepted', decidedBy: 'pA', decidedAt: 7 });
    expect(acceptSuggestion(doc, 's1', 'pB', 'b').ok).toBe(false);
    expect(() => writeSuggestion(doc, 's3', suggestion({ notes: [{ voice: 'alto', trackId: null, pitch: 200, start: 0, duration: 1, velocity: 1 }] }))).toThrow(/invalid suggestion/);
  });

  it('accepting writes every note with its provenance in ONE transaction the accepter can undo alone', () => {
    const { doc, melody } = session();
    writeSuggestion(doc, 's1', suggestion({ sourceTrackId: melody }), 'server');
    const mine = { who: 'A' };
    const undo = new Y.UndoManager([doc.getMap('notes'), doc.getMap('tracks')], { trackedOrigins: new Set([mine]) });
    const other = new Y.UndoManager([doc.getMap('notes'), doc.getMap('tracks')], { trackedOrigins: new Set([{ who: 'B' }]) });
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    const out = acceptSuggestion(doc, 's1', 'pA', mine);
    expect(transactions).toBe(1);
    expect(out.ok && out.addedNoteIds.length).toBe(12);
    const score = readScore(doc);
    expect(notesOfSuggestion(score, 's1').sort()).toEqual(out.ok ? [...out.addedNoteIds].sort() : []);
    expect(readTracks(doc).map((t) => [t.name, t.aiVoice ?? null, t.role])).toEqual([
      ['Melody', null, 'melody'],
      ['Alto', 'alto', 'accompaniment'],
      ['Tenor', 'tenor', 'accompaniment'],
      ['Bass', 'bass', 'accompaniment'],
    ]);
    other.undo();
    expect(readNotes(doc)).toHaveLength(16);
    undo.undo();
    expect(readNotes(doc)).toHaveLength(4);
    expect(readTracks(doc)).toHaveLength(1);
  });
});

describe('suggestion cap', () => {
  it('past 40 the oldest decided suggestions go first; undecided ones stay up to twice that', () => {
    const { doc, melody } = session();
    const few = voices().slice(0, 1);
    for (let i = 0; i < 40; i++) writeSuggestion(doc, `s${i}`, suggestion({ sourceTrackId: melody, requestId: `r${i}`, createdAt: i, notes: few }));
    for (let i = 0; i < 5; i++) dismissSuggestion(doc, `s${i}`, 'pA', 'a');
    for (let i = 40; i < 43; i++) writeSuggestion(doc, `s${i}`, suggestion({ sourceTrackId: melody, requestId: `r${i}`, createdAt: i, notes: few }));
    const ids = new Set(readSuggestions(doc).map((s) => s.id));
    expect(ids.size).toBe(40);
    expect(['s0', 's1', 's2'].some((x) => ids.has(x))).toBe(false);
    expect(['s3', 's4', 's5', 's42'].every((x) => ids.has(x))).toBe(true);
    for (let i = 43; i < 90; i++) writeSuggestion(doc, `s${i}`, suggestion({ sourceTrackId: melody, requestId: `r${i}`, createdAt: i, notes: few }));
    const left = readSuggestions(doc);
    expect(left).toHaveLength(80);
    expect(left.every((x) => x.status === 'pending')).toBe(true);
    expect(left.some((x) => x.id === 's89')).toBe(true);
  });
});

describe('planAccept: where the notes go', () => {
  it('ten harmonisations accepted leave exactly three accompaniment tracks, each holding one harmonisation', () => {
    const { doc, melody } = session();
    for (let i = 0; i < 10; i++) {
      writeSuggestion(doc, `s${i}`, suggestion({ sourceTrackId: melody, requestId: `r${i}`, notes: voices(i % 3), createdAt: 1000 + i }), 'server');
      expect(acceptSuggestion(doc, `s${i}`, 'pA', 'a').ok).toBe(true);
    }
    const tracks = readTracks(doc);
    expect(tracks.filter((t) => t.role === 'accompaniment').map((t) => t.name)).toEqual(['Alto', 'Tenor', 'Bass']);
    // Each accept replaced the previous harmonisation on those bars: 4 notes per voice, from the last one.
    expect(readNotes(doc)).toHaveLength(16);
    expect(new Set(readNotes(doc).filter((n) => n.trackId !== melody).map((n) => n.suggestionId))).toEqual(new Set(['s9']));
  });

  it('reuses a voice track after a rename (by aiVoice) and names new ones uniquely with distinct colours', () => {
    const { doc, melody } = session();
    const tenorByHand = addTrack(doc, { name: 'Tenor', role: 'accompaniment', color: '#17bebb' });
    writeSuggestion(doc, 's1', suggestion({ sourceTrackId: melody }), 'server');
    let i = 0;
    const plan = planAccept(readScore(doc), getSuggestion(doc, 's1')!, { newId: () => `t${i++}` as TrackId });
    expect(plan.createTracks.map((t) => [t.name, t.aiVoice])).toEqual([
      ['Alto', 'alto'],
      ['Tenor 2', 'tenor'],
      ['Bass', 'bass'],
    ]);
    const colours = ['#e4572e', '#17bebb', ...plan.createTracks.map((t) => t.color)];
    for (let a = 0; a < colours.length; a++) for (let b = a + 1; b < colours.length; b++) expect(colourDistance(colours[a]!, colours[b]!), `${colours[a]} vs ${colours[b]}`).toBeGreaterThan(100);
    expect(plan.add.every((n) => n.suggestionId === 's1')).toBe(true);
    expect(new Set(plan.add.map((n) => n.trackId))).toEqual(new Set(['t0', 't1', 't2']));

    acceptSuggestion(doc, 's1', 'pA', 'a');
    const alto = readTracks(doc).find((t) => t.aiVoice === 'alto')!;
    updateTrack(doc, alto.id, { name: 'Viola' });
    writeSuggestion(doc, 's2', suggestion({ sourceTrackId: melody, requestId: 'r2' }), 'server');
    const again = planAccept(readScore(doc), getSuggestion(doc, 's2')!);
    expect(again.createTracks).toEqual([]);
    expect(again.add.filter((n) => n.trackId === alto.id)).toHaveLength(4);
    expect(again.add.some((n) => n.trackId === tenorByHand.id)).toBe(false);
    expect(uniqueTrackName('Alto', ['alto', 'Alto 2'])).toBe('Alto 3');
  });

  it('rewrite/infill: writes into the chosen track within the bars, removes only notes still present, skips a deleted track', () => {
    const { doc, melody } = session();
    const target = readNotes(doc);
    const notes: SuggestionNote[] = [
      { voice: 'melody', trackId: melody, pitch: 60, start: 0, duration: 240, velocity: 70 },
      { voice: 'melody', trackId: melody, pitch: 62, start: 240, duration: 240, velocity: 70 },
      { voice: 'gone', trackId: 'deletedTrack', pitch: 62, start: 240, duration: 240, velocity: 70 },
    ];
    writeSuggestion(doc, 's1', suggestion({ task: 'rewrite', sourceTrackId: melody, notes, remove: [target[0]!.id, target[1]!.id], voices: [] }), 'server');
    deleteNotes(doc, [target[1]!.id]); // someone deleted one meanwhile
    const s = getSuggestion(doc, 's1')!;
    const plan = planAccept(readScore(doc), s);
    expect(plan.createTracks).toEqual([]);
    expect(plan.remove).toEqual([target[0]!.id]);
    expect(plan.skipped).toBe(1);
    expect(plan.add.map((n) => [n.trackId, n.pitch])).toEqual([
      [melody, 60],
      [melody, 62],
    ]);
    const diff = diffAgainstNow(readScore(doc), s);
    expect(diff).toMatchObject({ unchanged: 0, skipped: 1, alreadyGone: 1, newTracks: 0 });
    expect(diff.removed.map((n) => n.id)).toEqual([target[0]!.id]);
    expect(diff.added).toHaveLength(2);
  });

  it('diffAgainstNow counts notes that would be written again identically as unchanged', () => {
    const { doc, melody } = session();
    writeSuggestion(doc, 's1', suggestion({ sourceTrackId: melody }), 'server');
    acceptSuggestion(doc, 's1', 'pA', 'a');
    const sameNotes = voices();
    sameNotes[0] = { ...sameNotes[0]!, pitch: sameNotes[0]!.pitch + 1 };
    writeSuggestion(doc, 's2', suggestion({ sourceTrackId: melody, requestId: 'r2', notes: sameNotes }), 'server');
    const diff = diffAgainstNow(readScore(doc), getSuggestion(doc, 's2')!);
    expect(diff).toMatchObject({ unchanged: 11, newTracks: 0 });
    expect(diff.added.map((n) => n.pitch)).toEqual([68]);
    expect(diff.removed.map((n) => n.pitch)).toEqual([67]);
  });
});
