// The score's tempo map and metre changes, and the pure tick ⇄ seconds conversion that playback,
// the metronome, the playhead, WAV export and MIDI import/export all share.
// One rule keeps old documents and the toolbar's BPM field working: meta.bpm and
// meta.timeSignature are the values at tick 0; meta.tempos / meta.timeSignatures (optional) add the
// changes after it. Their own tick-0 entries mirror meta.bpm / meta.timeSignature and are
// overridden by them, so editing the BPM field never leaves two disagreeing first tempos.
import { PPQ, type TempoPoint, type TimeSignature, type TimeSignaturePoint } from './types';

interface TimedMeta {
  bpm: number;
  timeSignature: TimeSignature;
  tempos?: readonly TempoPoint[];
  timeSignatures?: readonly TimeSignaturePoint[];
}

/** The tempo map in force: meta.bpm at tick 0, then meta.tempos' later changes. */
export function temposOf(meta: TimedMeta): TempoPoint[] {
  return [{ tick: 0, bpm: meta.bpm }, ...(meta.tempos ?? []).filter((t) => t.tick > 0)];
}

/** The metre changes in force: meta.timeSignature at tick 0, then meta.timeSignatures' later ones. */
export function timeSignaturesOf(meta: TimedMeta): TimeSignaturePoint[] {
  const [numerator, denominator] = meta.timeSignature;
  return [{ tick: 0, numerator, denominator }, ...(meta.timeSignatures ?? []).filter((t) => t.tick > 0)];
}

/**
 * A tempo map ready for conversions: each segment's start in seconds is precomputed, so a
 * conversion is one binary search. Build once per meta change, not per call.
 */
export class TempoMap {
  private readonly ticks: number[];
  private readonly secs: number[];
  /** Seconds per tick of each segment. */
  private readonly spt: number[];

  constructor(points: readonly TempoPoint[]) {
    if (points.length === 0 || points[0]!.tick !== 0) throw new RangeError('a tempo map starts at tick 0');
    this.ticks = points.map((p) => p.tick);
    this.spt = points.map((p) => 60 / (p.bpm * PPQ));
    this.secs = [0];
    for (let i = 1; i < points.length; i++) this.secs.push(this.secs[i - 1]! + (this.ticks[i]! - this.ticks[i - 1]!) * this.spt[i - 1]!);
  }

  static of(meta: TimedMeta): TempoMap {
    return new TempoMap(temposOf(meta));
  }

  /** Seconds from tick 0 to `tick` (fractional ticks allowed). */
  seconds(tick: number): number {
    const i = lastAtOrBefore(this.ticks, tick);
    return this.secs[i]! + (tick - this.ticks[i]!) * this.spt[i]!;
  }

  /** The (fractional) tick sounding `seconds` after tick 0: the inverse of seconds(). */
  tick(seconds: number): number {
    const i = lastAtOrBefore(this.secs, seconds);
    return this.ticks[i]! + (seconds - this.secs[i]!) / this.spt[i]!;
  }

  /** BPM in force at `tick`. */
  bpmAt(tick: number): number {
    return 60 / (this.spt[lastAtOrBefore(this.ticks, tick)]! * PPQ);
  }
}

/** Index of the last element ≤ x in an ascending array whose first element is ≤ x (else 0). */
function lastAtOrBefore(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The metre in force at `tick`, with the tick its bar grid counts from. */
export function timeSignatureAt(sigs: readonly TimeSignaturePoint[], tick: number): TimeSignaturePoint {
  return sigs[lastAtOrBefore(sigs.map((s) => s.tick), tick)]!;
}

/** Metronome beats in [from, to): each beat's tick and whether it starts a bar. */
export function beatsIn(sigs: readonly TimeSignaturePoint[], from: number, to: number): { tick: number; downbeat: boolean }[] {
  const out: { tick: number; downbeat: boolean }[] = [];
  for (let i = 0; i < sigs.length; i++) {
    const s = sigs[i]!;
    const segEnd = Math.min(to, sigs[i + 1]?.tick ?? Infinity);
    if (segEnd <= from) continue;
    if (s.tick >= to) break;
    const beat = (PPQ * 4) / s.denominator;
    const bar = beat * s.numerator;
    let t = s.tick + Math.ceil((Math.max(from, s.tick) - s.tick) / beat) * beat;
    for (; t < segEnd; t += beat) out.push({ tick: t, downbeat: (t - s.tick) % bar === 0 });
  }
  return out;
}
