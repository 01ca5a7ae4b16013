// WAV export: renders the session (or the loop range) offline with Tone.Offline through the same
// AudioEngine as live playback, so instruments, mute, solo and volumes are those you hear.
import * as Tone from 'tone';
import { PPQ, TempoMap } from '@/lib/score';
import { encodeWav } from '@/lib/audio/wav';
import { AudioEngine, type EngineSource } from './engine';
import { pianoSamples } from './piano-loader';

export const EXPORT_SAMPLE_RATE = 44100;
/** Seconds of release tail after the last note of a whole-session export. */
export const EXPORT_TAIL = 2;

export interface WavRange {
  fromTick: number;
  toTick: number;
  /** Loop exports stop exactly at the range end (so they loop); whole-session exports ring out. */
  tail: number;
}

/** The whole session: from 0 to the end of the last note, plus a release tail. */
export function sessionRange(src: EngineSource): WavRange {
  let end = 0;
  src.index().forEachInRange(0, Number.MAX_SAFE_INTEGER, (n) => void (end = Math.max(end, n.start + n.duration)));
  return { fromTick: 0, toTick: Math.max(end, PPQ), tail: EXPORT_TAIL };
}

/**
 * Ticks per offline render segment (16 quarter notes, a multiple of the scheduler's window). Tone
 * schedules a whole render before Web Audio renders it, so every note's nodes exist for the whole
 * render and one long render costs about notes × length; segments keep it proportional to length.
 */
const SEGMENT_TICKS = PPQ * 16;

export async function renderWav(src: EngineSource, range: WavRange, onProgress: (fraction: number) => void): Promise<Uint8Array> {
  // The export uses the sampled piano; wait for it if a piano track will sound.
  if (src.tracks().some((t) => t.instrument === 'piano')) await pianoSamples.load();
  // Seconds follow the tempo map (tempo changes), not one BPM.
  const map = TempoMap.of(src.meta());
  const sec = (tick: number) => map.seconds(tick) - map.seconds(range.fromTick);
  const duration = sec(range.toTick) + range.tail;
  const frames = Math.max(1, Math.round(duration * EXPORT_SAMPLE_RATE));
  const out = [new Float32Array(frames), new Float32Array(frames)];
  // Each segment renders the notes that start in it, for as long as they and their release last
  // (never past the end of the export), and is summed in at its offset. Mixing is linear (gain,
  // mute, solo; no shared effects), so the sum is the whole render.
  const segments: [number, number][] = [];
  for (let a = range.fromTick; a < range.toTick; ) {
    const b = Math.min(range.toTick, (Math.floor(a / SEGMENT_TICKS) + 1) * SEGMENT_TICKS);
    segments.push([a, b]);
    a = b;
  }
  for (let i = 0; i < segments.length; i++) {
    const [a, b] = segments[i]!;
    let lastEnd = b;
    for (const n of src.index().startingIn(a, b)) lastEnd = Math.max(lastEnd, n.start + n.duration);
    const offset = Math.round(sec(a) * EXPORT_SAMPLE_RATE);
    const seconds = Math.min(sec(Math.min(lastEnd, range.toTick)) - sec(a) + EXPORT_TAIL, (frames - offset) / EXPORT_SAMPLE_RATE);
    if (seconds <= 0) continue;
    let offline: Tone.OfflineContext | null = null;
    const timer = setInterval(() => offline && onProgress((i + (0.9 * offline.currentTime) / seconds) / segments.length), 100);
    try {
      const buffer = await Tone.Offline(async (ctx) => {
        offline = ctx;
        const engine = new AudioEngine(src);
        engine.stopTick = range.toTick;
        engine.startBefore = b;
        engine.setLoop(false, 0, 0);
        engine.play(a, 0);
      }, seconds, 2, EXPORT_SAMPLE_RATE);
      for (let c = 0; c < 2; c++) {
        const data = buffer.getChannelData(Math.min(c, buffer.numberOfChannels - 1));
        const dst = out[c]!;
        const n = Math.min(data.length, frames - offset);
        for (let j = 0; j < n; j++) dst[offset + j] = dst[offset + j]! + data[j]!;
      }
    } finally {
      clearInterval(timer);
    }
    onProgress((i + 1) / segments.length);
  }
  return encodeWav(out, EXPORT_SAMPLE_RATE);
}
