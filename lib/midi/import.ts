// Standard MIDI file → Score. Ticks are rescaled from the file's PPQ to ours (480); every tempo and
// time-signature event (meta.tempos, meta.timeSignatures; 120 BPM without one), key and name come
// from the header; every MIDI track/channel with notes becomes a track
// (@tonejs/midi already splits a format-0 file's channels into separate tracks).
// A file is refused as a whole, before anything is written, when it holds more notes than a
// session may (MAX_NOTES), more tracks with notes than one import may create, or a note whose
// position or length does not fit the score's 32-bit tick range; a track only exists if it
// receives notes.
import { Midi } from './tonejs';
import {
  DEFAULT_META,
  MAX_BPM,
  MAX_TEMPO_CHANGES,
  MIN_BPM,
  PPQ,
  defaultTrack,
  metaSchema,
  newNoteId,
  newTrackId,
  ticksPerBar,
  timeSignatureSchema,
  type Meta,
  type Note,
  type Score,
  type TempoPoint,
  type TimeSignature,
  type TimeSignaturePoint,
  type Track,
} from '../score';
import { MAX_NOTES, MAX_TRACKS } from '../score/limits';
import { MidiImportError } from './errors';
import { DRUM_CHANNEL, instrumentFromMidi } from './instruments';
import { keyFromSharps, sharpsFromToneKey } from './key';

/** Notes one file may bring: what a whole session may hold. */
export const MAX_IMPORT_NOTES = MAX_NOTES;
/** Tracks one file may create: half a session's, so one import never fills it. */
export const MAX_IMPORT_TRACKS = MAX_TRACKS / 2;
/** The largest tick (start or duration) a score holds: noteSchema's 32-bit range. */
export const MAX_TICK = 2 ** 31 - 1;

function parse(bytes: Uint8Array): Midi {
  if (!(bytes instanceof Uint8Array) || bytes.length < 14) throw new MidiImportError('This file is too short to be a MIDI file.');
  if (chunkId(bytes, 0) !== 'MThd') throw new MidiImportError('This is not a MIDI file (it does not start with the "MThd" header).');
  checkChunks(bytes);
  let midi: Midi;
  try {
    midi = new Midi(bytes);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new MidiImportError(`The MIDI file is damaged and cannot be read (${why}).`);
  }
  const ppq = midi.header.ppq;
  if (!Number.isFinite(ppq) || ppq <= 0) throw new MidiImportError('The MIDI file uses SMPTE time division, which is not supported; re-export it with ticks per quarter note.');
  return midi;
}

