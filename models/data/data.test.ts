// The JSB pipeline: loader facts from the dataset README, and every encoding's round trip.
import { describe, expect, it } from 'vitest';
import { createRng } from '../runtime/rng';
import { JSB_SPLIT_SIZES, JsbMissingError, PITCH_HIGH, PITCH_LOW, REST, loadJsb, type Chorale } from './jsb';
import { requireJsbForTests } from './require-jsb';
import { fitPitch, quantizeNote, stepToTick, TICKS_PER_STEP, tickToStep } from './score-convert';
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
    let lo = Infinity,
      hi = -Infinity,
      rests = 0,
      fullRests = 0,
      badSteps = 0;
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

  it('every chorale round-trips through tokens', () => {
    for (const ch of loadJsb().train) {
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
    const ch: Chorale = [
      [72, 67, 64, 48],
      [72, 67, REST, 48],
    ];
    const toks = choraleToTokens(ch);
    expect(toks).toEqual([72 - 35, 67 - 35, 64 - 35, 48 - 35, 72 - 35, 67 - 35, TOKEN_REST, 48 - 35]);
    expect(Math.max(...toks)).toBeLessThan(VOCAB_SIZE);
    expect(tokensToChorale([TOKEN_BOS, ...toks])).toEqual(ch);
    expect(() => tokensToChorale(toks.slice(0, 7))).toThrow(/whole number/);
    expect(() => choraleToTokens([[90, 60, 50, 40]])).toThrow(/no token/);
  });
});

describe('score ⇄ grid', () => {
  const q = TICKS_PER_STEP;

  it('quantises onsets and ends to the nearest 16th, never to zero length; steps map back to ticks', () => {
    expect(q).toBe(120);
    expect(quantizeNote({ start: 0, duration: 4 * q })).toEqual([0, 4]);
    expect(quantizeNote({ start: 50, duration: 100 })).toEqual([0, 1]);
    expect(quantizeNote({ start: 245, duration: 10 })).toEqual([2, 3]);
    expect(tickToStep(179)).toBe(1);
    expect(stepToTick(5)).toBe(5 * q);
  });

  it('folds out-of-range pitches by octaves into 36..81, or drops them', () => {
    expect(fitPitch(72)).toBe(72);
    expect(fitPitch(100)).toBe(76);
    expect(fitPitch(20)).toBe(44);
    expect(fitPitch(PITCH_LOW)).toBe(PITCH_LOW);
    expect(fitPitch(PITCH_HIGH + 1)).toBe(PITCH_HIGH + 1 - 12);
    expect(fitPitch(100, 'drop')).toBeNull();
    expect(fitPitch(60, 'drop')).toBe(60);
  });
});
