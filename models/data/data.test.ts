// The JSB pipeline: loader facts from the dataset README, and every encoding's round trip.
import { describe, expect, it } from 'vitest';
import type { Note, NoteId, Score, TrackId } from '../../lib/score';
import { DEFAULT_META } from '../../lib/score';
import { createRng } from '../runtime/rng';
import { JSB_SPLIT_SIZES, JsbMissingError, PITCH_HIGH, PITCH_LOW, REST, loadJsb, type Chorale } from './jsb';
import { choraleToRoll, getCell, rollToChorale, trackMatrix } from './pianoroll';
import { requireJsbForTests } from './require-jsb';
import { choraleToNotes, rollToNotes, scoreToChorale, scoreToRoll, TICKS_PER_STEP } from './score-convert';
import { TOKEN_BOS, TOKEN_REST, VOCAB_SIZE, choraleToTokens, tokensToChorale } from './tokens';
import { allWindows, sampleWindows, transpositionRange, windowStarts } from './windows';

const hasJsb = requireJsbForTests('JSB data pipeline');

describe.skipIf(!hasJsb)('JSB loader', () => {
  it('has the Boulanger-Lewandowski split sizes 229/76/77', () => {
    const d = loadJsb();
    expect([d.train.length, d.valid.length, d.test.length]).toEqual([JSB_SPLIT_SIZES.train, JSB_SPLIT_SIZES.valid, JSB_SPLIT_SIZES.test]);
    expect(d.train.length).toBe(229);
  });

  it('pitches span exactly 36..81, rests are -1, every step has 4 voices', () => {
    const d = loadJsb();
    let lo = Infinity, hi = -Infinity, rests = 0, fullRests = 0, badSteps = 0;
    for (const ch of [...d.train, ...d.valid, ...d.test])
      for (const step of ch) {
        if (step.length !== 4) badSteps++;
        if (step.every((p) => p === REST)) fullRests++;
        for (const p of step) {
          if (p === REST) rests++;
          else [lo, hi] = [Math.min(lo, p), Math.max(hi, p)];
        }
      }
    expect(badSteps).toBe(0);
    expect([lo, hi]).toEqual([PITCH_LOW, PITCH_HIGH]);
    expect(rests).toBe(1284); // README: 1,284 silent voice-steps
    expect(fullRests).toBe(256);
  });

  it('rests survive the roll encoding as empty columns', () => {
    const ch = loadJsb().valid.find((c) => c.some((s) => s.includes(REST)))!;
    const roll = choraleToRoll(ch);
    const t = ch.findIndex((s) => s.includes(REST));
    const k = ch[t]!.indexOf(REST);
    for (let p = 0; p < roll.pitches; p++) expect(getCell(roll, t, p, k)).toBe(0);
    expect(rollToChorale(roll)).toEqual(ch);
  });

  it('every chorale round-trips through roll and tokens', () => {
    for (const ch of loadJsb().train) {
      expect(rollToChorale(choraleToRoll(ch))).toEqual(ch);
      expect(tokensToChorale(choraleToTokens(ch))).toEqual(ch);
    }
  });

  it('a missing directory throws JsbMissingError naming the source', async () => {
    const prev = process.env.TUTTI_JSB_DIR;
    process.env.TUTTI_JSB_DIR = '/nonexistent/jsb';
    try {
      expect(() => loadJsb()).toThrow(JsbMissingError);
      expect(() => loadJsb()).toThrow(/czhuang\/JSB-Chorales-dataset/);
    } finally {
      if (prev === undefined) delete process.env.TUTTI_JSB_DIR;
      else process.env.TUTTI_JSB_DIR = prev;
    }
  });

  it('sampled windows are bar multiples, transposed inside the pitch window, deterministic per seed', () => {
    const train = loadJsb().train;
    for (const bars of [2, 4, 8] as const) {
      const a = sampleWindows(train, bars, 200, createRng(5));
      const b = sampleWindows(train, bars, 200, createRng(5));
      expect(a).toEqual(b);
      for (const w of a) {
        expect(w.chorale).toHaveLength(bars * 16);
        expect(Math.abs(w.transpose)).toBeLessThanOrEqual(6);
        const flat = w.chorale.flat().filter((p) => p !== REST);
        expect(Math.min(...flat)).toBeGreaterThanOrEqual(PITCH_LOW);
        expect(Math.max(...flat)).toBeLessThanOrEqual(PITCH_HIGH);
        const src = train[w.index]!.slice(w.start, w.start + bars * 16);
        expect(w.chorale[0]!.map((p, k) => (p === REST ? REST : p - w.transpose))).toEqual(src[0]);
      }
      expect(new Set(a.map((w) => w.transpose)).size).toBeGreaterThan(5);
    }
  });
});

