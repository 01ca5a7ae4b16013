// WAV export: renders the session (or the loop range) offline with Tone.Offline through the same
// AudioEngine as live playback, so instruments, mute, solo and volumes are those you hear.
import * as Tone from 'tone';
import { PPQ } from '@/lib/score';
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

export async function renderWav(src: EngineSource, range: WavRange, onProgress: (fraction: number) => void): Promise<Uint8Array> {
  // The export uses the sampled piano; wait for it if a piano track will sound.
  if (src.tracks().some((t) => t.instrument === 'piano')) await pianoSamples.load();
  const secPerTick = 60 / (src.meta().bpm * PPQ);
  const duration = (range.toTick - range.fromTick) * secPerTick + range.tail;
  let offline: Tone.OfflineContext | null = null;
  // Tone renders in two phases: its clock walks the timeline (our scheduling runs here, most of the
  // work), then the audio graph renders. Progress follows the clock; the last 10 % is the render.
  const timer = setInterval(() => offline && onProgress(Math.min(0.9, (0.9 * offline.currentTime) / duration)), 100);
  try {
    const buffer = await Tone.Offline(async (ctx) => {
      offline = ctx;
      const engine = new AudioEngine(src);
      engine.stopTick = range.toTick;
      engine.setLoop(false, 0, 0);
      engine.play(range.fromTick, 0);
    }, duration, 2, EXPORT_SAMPLE_RATE);
    onProgress(1);
    const channels = [0, 1].map((c) => buffer.getChannelData(Math.min(c, buffer.numberOfChannels - 1)));
    return encodeWav(channels, buffer.sampleRate);
  } finally {
    clearInterval(timer);
  }
}
