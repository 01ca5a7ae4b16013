// From a Score and a request to the sampler's voice roll and back. The source (melody) track is the
// soprano; accompaniment voices are alto/tenor/bass. Time: 16th steps (120 ticks), the region in
// bars plus up to two bars of context either side; pitch: when the notes do not fit the 36–81
// window the whole request is shifted by octaves (and shifted back on the way out). Cells become notes
// by merging consecutive sounding steps of one pitch in one voice (the roll cannot tell a held
// note from a repeated one, as in the JSB data itself); only rows 0..ROLL_HIGH-ROLL_LOW are read,
// so the REST row (46) and the padding row (47) never become notes.
import { ticksPerBar, type Note, type NoteData, type NoteId, type Score, type TrackId } from '../../lib/score';
import { GeneratorParamError, type GenerateRequest, type NewTrack } from '../generator';
import { quantizeNote } from '../data/score-convert';
import { ROLL_HIGH, ROLL_LOW, TICKS_PER_STEP, TIME_MULTIPLE, VOICES } from './config';
import { cellIndex, emptyRoll, type VoiceRoll } from './encoding';
import type { ArcnnParams, ArcnnTask } from './params';
import { metreOf, metricalLevels } from '../transformer/meter';

const CONTEXT_STEPS = 32;
const MAX_REGION_BARS = 256;
/** Mean pitch of each JSB voice (S, A, T, B), for placing tracks on voices. */
const VOICE_MEANS = [69, 63, 57, 48];
const NEW_VOICES: NewTrack[] = [
  { ref: 'arcnn-alto', name: 'Alto', instrument: 'choir', role: 'accompaniment' },
  { ref: 'arcnn-tenor', name: 'Tenor', instrument: 'choir', role: 'accompaniment' },
  { ref: 'arcnn-bass', name: 'Bass', instrument: 'choir', role: 'accompaniment' },
];

interface Channel {
  /** Existing track id, or the ref of a new track. */
  track: string;
  editable: boolean;
}

