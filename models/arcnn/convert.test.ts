// Score ⇄ voice roll for requests: an unedited roll gives an empty result, edits come back as notes
// on the right tracks at the right ticks and pitches, notes outside the region are fixed context,
// and out-of-window melodies are shifted by octaves and shifted back.
import { describe, expect, it } from 'vitest';
import { DEFAULT_META, PPQ, defaultTrack, newNoteId, newTrackId, type Note, type Score, type Track } from '../../lib/score';
import { GeneratorParamError } from '../generator';
import { ROLL_LOW } from './config';
import { cellIndex } from './encoding';
import { parseParams } from './params';
import { planRequest, rollToResult } from './convert';

const tr = (i: number, name: string): Track => ({ ...defaultTrack(i, { name }), id: newTrackId() });
const nt = (t: Track, pitch: number, beat: number, beats = 1): Note => ({
  id: newNoteId(),
  trackId: t.id,
  pitch,
  start: beat * PPQ,
  duration: beats * PPQ,
  velocity: 77,
});

function twoTracks(): { s: Score; mel: Track; bass: Track } {
  const mel = tr(0, 'Melody');
  const bass = tr(1, 'Bass');
  const notes = [...[72, 74, 76, 77, 79, 77, 76, 74].map((p, i) => nt(mel, p, i)), ...[48, 43, 45, 41].map((p, i) => nt(bass, p, i * 2, 2))];
  return { s: { meta: { ...DEFAULT_META, lengthBars: 2 }, tracks: [mel, bass], notes }, mel, bass };
}

describe('AR-CNN score ⇄ roll', () => {
  it('places melody on the soprano and the bass track on the bass voice; an unedited roll changes nothing', () => {
    const { s, mel, bass } = twoTracks();
    const plan = planRequest(s, { task: 'rewrite', sourceTrackIds: [mel.id], targetTrackIds: [bass.id] }, 'rewrite', parseParams('rewrite', {}));
    expect(plan.channels[0]).toEqual({ track: mel.id, editable: false });
    expect(plan.channels[3]).toEqual({ track: bass.id, editable: true });
    expect(plan.roll.data[cellIndex(0, 72 - ROLL_LOW, 0)]).toBe(1);
    expect(plan.roll.data[cellIndex(8, 43 - ROLL_LOW, 3)]).toBe(1);
    expect(plan.roll.data[cellIndex(7, 48 - ROLL_LOW, 3)]).toBe(1);
    expect(plan.editable[cellIndex(0, 72 - ROLL_LOW, 0)]).toBe(0);
    expect(rollToResult(plan, plan.roll)).toEqual({ add: [], remove: [] });
  });

  it('turns edited cells into notes: a changed note is removed and its replacement added', () => {
    const { s, mel, bass } = twoTracks();
    const plan = planRequest(s, { task: 'rewrite', sourceTrackIds: [mel.id], targetTrackIds: [bass.id] }, 'rewrite', parseParams('rewrite', {}));
    const data = new Uint8Array(plan.roll.data);
    // Second bass note (G2, steps 8–15): move its second half to A2.
    for (let t = 12; t < 16; t++) (data[cellIndex(t, 43 - ROLL_LOW, 3)] = 0), (data[cellIndex(t, 45 - ROLL_LOW, 3)] = 1);
    const res = rollToResult(plan, { steps: plan.roll.steps, data });
    const g2 = s.notes.find((n) => n.trackId === bass.id && n.pitch === 43)!;
    const a2 = s.notes.find((n) => n.trackId === bass.id && n.pitch === 45)!;
    // The new A2 cells (12–15) run into the next A2 note (16–23): the roll cannot tell a held
    // note from a repeated one, so they merge into one note and that input note is replaced too.
    expect(res.remove.sort()).toEqual([g2.id, a2.id].sort());
    expect(res.add).toHaveLength(2);
    expect(res.add).toEqual(
      expect.arrayContaining([
        { trackId: bass.id, pitch: 43, start: 8 * 120, duration: 4 * 120, velocity: 77 },
        { trackId: bass.id, pitch: 45, start: 12 * 120, duration: 12 * 120, velocity: 77 },
      ]),
    );
  });

  it('keeps notes outside the bar region fixed and edits only inside it', () => {
    const { s, mel, bass } = twoTracks();
    const plan = planRequest(s, { task: 'infill', sourceTrackIds: [mel.id], targetTrackIds: [bass.id], bars: [1, 2] }, 'infill', parseParams('infill', {}));
    for (let t = 0; t < plan.roll.steps; t++)
      for (let p = 0; p < 46; p++) if (plan.editable[cellIndex(t, p, 3)]) expect(t + plan.offset).toBeGreaterThanOrEqual(16);
    expect(plan.editableNotes.every((e) => e.note.start >= 4 * PPQ)).toBe(true);
  });

  it('shifts an out-of-window melody by octaves and shifts the voices back', () => {
    const mel = tr(0, 'Piccolo');
    const s: Score = { meta: DEFAULT_META, tracks: [mel], notes: [96, 98, 100, 101].map((p, i) => nt(mel, p, i)) };
    const plan = planRequest(s, { task: 'harmonize', sourceTrackIds: [mel.id] }, 'harmonize', parseParams('harmonize', {}));
    expect(plan.shift).toBe(-24);
    const data = new Uint8Array(plan.roll.data);
    data[cellIndex(0, 60 - ROLL_LOW, 1)] = 1;
    const res = rollToResult(plan, { steps: plan.roll.steps, data });
    expect(res.add).toEqual([{ trackId: 'arcnn-alto', pitch: 84, start: 0, duration: 120, velocity: 77 }]);
  });

  it('rejects requests it cannot serve', () => {
    const { s, mel, bass } = twoTracks();
    const p = parseParams('rewrite', {});
    expect(() => planRequest(s, { task: 'rewrite', sourceTrackIds: [mel.id] }, 'rewrite', p)).toThrow(GeneratorParamError);
    expect(() => planRequest(s, { task: 'rewrite', sourceTrackIds: [mel.id], targetTrackIds: [bass.id], bars: [0, 1000] }, 'rewrite', p)).toThrow(
      /at most 256 bars/,
    );
    expect(() => parseParams('harmonize', { iterations: 1.5 })).toThrow(GeneratorParamError);
  });
});
