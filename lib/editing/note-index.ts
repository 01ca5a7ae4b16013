// A time index over notes so the canvas draws only what is on screen: notes sorted by start, plus
// the longest duration, so a visible range [from,to) is two binary searches and a short scan,
// independent of how many notes the session holds.
import type { Note } from '../score';

export class NoteIndex {
  private sorted: Note[] = [];
  private maxDuration = 0;

  constructor(notes: Iterable<Note> = []) {
    this.rebuild(notes);
  }

  rebuild(notes: Iterable<Note>): void {
    this.sorted = [...notes].sort((a, b) => a.start - b.start);
    this.maxDuration = 0;
    for (const n of this.sorted) this.maxDuration = Math.max(this.maxDuration, n.duration);
  }

  get size(): number {
    return this.sorted.length;
  }

  all(): readonly Note[] {
    return this.sorted;
  }

  /** First index whose start is >= tick. */
  private lowerBound(tick: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.start < tick) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Calls fn for every note sounding in [from, to) (within optional pitch bounds). */
  forEachInRange(from: number, to: number, fn: (n: Note) => void, pLow = 0, pHigh = 127): void {
    const end = this.lowerBound(to);
    for (let i = this.lowerBound(from - this.maxDuration); i < end; i++) {
      const n = this.sorted[i]!;
      if (n.start + n.duration > from && n.pitch >= pLow && n.pitch <= pHigh) fn(n);
    }
  }

  inRange(from: number, to: number): Note[] {
    const out: Note[] = [];
    this.forEachInRange(from, to, (n) => out.push(n));
    return out;
  }

  /** Notes whose start lies in [from, to): what the audio scheduler triggers in one window. */
  startingIn(from: number, to: number): Note[] {
    const out: Note[] = [];
    for (let i = this.lowerBound(from); i < this.sorted.length && this.sorted[i]!.start < to; i++) out.push(this.sorted[i]!);
    return out;
  }
}
