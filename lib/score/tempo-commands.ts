// Edits of the tempo map and the metre changes (the ruler's tempo/metre lane). Each edit is a pure
// function from the current meta to a meta patch — the whole new sorted list plus the tick-0 value
// it mirrors (bpm / timeSignature) — validated by the score's zod schemas; writeTiming() writes a
// patch in ONE transaction with the caller's origin, so it syncs as one update and undoes as one step.
//
// Rules: the tick-0 entry can be edited, never moved or removed; one value per tick (setting at a tick
// that already has one replaces it, as does moving onto it); metre changes land on the bar line at or
// before the asked tick, counted under the metres before it (so a change never splits a bar).
// Later changes keep their ticks, like the notes: deleting a metre change never moves music.
import type * as Y from 'yjs';
import { setMeta } from './commands';
import { temposOf, timeSignatureAt, timeSignaturesOf } from './tempo-map';
import {
  parseOrThrow,
  tempoMapSchema,
  tempoPointSchema,
  ticksPerBar,
  timeSignatureMapSchema,
  timeSignaturePointSchema,
  ScoreValidationError,
  type Meta,
  type TempoPoint,
  type TimeSignature,
  type TimeSignaturePoint,
} from './types';

type TimedMeta = Pick<Meta, 'bpm' | 'timeSignature' | 'tempos' | 'timeSignatures'>;
export type TempoPatch = Required<Pick<Meta, 'bpm' | 'tempos'>>;
export type MetrePatch = Required<Pick<Meta, 'timeSignature' | 'timeSignatures'>>;

function tempoPatch(points: TempoPoint[]): TempoPatch {
  const tempos = parseOrThrow(tempoMapSchema, points, 'tempos');
  return { bpm: tempos[0]!.bpm, tempos };
}

function metrePatch(points: TimeSignaturePoint[]): MetrePatch {
  const timeSignatures = parseOrThrow(timeSignatureMapSchema, points, 'timeSignatures');
  const first = timeSignatures[0]!;
  return { timeSignature: [first.numerator, first.denominator] as TimeSignature, timeSignatures };
}

function tickOf(tick: number): number {
  if (!Number.isInteger(tick) || tick < 0) throw new ScoreValidationError(`invalid tick: ${tick} (a whole number ≥ 0)`);
  return tick;
}

/** Inserts or replaces the entry at p.tick, keeping the list sorted. */
function put<T extends { tick: number }>(list: readonly T[], p: T): T[] {
  return [...list.filter((q) => q.tick !== p.tick), p].sort((a, b) => a.tick - b.tick);
}

function without<T extends { tick: number }>(list: readonly T[], tick: number, what: string): T[] {
  if (tick === 0) throw new ScoreValidationError(`the ${what} at the start of the score can be edited but not removed or moved`);
  if (!list.some((p) => p.tick === tick)) throw new ScoreValidationError(`no ${what} change at tick ${tick}`);
  return list.filter((p) => p.tick !== tick);
}

/** Sets the tempo from `tick` on (a new change, or a new value for the one there; tick 0 sets meta.bpm). */
export function setTempoAt(meta: TimedMeta, tick: number, bpm: number): TempoPatch {
  const p = parseOrThrow(tempoPointSchema, { tick: tickOf(tick), bpm }, 'tempo');
  return tempoPatch(put(temposOf(meta), p));
}

/** Moves the tempo change at `from` to `to` (replacing any change there). */
export function moveTempo(meta: TimedMeta, from: number, to: number): TempoPatch {
  const list = temposOf(meta);
  const moved = list.find((p) => p.tick === from);
  const rest = without(list, from, 'tempo');
  if (tickOf(to) === 0) throw new ScoreValidationError('a tempo change cannot move onto the start of the score; edit the first tempo instead');
  return tempoPatch(put(rest, { tick: to, bpm: moved!.bpm }));
}

export function removeTempo(meta: TimedMeta, tick: number): TempoPatch {
  return tempoPatch(without(temposOf(meta), tick, 'tempo'));
}

/** The bar line at or before `tick` under the metres in `sigs` (sorted, first at 0). */
export function barLineAtOrBefore(sigs: readonly TimeSignaturePoint[], tick: number): number {
  const s = timeSignatureAt(sigs, tick);
  const bar = ticksPerBar([s.numerator, s.denominator]);
  return s.tick + Math.floor((tick - s.tick) / bar) * bar;
}

/**
 * Sets the metre from the bar line at or before `tick` (a new change, or a new value for the one
 * there; at tick 0 it sets meta.timeSignature). Returns the patch; `tick` of the change is
 * patch.timeSignatures' entry at barLineAtOrBefore(…).
 */
export function setMetreAt(meta: TimedMeta, tick: number, numerator: number, denominator: number): MetrePatch {
  const list = timeSignaturesOf(meta);
  const at = barLineAtOrBefore(list, tickOf(tick));
  const p = parseOrThrow(timeSignaturePointSchema, { tick: at, numerator, denominator }, 'time signature') as TimeSignaturePoint;
  return metrePatch(put(list, p));
}

/** Moves the metre change at `from` to the bar line at or before `to`, counted without the moved change. */
export function moveMetre(meta: TimedMeta, from: number, to: number): MetrePatch {
  const list = timeSignaturesOf(meta);
  const moved = list.find((p) => p.tick === from);
  const rest = without(list, from, 'metre');
  const at = barLineAtOrBefore(rest, tickOf(to));
  if (at === 0) throw new ScoreValidationError('a metre change cannot move onto the start of the score; edit the first metre instead');
  return metrePatch(put(rest, { ...moved!, tick: at }));
}

export function removeMetre(meta: TimedMeta, tick: number): MetrePatch {
  return metrePatch(without(timeSignaturesOf(meta), tick, 'metre'));
}

/** Writes a tempo or metre patch in one transaction (validated again against the whole meta). */
export function writeTiming(doc: Y.Doc, patch: TempoPatch | MetrePatch, origin: unknown = null): Meta {
  return setMeta(doc, patch, origin);
}