export interface Plan {
  roll: VoiceRoll;
  editable: Uint8Array;
  /** Score step of roll step 0. */
  offset: number;
  /** Roll pitch = MIDI pitch + shift. */
  shift: number;
  /** Region in roll steps [from, to). */
  region: [number, number];
  channels: (Channel | null)[];
  newTracks: NewTrack[];
  /** Input notes the result may keep or remove, with their voice and clipped cell span. */
  editableNotes: { note: Note; v: number; p: number; t0: number; t1: number }[];
  /** Velocity of generated notes. */
  velocity: number;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Voices for k tracks sorted high → low: the increasing voice indices closest to their mean pitches. */
function placeTracks(means: (number | null)[]): number[] {
  let best: number[] = [];
  let bestCost = Infinity;
  const rec = (i: number, from: number, acc: number[], cost: number): void => {
    if (i === means.length) {
      if (cost < bestCost) (best = [...acc]), (bestCost = cost);
      return;
    }
    for (let v = from; v <= VOICES - (means.length - i); v++) {
      const m = means[i];
      rec(i + 1, v + 1, [...acc, v], cost + (m === null ? 0 : Math.abs(m - VOICE_MEANS[v]!)));
    }
  };
  rec(0, 0, [], 0);
  return best;
}

/**
 * Octave shift (multiple of 12) for the request: none when the reference notes fit the window
 * (a musician expects the parts in the register they wrote); otherwise the one that fits the most
 * of them, ties broken towards `target` (the mean pitch of the voice they will play).
 */
function octaveShift(pitches: number[], target: number): number {
  if (pitches.length === 0) return 0;
  const inside = (s: number): number => pitches.filter((p) => p + s >= ROLL_LOW && p + s <= ROLL_HIGH).length;
  if (inside(0) === pitches.length) return 0;
  let best = 0;
  let bestKey = [-1, Infinity];
  for (let s = -48; s <= 48; s += 12) {
    const k = inside(s);
    const dist = Math.abs(mean(pitches) + s - target);
    if (k > bestKey[0]! || (k === bestKey[0] && dist < bestKey[1]!)) (best = s), (bestKey = [k, dist]);
  }
  return best;
}

export function planRequest(score: Score, req: GenerateRequest, task: ArcnnTask, params: ArcnnParams): Plan {
  const trackIds = new Set(score.tracks.map((t) => t.id as string));
  for (const id of [...req.sourceTrackIds, ...(req.targetTrackIds ?? [])])
    if (!trackIds.has(id)) throw new GeneratorParamError(`track "${id}" does not exist in the score`);
  const byTrack = new Map<string, Note[]>();
  for (const n of score.notes) (byTrack.get(n.trackId) ?? byTrack.set(n.trackId, []).get(n.trackId)!).push(n);
  const notesOf = (id: string): Note[] => byTrack.get(id) ?? [];
  const source = req.sourceTrackIds[0];
  const targets = [...new Set((req.targetTrackIds ?? []).filter((id) => id !== source || !params.keepMelodyFixed))];
  const writesVoices = task === 'harmonize' || task === 'accompany';

  const channels: (Channel | null)[] = [null, null, null, null];
  let newTracks: NewTrack[] = [];
  if (writesVoices) {
    if (!source) throw new GeneratorParamError(`${task} needs a source (melody) track`);
    channels[0] = { track: source, editable: !params.keepMelodyFixed };
    const others = targets.filter((id) => id !== source);
    if (others.length > 3) throw new GeneratorParamError(`the AR-CNN writes at most 3 accompaniment voices (got ${others.length} target tracks)`);
    if (others.length === 0) {
      newTracks = NEW_VOICES;
      newTracks.forEach((t, i) => (channels[i + 1] = { track: t.ref, editable: true }));
    } else {
      const slots = others.length === 1 ? [3] : others.length === 2 ? [1, 3] : [1, 2, 3];
      others.forEach((id, i) => (channels[slots[i]!] = { track: id, editable: true }));
    }
  } else {
    if (targets.length === 0) throw new GeneratorParamError(`${task} needs target tracks to edit (targetTrackIds)`);
    const involved = [...new Set([...(source ? [source] : []), ...targets])];
    if (involved.length > VOICES) throw new GeneratorParamError(`the AR-CNN edits at most 4 tracks at once (source + targets = ${involved.length})`);
    const means = involved.map((id) => (notesOf(id).length ? mean(notesOf(id).map((n) => n.pitch)) : null));
    const order = involved.map((id, i) => ({ id, m: means[i] ?? null })).sort((a, b) => (b.m ?? 60) - (a.m ?? 60));
    const voices = placeTracks(order.map((o) => o.m));
    order.forEach((o, i) => (channels[voices[i]!] = { track: o.id, editable: targets.includes(o.id) }));
  }

  // Region and window, in score steps.
  const barSteps = Math.max(1, Math.round(ticksPerBar(score.meta.timeSignature) / TICKS_PER_STEP));
  const involvedNotes = channels.flatMap((c) => (c ? notesOf(c.track) : []));
  const lastStep = involvedNotes.reduce((m, n) => Math.max(m, quantizeNote(n)[1]), 0);
  const [barA, barB] = req.bars ?? [0, Math.max(1, Math.ceil(lastStep / barSteps))];
  if (!(Number.isInteger(barA) && Number.isInteger(barB) && barA >= 0 && barB > barA))
    throw new GeneratorParamError(`bars must be whole numbers [from, to) with 0 ≤ from < to (got [${barA}, ${barB}])`);
  if (barB - barA > MAX_REGION_BARS)
    throw new GeneratorParamError(`the region is ${barB - barA} bars; the AR-CNN edits at most ${MAX_REGION_BARS} bars per request`);
  const rs = barA * barSteps;
  const re = barB * barSteps;
  const offset = Math.max(0, rs - CONTEXT_STEPS);
  const end = Math.max(re, Math.min(re + CONTEXT_STEPS, lastStep));
  const steps = Math.ceil((end - offset) / TIME_MULTIPLE) * TIME_MULTIPLE;

  const ref = writesVoices ? notesOf(source!).map((n) => n.pitch) : involvedNotes.map((n) => n.pitch);
  const shift = octaveShift(ref, writesVoices ? VOICE_MEANS[0]! : 60);
  // A harmonisation starts and stops with the melody: no accompaniment before a pickup or after the end.
  const srcSpans = writesVoices ? notesOf(source!).map((n) => quantizeNote(n)) : [];
  const voiceFrom = srcSpans.length ? Math.min(...srcSpans.map((x) => x[0])) : 0;
  const voiceTo = srcSpans.length ? Math.max(...srcSpans.map((x) => x[1])) : Infinity;
  const roll = emptyRoll(steps);
  // The metre as the net sees it: each step's level (bar, beat, 8th, 16th) in the score's time signature.
  roll.levels = metricalLevels(steps, offset % barSteps, metreOf(score.meta.timeSignature));
  const editable = new Uint8Array(roll.data.length);
  const editableNotes: Plan['editableNotes'] = [];
  const top = ROLL_HIGH - ROLL_LOW;
  const fixedCells: number[] = [];
  channels.forEach((ch, v) => {
    if (!ch) return;
    for (const n of notesOf(ch.track)) {
      const [s, e] = quantizeNote(n);
      const p = n.pitch + shift - ROLL_LOW;
      if (e <= offset || s >= offset + steps || p < 0 || p > top) continue;
      const inRegion = ch.editable && s >= rs && s < re;
      if (inRegion) {
        const t0 = s - offset;
        const t1 = Math.min(e, re) - offset;
        editableNotes.push({ note: n, v, p, t0, t1 });
        // A harmonisation writes its voices afresh; rewrite/infill start from what is there.
        if (!writesVoices) for (let t = t0; t < t1; t++) roll.data[cellIndex(t, p, v)] = 1;
      } else {
        for (let t = Math.max(s, offset); t < Math.min(e, offset + steps); t++) {
          roll.data[cellIndex(t - offset, p, v)] = 1;
          fixedCells.push(cellIndex(t - offset, p, v));
        }
      }
    }
    if (!ch.editable) return;
    for (let t = Math.max(rs, voiceFrom) - offset; t < Math.min(re, voiceTo) - offset; t++) for (let p = 0; p <= top; p++) editable[cellIndex(t, p, v)] = 1;
  });
  for (const c of fixedCells) editable[c] = 0;
  const srcVel = source
    ? notesOf(source)
        .map((n) => n.velocity)
        .sort((a, b) => a - b)
    : [];
  const velocity = params.velocity ?? (srcVel.length ? srcVel[srcVel.length >> 1]! : 80);
  return { roll, editable, offset, shift, region: [rs - offset, re - offset], channels, newTracks, editableNotes, velocity };
}

/** The sampler's final roll as notes to add and notes to remove. */
export function rollToResult(plan: Plan, final: VoiceRoll): { add: NoteData[]; remove: NoteId[] } {
  const [r0, r1] = plan.region;
  const runs = new Map<string, number>(); // "v,p,t0,t1" → count
  const list: [number, number, number, number][] = [];
  plan.channels.forEach((ch, v) => {
    if (!ch?.editable) return;
    for (let p = 0; p <= ROLL_HIGH - ROLL_LOW; p++) {
      let t = r0;
      while (t < r1) {
        const c = cellIndex(t, p, v);
        if (!final.data[c] || !plan.editable[c]) {
          t++;
          continue;
        }
        const t0 = t;
        while (t < r1 && final.data[cellIndex(t, p, v)] && plan.editable[cellIndex(t, p, v)]) t++;
        const key = `${v},${p},${t0},${t}`;
        runs.set(key, (runs.get(key) ?? 0) + 1);
        list.push([v, p, t0, t]);
      }
    }
  });
  const remove: NoteId[] = [];
  for (const e of plan.editableNotes) {
    const key = `${e.v},${e.p},${e.t0},${e.t1}`;
    const k = runs.get(key) ?? 0;
    if (k > 0) runs.set(key, k - 1);
    else remove.push(e.note.id);
  }
  const add: NoteData[] = [];
  for (const [v, p, t0, t1] of list) {
    const key = `${v},${p},${t0},${t1}`;
    const k = runs.get(key) ?? 0;
    if (k === 0) continue; // an input note that stays exactly as it was
    runs.set(key, k - 1);
    const pitch = p + ROLL_LOW - plan.shift;
    if (pitch < 0 || pitch > 127) continue;
    add.push({
      trackId: plan.channels[v]!.track as TrackId,
      pitch,
      start: (t0 + plan.offset) * TICKS_PER_STEP,
      duration: (t1 - t0) * TICKS_PER_STEP,
      velocity: plan.velocity,
    });
  }
  return { add, remove };
}
