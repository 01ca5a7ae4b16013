// Bars and beats across metre changes: where each bar starts, which bar a tick is in, and the grid
// lines the roll, the ruler and the loop/selection snapping draw and snap to. One definition, so the
// grid you see, the bar numbers on the ruler and the loop range you drag always agree.
//
// A metre change restarts the bar grid at its own tick (as beatsIn() in lib/score/tempo-map.ts
// counts metronome downbeats). Changes made in the editor land on bar lines; a change an imported
// MIDI file puts mid-bar cuts the bar before it short, and that short bar still counts as a bar
// (as lib/midi/import.ts counts lengthBars).
import { PPQ, timeSignaturesOf, type Meta, type TimeSignaturePoint } from '../score';

/** One stretch of constant metre. */
export interface MetreSegment {
  tick: number;
  /** First tick after this segment (Infinity for the last). */
  end: number;
  /** 0-based index of the segment's first bar in the whole score. */
  bar0: number;
  numerator: number;
  denominator: number;
  barTicks: number;
  beatTicks: number;
}

export interface GridLine {
  tick: number;
  kind: 'bar' | 'beat' | 'sub';
  /** 0-based index of the bar the line is in (the bar it starts, for a bar line). */
  bar: number;
}

export class BarGrid {
  readonly segments: readonly MetreSegment[];

  /** `sigs`: sorted by tick, the first at tick 0 (as timeSignaturesOf() returns them). */
  constructor(sigs: readonly TimeSignaturePoint[]) {
    if (sigs.length === 0 || sigs[0]!.tick !== 0) throw new RangeError('a metre map starts at tick 0');
    const segs: MetreSegment[] = [];
    for (let i = 0; i < sigs.length; i++) {
      const s = sigs[i]!;
      const beatTicks = (PPQ * 4) / s.denominator;
      const barTicks = beatTicks * s.numerator;
      const prev = segs[i - 1];
      const bar0 = prev ? prev.bar0 + Math.ceil((s.tick - prev.tick) / prev.barTicks) : 0;
      segs.push({ tick: s.tick, end: sigs[i + 1]?.tick ?? Infinity, bar0, numerator: s.numerator, denominator: s.denominator, barTicks, beatTicks });
    }
    this.segments = segs;
  }

  static of(meta: Pick<Meta, 'timeSignature' | 'timeSignatures'>): BarGrid {
    return new BarGrid(timeSignaturesOf({ bpm: 120, ...meta }));
  }

  /** The metre segment in force at `tick`. */
  at(tick: number): MetreSegment {
    return this.segments[this.indexAt(tick)]!;
  }

  private indexAt(tick: number): number {
    const s = this.segments;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]!.tick <= tick) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** 0-based index of the bar holding `tick` (bar 0 for negative ticks). */
  barAt(tick: number): number {
    if (tick <= 0) return 0;
    const s = this.at(tick);
    return s.bar0 + Math.floor((tick - s.tick) / s.barTicks);
  }

  /** First tick of the 0-based bar `bar` (bars past the last change keep its metre). */
  barStart(bar: number): number {
    if (bar <= 0) return 0;
    const s = this.segments;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]!.bar0 <= bar) lo = mid;
      else hi = mid - 1;
    }
    const seg = s[lo]!;
    return seg.tick + (bar - seg.bar0) * seg.barTicks;
  }

  /** The bar line at or before `tick`. */
  barFloor(tick: number): number {
    return this.barStart(this.barAt(tick));
  }

  /** The nearest bar line to `tick`. */
  barRound(tick: number): number {
    const a = this.barFloor(tick);
    const b = this.barStart(this.barAt(tick) + 1);
    return tick - a < b - tick ? a : b;
  }

  /** Bar lines in [from, to]: each bar's first tick and 0-based index. */
  bars(from: number, to: number): { tick: number; bar: number }[] {
    const out: { tick: number; bar: number }[] = [];
    let b = this.barAt(from);
    if (this.barStart(b) < from) b++;
    for (let t = this.barStart(b); t <= to; t = this.barStart(++b)) out.push({ tick: t, bar: b });
    return out;
  }

  /**
   * Grid lines in [from, to], no closer than `minSpacing` ticks. `fine` is the finest step wanted
   * (the snap value; 0 = a quarter of each beat). Steps are counted from each metre change, so a
   * line lands on every bar line; when even a beat is too dense, only every 1st/2nd/4th… bar is drawn.
   */
  lines(from: number, to: number, fine: number, minSpacing: number): GridLine[] {
    const out: GridLine[] = [];
    if (!(to >= from)) return out;
    for (let i = this.indexAt(Math.max(0, from)), seg = this.segments[i]; seg && seg.tick <= to; seg = this.segments[++i]) {
      const lo = Math.max(from, seg.tick);
      const hi = Math.min(to, seg.end - 1);
      if (hi < lo) continue;
      let step = fine > 0 ? fine : seg.beatTicks / 4;
      while (step < minSpacing) step *= 2;
      if (step > seg.beatTicks && seg.barTicks % step !== 0) step = seg.beatTicks >= minSpacing ? seg.beatTicks : seg.barTicks;
      if (step >= seg.barTicks) {
        // Whole bars only: every k-th bar of the score (k a power of two), so numbers stay regular.
        let k = 1;
        while (seg.barTicks * k < minSpacing) k *= 2;
        for (const b of this.bars(lo, hi)) if (b.bar % k === 0) out.push({ tick: b.tick, kind: 'bar', bar: b.bar });
        continue;
      }
      for (let t = seg.tick + Math.ceil((lo - seg.tick) / step) * step; t <= hi; t += step) {
        const off = t - seg.tick;
        const bar = seg.bar0 + Math.floor(off / seg.barTicks);
        out.push({ tick: t, kind: off % seg.barTicks === 0 ? 'bar' : off % seg.beatTicks === 0 ? 'beat' : 'sub', bar });
      }
    }
    return out;
  }
}

const cache = new WeakMap<object, BarGrid>();

/** The bar grid of a meta object, built once per meta value (meta objects are replaced, never mutated). */
export function barGridOf(meta: Pick<Meta, 'timeSignature' | 'timeSignatures'>): BarGrid {
  let g = cache.get(meta);
  if (!g) cache.set(meta, (g = BarGrid.of(meta)));
  return g;
}
