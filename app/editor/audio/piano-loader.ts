// Fetches and decodes the piano samples from our own server (public/samples/piano), once per page,
// with progress. Needs no Tone.js and no running AudioContext: decoding uses an
// OfflineAudioContext, so loading can start when the page opens, before any user gesture.
// The decoded AudioBuffers belong to no context; the live engine and the offline WAV renderer
// both build their samplers from them.
import { PIANO_LAYERS, pianoSampleFiles } from '@/lib/audio/piano-samples';

export interface PianoLoadState {
  loaded: number;
  total: number;
  ready: boolean;
  error: string | null;
}

/** layer number → MIDI pitch → decoded sample. */
export type PianoBuffers = Map<number, Map<number, AudioBuffer>>;

class PianoLoader {
  state: PianoLoadState = { loaded: 0, total: pianoSampleFiles().length, ready: false, error: null };
  buffers: PianoBuffers | null = null;
  private promise: Promise<PianoBuffers | null> | null = null;
  private listeners = new Set<() => void>();
  /** When every sample had loaded (performance.now(); the benchmark reads it). */
  readyAt: number | null = null;
  /** Notes played per velocity layer, live and offline (the tests check layers are honoured). */
  readonly plays = new Map<number, number>();

  get started(): boolean {
    return this.promise !== null;
  }

  /** Starts loading (idempotent); resolves with the buffers, or null if loading failed. */
  load(): Promise<PianoBuffers | null> {
    if (!this.promise) this.promise = this.run();
    return this.promise;
  }

  private set(patch: Partial<PianoLoadState>): void {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((fn) => fn());
  }

  private async run(): Promise<PianoBuffers | null> {
    try {
      const decoder = new OfflineAudioContext(2, 1, 44100);
      const out: PianoBuffers = new Map(PIANO_LAYERS.map((l) => [l.layer, new Map()]));
      const files = pianoSampleFiles();
      // A few requests at a time: all 48 at once would starve the page's other requests on a phone.
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const f = files[next++]!;
          const res = await fetch(f.url);
          if (!res.ok) throw new Error(`${f.url}: HTTP ${res.status}`);
          const buf = await decoder.decodeAudioData(await res.arrayBuffer());
          out.get(f.layer)!.set(f.pitch, buf);
          this.set({ loaded: this.state.loaded + 1 });
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      this.buffers = out;
      this.readyAt = performance.now();
      this.set({ ready: true });
      return out;
    } catch (e) {
      // The synthesised piano keeps playing; say why the samples are missing.
      this.set({ error: `Piano samples could not be loaded (${(e as Error).message}); using the synth piano.` });
      return null;
    }
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
}

export const pianoSamples = new PianoLoader();
