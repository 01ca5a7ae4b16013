// The pure tick ⇄ seconds conversion over a tempo map (lib/score/tempo-map.ts), the metronome's beat
// grid across metre changes, and the meta schema's bounds on tempos / timeSignatures.
import { describe, expect, it } from 'vitest';
import { beatsIn, metaSchema, DEFAULT_META, PPQ, TempoMap, temposOf, timeSignaturesOf } from '@/lib/score';

describe('TempoMap', () => {
  // 120 BPM for 4 beats (2 s), 60 BPM for 2 beats (2 s), then 240 BPM.
  const map = new TempoMap([
    { tick: 0, bpm: 120 },
    { tick: 4 * PPQ, bpm: 60 },
    { tick: 6 * PPQ, bpm: 240 },
  ]);

  it('converts ticks to seconds segment by segment', () => {
    expect(map.seconds(0)).toBe(0);
    expect(map.seconds(PPQ)).toBeCloseTo(0.5, 12);
    expect(map.seconds(4 * PPQ)).toBeCloseTo(2, 12);
    expect(map.seconds(5 * PPQ)).toBeCloseTo(3, 12);
    expect(map.seconds(6 * PPQ)).toBeCloseTo(4, 12);
    expect(map.seconds(10 * PPQ)).toBeCloseTo(5, 12);
    expect(map.seconds(PPQ / 2)).toBeCloseTo(0.25, 12);
  });

  it('inverts: tick(seconds(t)) = t, including fractional ticks', () => {
    for (const t of [0, 1, 479.5, 1920, 2000, 2880, 2881, 100_000]) expect(map.tick(map.seconds(t))).toBeCloseTo(t, 6);
    expect(map.tick(3)).toBeCloseTo(5 * PPQ, 9);
    expect(map.bpmAt(5 * PPQ)).toBeCloseTo(60, 9);
    expect(map.bpmAt(6 * PPQ)).toBeCloseTo(240, 9);
  });

  it('a single tempo is the old constant-rate formula', () => {
    const one = new TempoMap([{ tick: 0, bpm: 100 }]);
    expect(one.seconds(12_345)).toBeCloseTo((12_345 * 60) / (100 * PPQ), 12);
  });

  it('meta.bpm and meta.timeSignature are the tick-0 values; later entries are the changes', () => {
    const meta = { ...DEFAULT_META, bpm: 90, tempos: [{ tick: 0, bpm: 70 }, { tick: 960, bpm: 140 }] };
    expect(temposOf(meta)).toEqual([{ tick: 0, bpm: 90 }, { tick: 960, bpm: 140 }]);
    expect(temposOf(DEFAULT_META)).toEqual([{ tick: 0, bpm: DEFAULT_META.bpm }]);
    expect(timeSignaturesOf({ ...DEFAULT_META, timeSignature: [3, 4], timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }, { tick: 1440, numerator: 6, denominator: 8 }] })).toEqual([
      { tick: 0, numerator: 3, denominator: 4 },
      { tick: 1440, numerator: 6, denominator: 8 },
    ]);
  });
});

describe('beatsIn', () => {
  it('follows metre changes: one bar of 3/4, then 6/8', () => {
    const sigs = [
      { tick: 0, numerator: 3, denominator: 4 as const },
      { tick: 3 * PPQ, numerator: 6, denominator: 8 as const },
    ];
    const beats = beatsIn(sigs, 0, 6 * PPQ);
    expect(beats.map((b) => b.tick)).toEqual([0, 480, 960, 1440, 1680, 1920, 2160, 2400, 2640]);
    expect(beats.filter((b) => b.downbeat).map((b) => b.tick)).toEqual([0, 1440]);
    expect(beatsIn(sigs, 500, 1441).map((b) => b.tick)).toEqual([960, 1440]);
  });
});

describe('meta schema: tempos and timeSignatures', () => {
  const ok = (patch: object) => metaSchema.safeParse({ ...DEFAULT_META, ...patch }).success;
  it('accepts sorted maps from tick 0 and older metas without them', () => {
    expect(ok({})).toBe(true);
    expect(ok({ tempos: [{ tick: 0, bpm: 100 }, { tick: 960, bpm: 72.5 }] })).toBe(true);
    expect(ok({ timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }, { tick: 1920, numerator: 7, denominator: 8 }] })).toBe(true);
  });
  it('refuses unsorted, duplicate, not-from-zero, out-of-range, unknown-field and over-long maps', () => {
    expect(ok({ tempos: [] })).toBe(false);
    expect(ok({ tempos: [{ tick: 10, bpm: 100 }] })).toBe(false);
    expect(ok({ tempos: [{ tick: 0, bpm: 100 }, { tick: 960, bpm: 90 }, { tick: 480, bpm: 80 }] })).toBe(false);
    expect(ok({ tempos: [{ tick: 0, bpm: 100 }, { tick: 0, bpm: 90 }] })).toBe(false);
    expect(ok({ tempos: [{ tick: 0, bpm: 1000 }] })).toBe(false);
    expect(ok({ tempos: [{ tick: 0, bpm: 100, extra: 1 }] })).toBe(false);
    expect(ok({ tempos: Array.from({ length: 2001 }, (_, i) => ({ tick: i, bpm: 100 })) })).toBe(false);
    expect(ok({ tempos: Array.from({ length: 2000 }, (_, i) => ({ tick: i, bpm: 100 })) })).toBe(true);
    expect(ok({ timeSignatures: [{ tick: 0, numerator: 4, denominator: 3 }] })).toBe(false);
    expect(ok({ timeSignatures: [{ tick: 0, numerator: 0, denominator: 4 }] })).toBe(false);
  });
});
