// The GAN as a Tutti generator (the lifecycle: load the committed generator, generate, dispose).
// Task `accompany` (alias `harmonize`, which for this model is the same operation): the source
// track(s) are the melody; three new tracks Alto, Tenor and Bass are returned. The seed fixes the
// per-bar noise (and the draws when temperature > 0).
import { ticksPerBar, type Instrument, type NoteData, type TrackId } from '../../lib/score';
import { REST } from '../data/jsb';
import { TICKS_PER_STEP } from '../data/score-convert';
import {
  GenerationAbortedError,
  GeneratorParamError,
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type Generator,
  type NewTrack,
  type Score,
} from '../generator';
import { initRuntime } from '../runtime/index';
import { loadOnce } from '../runtime/load-once';
import type { GanConfig } from './config';
import { lineToNotes, melodyLine, toSopranoRegister } from './convert';
import type { Params } from './network';
import { GAN_TASKS, parseGanParams, sampleOptions } from './params';
import { accompanyMelody } from './sampler';
import { disposeParams, loadCommittedGenerator, loadWeights } from './weights';

/** Bars of melody read on each side of the requested range (the generator's receptive field). */
export const CONTEXT_BARS = 2;
export const MAX_BARS = 1024;

const INSTRUMENTATIONS: Record<string, [Instrument, Instrument, Instrument]> = {
  strings: ['strings', 'strings', 'bass'],
  choir: ['choir', 'choir', 'choir'],
  organ: ['organ', 'organ', 'organ'],
  piano: ['piano', 'piano', 'piano'],
};

const VOICE_TRACKS = [
  { ref: 'gan-alto', name: 'Alto' },
  { ref: 'gan-tenor', name: 'Tenor' },
  { ref: 'gan-bass', name: 'Bass' },
] as const;

export interface GanGeneratorOptions {
  /** Load weights from this directory instead of models/weights/gan (tests, eval of a checkpoint). */
  weightsDir?: string;
}

export class GanGenerator implements Generator {
  readonly name = 'gan' as const;
  readonly tasks = GAN_TASKS;
  private model: { params: Params; config: GanConfig } | null = null;
  /** A failed load stays failed until dispose(). */
  private readonly load = loadOnce(
    async () => {
      await initRuntime();
      const l = this.opts.weightsDir ? loadWeights(this.opts.weightsDir, 'generator', false) : loadCommittedGenerator();
      this.model = { params: l.params, config: l.config };
    },
    { keepFailure: true },
  );

  constructor(private readonly opts: GanGeneratorOptions = {}) {}

  initialize(): Promise<void> {
    return this.load();
  }

  async generate(score: Score, request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    const t0 = performance.now();
    const { signal, onProgress } = options;
    if (!(GAN_TASKS as readonly string[]).includes(request.task))
      throw new GeneratorParamError(`the GAN does not do "${request.task}" (it does ${GAN_TASKS.join(', ')})`);
    const params = parseGanParams(request.params);
    const seed = request.seed ?? 0;
    if (!Number.isFinite(seed)) throw new GeneratorParamError('seed must be a finite number');
    const sources = request.sourceTrackIds ?? [];
    if (sources.length === 0) throw new GeneratorParamError('accompany needs a melody: sourceTrackIds is empty');
    for (const id of sources) if (!score.tracks.some((t) => t.id === id)) throw new GeneratorParamError(`source track "${id}" does not exist`);
    if (request.targetTrackIds && request.targetTrackIds.length > 0)
      throw new GeneratorParamError('the GAN writes new Alto/Tenor/Bass tracks; targetTrackIds must be empty');
    const tpb = ticksPerBar(score.meta.timeSignature);
    if (tpb % TICKS_PER_STEP !== 0) throw new GeneratorParamError(`time signature ${score.meta.timeSignature.join('/')} does not fall on the 16th-note grid`);
    const spb = tpb / TICKS_PER_STEP;
    const [from, to] = this.barRange(score, request, sources, tpb);

    if (signal?.aborted) throw new GenerationAbortedError();
    onProgress?.(0);
    await this.initialize();
    if (signal?.aborted) throw new GenerationAbortedError();

    // Melody with CONTEXT_BARS of context each side, so a range joins its neighbours smoothly.
    const ctxFrom = Math.max(0, from - CONTEXT_BARS);
    const ctxTo = to + CONTEXT_BARS;
    const raw = melodyLine(score, sources, ctxFrom * spb, (ctxTo - ctxFrom) * spb);
    const inRange = raw.slice((from - ctxFrom) * spb, (to - ctxFrom) * spb);
    if (inRange.every((m) => m === REST)) throw new GeneratorParamError(`the melody has no notes in bars ${from + 1}–${to}`);
    const { line, shift } = toSopranoRegister(raw);
    onProgress?.(0.2);
    const { voices } = accompanyMelody(this.model!.params, this.model!.config, raw, line, sampleOptions(params, seed));
    if (signal?.aborted) throw new GenerationAbortedError();

    const instruments = INSTRUMENTATIONS[params.instrumentation]!;
    const newTracks: NewTrack[] = VOICE_TRACKS.map((v, i) => ({ ref: v.ref, name: v.name, instrument: instruments[i]!, role: 'accompaniment' }));
    const add: NoteData[] = [];
    voices.forEach((voice, i) => {
      const part = voice.slice((from - ctxFrom) * spb, (to - ctxFrom) * spb);
      add.push(...lineToNotes(part, VOICE_TRACKS[i]!.ref as TrackId, from * spb, params.velocity, -shift));
    });
    add.sort((a, b) => a.start - b.start || b.pitch - a.pitch);
    onProgress?.(1);
    return {
      newTracks,
      add,
      remove: [],
      stats: { bars: to - from, steps: (to - from) * spb, octave_shift: shift === 0 ? 0 : -shift, notes: add.length, ms: Math.round(performance.now() - t0) },
    };
  }

  /** The requested [from, to) bars, or the bars the melody spans. */
  private barRange(score: Score, request: GenerateRequest, sources: readonly TrackId[], tpb: number): [number, number] {
    if (request.bars) {
      const [from, to] = request.bars;
      if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to <= from)
        throw new GeneratorParamError(`bars must be [from, to) with 0 ≤ from < to (got [${from}, ${to}])`);
      if (to - from > MAX_BARS) throw new GeneratorParamError(`at most ${MAX_BARS} bars per request (got ${to - from})`);
      return [from, to];
    }
    let end = 0;
    for (const n of score.notes) if (sources.includes(n.trackId)) end = Math.max(end, n.start + n.duration);
    if (end === 0) throw new GeneratorParamError('the melody track has no notes');
    const to = Math.ceil(end / tpb);
    if (to > MAX_BARS) throw new GeneratorParamError(`the melody is ${to} bars long; at most ${MAX_BARS} bars per request`);
    return [0, to];
  }

  dispose(): void {
    if (this.model) disposeParams(this.model.params);
    this.model = null;
    this.load.reset();
  }
}

export function createGenerator(opts: GanGeneratorOptions = {}): Generator {
  return new GanGenerator(opts);
}