function chunkId(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/** The parser tolerates cut-off files silently; walk the chunk table so a truncated upload is reported. */
function checkChunks(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getUint16(10);
  let at = 0;
  let tracks = 0;
  while (at + 8 <= bytes.length) {
    const len = view.getUint32(at + 4);
    if (at + 8 + len > bytes.length) throw new MidiImportError(`The MIDI file is damaged: chunk ${chunkId(bytes, at) === 'MTrk' ? `for track ${tracks + 1}` : 'data'} is cut off (truncated download?).`);
    if (chunkId(bytes, at) === 'MTrk') tracks++;
    at += 8 + len;
  }
  if (tracks < declared) throw new MidiImportError(`The MIDI file is damaged: its header declares ${declared} tracks but only ${tracks} are present.`);
}

/** 120 BPM: what the MIDI standard plays a file without a tempo event at. */
export const MIDI_DEFAULT_BPM = 120;

const clampBpm = (bpm: number) => Math.min(MAX_BPM, Math.max(MIN_BPM, bpm));

/**
 * A file stores whole microseconds per beat, so "90 BPM" arrives as 89.99995. The shortest decimal
 * (up to 3 places) within 1 µs per beat of the file's value is what its author meant; within 1 µs
 * per beat, onsets stay within 1 ms of the file's own timing for 1,000 beats per tempo segment.
 */
function tidyBpm(bpm: number): number {
  const us = 60_000_000 / bpm;
  for (const places of [0, 1, 2, 3]) {
    const f = 10 ** places;
    const candidate = Math.round(bpm * f) / f;
    if (Math.abs(60_000_000 / candidate - us) < 1) return candidate;
  }
  return bpm;
}

/**
 * Every tempo event, in our ticks: sorted, one per tick (the last event at a tick wins, as a player
 * applies them in order), first at tick 0 (120 BPM until the file's first event, per the standard).
 * BPM keeps the file's precision (tidyBpm) so onsets match its own timing; it is clamped to 20–400.
 */
function tempoMap(midi: Midi, scale: number): TempoPoint[] {
  const byTick = new Map<number, number>();
  for (const t of [...midi.header.tempos].sort((a, b) => a.ticks - b.ticks)) {
    if (!Number.isFinite(t.bpm) || !(t.bpm > 0) || !Number.isFinite(t.ticks)) continue;
    const tick = Math.min(MAX_TICK, Math.max(0, Math.round(t.ticks * scale)));
    byTick.set(tick, clampBpm(tidyBpm(t.bpm)));
  }
  if (!byTick.has(0)) byTick.set(0, MIDI_DEFAULT_BPM);
  const out = [...byTick].sort((a, b) => a[0] - b[0]).map(([tick, bpm]) => ({ tick, bpm }));
  // Consecutive equal tempos say nothing new; dropping them keeps long files under the bound.
  const deduped = out.filter((p, i) => i === 0 || p.bpm !== out[i - 1]!.bpm);
  return deduped.slice(0, MAX_TEMPO_CHANGES);
}

/** Every valid time-signature event, in our ticks, the same way (4/4 until the first event). */
function metreMap(midi: Midi, scale: number): TimeSignaturePoint[] {
  const byTick = new Map<number, TimeSignature>();
  for (const e of [...midi.header.timeSignatures].sort((a, b) => a.ticks - b.ticks)) {
    const ts = timeSignatureSchema.safeParse(e.timeSignature?.slice(0, 2));
    if (!ts.success || !Number.isFinite(e.ticks)) continue;
    byTick.set(Math.min(MAX_TICK, Math.max(0, Math.round(e.ticks * scale))), ts.data);
  }
  if (!byTick.has(0)) byTick.set(0, [4, 4]);
  const out = [...byTick].sort((a, b) => a[0] - b[0]).map(([tick, [numerator, denominator]]) => ({ tick, numerator, denominator }));
  const deduped = out.filter((p, i) => i === 0 || p.numerator !== out[i - 1]!.numerator || p.denominator !== out[i - 1]!.denominator);
  return deduped.slice(0, MAX_TEMPO_CHANGES);
}

function headerMeta(midi: Midi, scale: number, endTick: number): Meta {
  const meta: Meta = { ...DEFAULT_META, timeSignature: [...DEFAULT_META.timeSignature] as TimeSignature };
  meta.tempos = tempoMap(midi, scale);
  meta.bpm = meta.tempos[0]!.bpm;
  meta.timeSignatures = metreMap(midi, scale);
  meta.timeSignature = [meta.timeSignatures[0]!.numerator, meta.timeSignatures[0]!.denominator];
  const ks = midi.header.keySignatures[0];
  const sharps = ks ? sharpsFromToneKey(ks.key) : null;
  const key = ks && sharps !== null ? keyFromSharps(sharps, ks.scale === 'minor') : null;
  if (key && metaSchema.shape.key.safeParse(key).success) meta.key = key;
  const name = midi.header.name?.trim();
  if (name) meta.title = name.slice(0, 200);
  meta.lengthBars = Math.min(9999, Math.max(1, barsUpTo(meta.timeSignatures, endTick)));
  return meta;
}

/** Bars (whole or started) from tick 0 to `endTick` across the metre changes. */
function barsUpTo(sigs: readonly TimeSignaturePoint[], endTick: number): number {
  let bars = 0;
  for (let i = 0; i < sigs.length && sigs[i]!.tick < endTick; i++) {
    const s = sigs[i]!;
    const to = Math.min(endTick, sigs[i + 1]?.tick ?? Infinity);
    bars += Math.ceil((to - s.tick) / ticksPerBar([s.numerator, s.denominator]));
  }
  return bars;
}

/** Parses a .mid file into a fresh Score (new ids). Throws MidiImportError on anything unreadable. */
export function midiToScore(bytes: Uint8Array): Score {
  const midi = parse(bytes);
  const scale = PPQ / midi.header.ppq;
  const tracks: Track[] = [];
  const notes: Note[] = [];
  let end = 0;
  const withNotes = midi.tracks.filter((mt) => mt.notes.length > 0);
  if (withNotes.length > MAX_IMPORT_TRACKS) throw new MidiImportError(`The MIDI file has ${withNotes.length.toLocaleString('en')} tracks with notes; one import can create at most ${MAX_IMPORT_TRACKS}.`);
  const total = withNotes.reduce((n, mt) => n + mt.notes.length, 0);
  if (total > MAX_IMPORT_NOTES) throw new MidiImportError(`The MIDI file has ${total.toLocaleString('en')} notes, more than the ${MAX_IMPORT_NOTES.toLocaleString('en')} a session can hold.`);
  for (const mt of withNotes) {
    const percussion = mt.channel === DRUM_CHANNEL || mt.instrument.percussion;
    const instrument = instrumentFromMidi(mt.instrument.family, mt.instrument.number, percussion);
    const fallback = percussion ? 'Drums' : mt.instrument.name ? capitalise(mt.instrument.name) : `Track ${tracks.length + 1}`;
    const id = newTrackId();
    const before = notes.length;
    for (const n of mt.notes) {
      const start = Math.max(0, Math.round(n.ticks * scale));
      const duration = Math.max(1, Math.round(n.durationTicks * scale));
      const velocity = Math.min(127, Math.max(1, Math.round(n.velocity * 127)));
      if (!Number.isInteger(n.midi) || n.midi < 0 || n.midi > 127) continue;
      if (!(start <= MAX_TICK) || !(duration <= MAX_TICK)) {
        const where = Number.isFinite(n.ticks) ? `at tick ${Math.round(n.ticks).toLocaleString('en')} of the file` : 'at an unreadable position';
        throw new MidiImportError(`The MIDI file has a note ${where} that lies beyond the longest score Tutti can hold (${MAX_TICK.toLocaleString('en')} ticks); nothing was imported.`);
      }
      notes.push({ id: newNoteId(), trackId: id, pitch: n.midi, start, duration, velocity });
      end = Math.max(end, start + duration);
    }
    // A track only exists with notes in it: never an empty track from a file.
    if (notes.length > before) tracks.push({ ...defaultTrack(tracks.length, { name: (mt.name.trim() || fallback).slice(0, 100), instrument, order: tracks.length }), id });
  }
  notes.sort((a, b) => a.start - b.start || a.pitch - b.pitch);
  return { meta: headerMeta(midi, scale, end), tracks, notes };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