describe('windows (synthetic)', () => {
  const ch: Chorale = Array.from({ length: 40 }, (_, t) => [79 + (t % 3), 60, 50, t === 5 ? REST : 40]);
  it('starts and full windows', () => {
    expect(windowStarts(ch, 2, 4)).toEqual([0, 4, 8]);
    expect(allWindows([ch], 2).map((w) => w.start)).toEqual([0]);
    expect(() => windowStarts(ch, 3)).toThrow(/2, 4 or 8/);
  });
  it('transposition range keeps the highest (81) and lowest (40) notes inside 36..81', () => {
    expect(transpositionRange(ch)).toEqual([-4, 0]);
    for (const w of sampleWindows([ch], 2, 50, createRng(1))) expect(w.transpose >= -4 && w.transpose <= 0).toBe(true);
  });
});

describe('tokens', () => {
  it('one token per voice per step in S,A,T,B order with a rest token; held notes repeat', () => {
    const ch: Chorale = [[72, 67, 64, 48], [72, 67, REST, 48]];
    const toks = choraleToTokens(ch);
    expect(toks).toEqual([72 - 35, 67 - 35, 64 - 35, 48 - 35, 72 - 35, 67 - 35, TOKEN_REST, 48 - 35]);
    expect(Math.max(...toks)).toBeLessThan(VOCAB_SIZE);
    expect(tokensToChorale([TOKEN_BOS, ...toks])).toEqual(ch);
    expect(() => tokensToChorale(toks.slice(0, 7))).toThrow(/whole number/);
    expect(() => choraleToTokens([[90, 60, 50, 40]])).toThrow(/no token/);
  });
});

const ids = ['S', 'A', 'T', 'B'] as TrackId[];
function score(notes: Array<[string, number, number, number]>): Score {
  return {
    meta: DEFAULT_META,
    tracks: [],
    notes: notes.map(([trackId, pitch, start, duration], i) => ({ id: `n${i}` as NoteId, trackId: trackId as TrackId, pitch, start, duration, velocity: 90 }) satisfies Note),
  };
}
const strip = (ns: Array<{ trackId: string; pitch: number; start: number; duration: number }>) =>
  ns.map(({ trackId, pitch, start, duration }) => ({ trackId, pitch, start, duration })).sort((a, b) => a.trackId.localeCompare(b.trackId) || a.start - b.start || a.pitch - b.pitch);

describe('score ⇄ grids', () => {
  const q = TICKS_PER_STEP;
  const sc = score([
    ['S', 72, 0, 4 * q], ['S', 74, 4 * q, 2 * q], ['S', 76, 8 * q, 8 * q],
    ['A', 67, 0, 16 * q],
    ['T', 60, 2 * q, 6 * q], ['T', 64, 2 * q, 2 * q],
    ['B', 48, 0, 8 * q], ['B', 43, 8 * q, 8 * q],
  ]);

  it('score → roll → score is the identity for grid-aligned notes (chords included)', () => {
    const roll = scoreToRoll(sc, ids);
    expect(roll.steps).toBe(16);
    expect(strip(rollToNotes(roll, ids))).toEqual(strip(sc.notes));
  });

  it('score → chorale → tokens → chorale → score is the identity for monophonic voices', () => {
    const mono = score(sc.notes.filter((n) => n.pitch !== 64).map((n) => [n.trackId, n.pitch, n.start, n.duration]));
    const ch = scoreToChorale(mono, ids);
    expect(ch[5]).toEqual([74, 67, 60, 48]);
    expect(ch[6]).toEqual([REST, 67, 60, 48]);
    expect(strip(choraleToNotes(tokensToChorale(choraleToTokens(ch)), ids))).toEqual(strip(mono.notes));
  });

  it('quantises to the nearest 16th, never to zero length, and folds out-of-range pitches by octaves', () => {
    const off = score([['S', 72, 50, 100], ['S', 100, 245, 10], ['B', 20, 0, 480]]);
    const roll = scoreToRoll(off, ids);
    expect(strip(rollToNotes(roll, ids))).toEqual(strip([
      { trackId: 'S', pitch: 72, start: 0, duration: 120 },
      { trackId: 'S', pitch: 76, start: 240, duration: 120 },
      { trackId: 'B', pitch: 44, start: 0, duration: 480 },
    ]));
    expect(rollToNotes(scoreToRoll(off, ids, { outOfRange: 'drop' }), ids)).toHaveLength(1);
  });

  it('excerpts: fromStep/steps cut the grid and offset the notes back', () => {
    const roll = scoreToRoll(sc, ids, { fromStep: 4, steps: 8 });
    expect(roll.steps).toBe(8);
    const back = rollToNotes(roll, ids, { fromStep: 4 });
    expect(back.find((n) => n.trackId === 'A')).toMatchObject({ start: 4 * q, duration: 8 * q });
    expect(trackMatrix(roll, 0)[0]![74 - PITCH_LOW]).toBe(1);
  });
});
