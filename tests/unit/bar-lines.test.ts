// Bars and grid lines across metre changes (lib/editing/bar-lines.ts): what the roll's grid, the
// ruler's bar numbers and the loop range all use.
import { describe, expect, it } from 'vitest';
import { BarGrid, barGridOf } from '@/lib/editing/bar-lines';
import { DEFAULT_META, PPQ, type TimeSignaturePoint } from '@/lib/score';

const Q = PPQ; // a quarter note
const sig = (tick: number, numerator: number, denominator: number) => ({ tick, numerator, denominator }) as TimeSignaturePoint;

// 4/4 for bars 1–2, 3/4 for bars 3–4, 6/8 from bar 5 on.
const grid = new BarGrid([sig(0, 4, 4), sig(8 * Q, 3, 4), sig(14 * Q, 6, 8)]);

describe('BarGrid: 4/4 → 3/4 → 6/8', () => {
  it('puts each bar where the metre in force says', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((b) => grid.barStart(b))).toEqual([0, 4 * Q, 8 * Q, 11 * Q, 14 * Q, 17 * Q, 20 * Q]);
    expect(grid.barAt(0)).toBe(0);
    expect(grid.barAt(8 * Q - 1)).toBe(1);
    expect(grid.barAt(8 * Q)).toBe(2);
    expect(grid.barAt(13 * Q)).toBe(3);
    expect(grid.barAt(16 * Q)).toBe(4);
    expect(grid.barAt(17 * Q)).toBe(5);
    expect(grid.barFloor(12 * Q)).toBe(11 * Q);
    expect(grid.barRound(12 * Q)).toBe(11 * Q);
    expect(grid.barRound(13 * Q)).toBe(14 * Q);
  });

  it('lists bar lines, beats and sub-beats counted from each change', () => {
    const lines = grid.lines(6 * Q, 18 * Q, Q / 2, 1);
    const bars = lines.filter((l) => l.kind === 'bar').map((l) => [l.tick / Q, l.bar]);
    expect(bars).toEqual([
      [8, 2],
      [11, 3],
      [14, 4],
      [17, 5],
    ]);
    // 3/4 beats are quarters; 6/8 beats are eighths, so every eighth line there is a beat.
    const beats = lines.filter((l) => l.kind === 'beat').map((l) => l.tick / Q);
    expect(beats).toEqual([6, 7, 9, 10, 12, 13, 14.5, 15, 15.5, 16, 16.5, 17.5, 18]);
    expect(lines.filter((l) => l.kind === 'sub').map((l) => l.tick / Q)).toEqual([6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5]);
  });

  it('never draws a step that misses a bar line: falls back to beats, then whole bars', () => {
    // In 3/4 a 2-beat step (960) does not divide the bar (1440): with beats too dense, bars only.
    const mid = grid.lines(8 * Q, 14 * Q - 1, Q / 4, 1.5 * Q);
    expect(mid.map((l) => [l.tick / Q, l.kind])).toEqual([
      [8, 'bar'],
      [11, 'bar'],
    ]);
    // In 3/8 a quarter-note snap (480) does not divide the bar (720): eighth-note beats instead.
    const g38 = new BarGrid([sig(0, 3, 8)]);
    expect(g38.lines(0, 3 * Q, Q, 1).map((l) => [l.tick / Q, l.kind])).toEqual([
      [0, 'bar'],
      [0.5, 'beat'],
      [1, 'beat'],
      [1.5, 'bar'],
      [2, 'beat'],
      [2.5, 'beat'],
      [3, 'bar'],
    ]);
    // Spacing between a 3/4 and a 4/4 bar: every 4/4 bar, every 2nd of the shorter bars (by score bar index).
    expect(grid.lines(0, 30 * Q, Q / 4, 3.5 * Q).map((l) => l.bar)).toEqual([0, 1, 2, 4, 6, 8]);
    const sparse = grid.lines(0, 40 * Q, Q / 4, 5 * Q);
    expect(sparse.every((l) => l.kind === 'bar' && l.bar % 2 === 0)).toBe(true);
    expect(sparse.map((l) => l.tick / Q)).toEqual([0, 8, 14, 20, 26, 32, 38]);
  });

  it('lists bar starts in a range', () => {
    expect(grid.bars(9 * Q, 20 * Q).map((b) => [b.tick / Q, b.bar])).toEqual([
      [11, 3],
      [14, 4],
      [17, 5],
      [20, 6],
    ]);
  });
});

describe('BarGrid: a metre change mid-bar (from a MIDI file)', () => {
  // 4/4, then 3/4 from beat 6: bar 2 is cut short to two beats and still counts as a bar.
  const g = new BarGrid([sig(0, 4, 4), sig(6 * Q, 3, 4)]);
  it('restarts the bar grid at the change', () => {
    expect([0, 1, 2, 3].map((b) => g.barStart(b) / Q)).toEqual([0, 4, 6, 9]);
    expect(g.barAt(5 * Q)).toBe(1);
    expect(g.barAt(6 * Q)).toBe(2);
    expect(
      g
        .lines(0, 12 * Q, Q, 1)
        .filter((l) => l.kind === 'bar')
        .map((l) => l.tick / Q),
    ).toEqual([0, 4, 6, 9, 12]);
  });
});

describe('barGridOf', () => {
  it('reads meta.timeSignature at tick 0 (it wins over a stale first entry) and caches per meta object', () => {
    const meta = { ...DEFAULT_META, timeSignature: [3, 4] as [number, 4], timeSignatures: [sig(0, 4, 4), sig(6 * Q, 6, 8)] };
    const g = barGridOf(meta);
    expect(g).toBe(barGridOf(meta));
    expect([0, 1, 2, 3].map((b) => g.barStart(b) / Q)).toEqual([0, 3, 6, 9]);
    expect(barGridOf(DEFAULT_META).barStart(3)).toBe(12 * Q);
  });
});
