// The transformer as a Tutti generator (the lifecycle: load the committed weights, generate,
// dispose; the score side is ./convert.ts). Tasks:
// - harmonize: alto, tenor and bass under the source melody, into three new tracks (or three
//   target tracks, whose notes in the region are replaced). The melody itself is never touched.
//   With the melody-encoder model (issue 12; config.arch) the whole melody is read first and the
//   voices follow the score's metre; with the decoder-only model the soprano is forced token by
//   token.
// - continue: the source material is the context and the model extends it by N bars. A monophonic
//   source is a melody: its last bars are harmonised on the fly (so the model sees four voices, as
//   in training) and only the continued melody is written back. A polyphonic source (several
//   tracks, or chords) is split into S/A/T/B and all four voices are continued, each into the
//   source track nearest in pitch.
import { type NoteData, type NoteId, type Score, type TrackId } from '../../lib/score';
import { REST, type Chorale } from '../data/jsb';
import { stepToTick } from '../data/score-convert';
import { pitchToToken, tokenToPitch } from '../data/tokens';
import { GeneratorParamError, type GenerateOptions, type GenerateRequest, type GenerateResult, type Generator, type NewTrack } from '../generator';
import { initRuntime } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { VOICES_PER_STEP } from './config';
import { MELODY_SAMPLING_DEFAULTS } from './mel-config';
import { melodyPlan } from './mel-plan';
import { sampleHarmony } from './mel-sampler';
import { loadMelodyModel, type MelodyModel } from './mel-weights';
import { disposeParams } from './network';
import { MAX_HARMONIZE_BARS, TRANSFORMER_TASKS, parseParams, type TransformerParams } from './params';
import { decode, type Model } from './sampler';
import {
  checkTracks,
  isMonophonic,
  materialEnd,
  meanPitches,
  nearestTracks,
  octaveShift,
  soundingPitches,
  splitVoices,
  stepsPerBar,
  toModelPitch,
  voicesToNotes,
} from './convert';
import fs from 'node:fs';
import path from 'node:path';
import { WEIGHTS_DIR, loadWeights, readArch } from './weights';
import { loadOnce } from '../runtime/load-once';

export interface TransformerGeneratorOptions {
  /**
   * Weights directory (default: the committed models/weights/transformer). If it holds the
   * melody-encoder model (config.arch), that model harmonises and the decoder-only model in its
   * `decoder/` subdirectory continues; otherwise the decoder-only model does both.
   */
  weightsDir?: string;
  /** Use this decoder-only model instead of loading weights (tests with a tiny untrained model). */
  model?: Model;
  /** Use this melody-encoder model for harmonize (tests). */
  melodyModel?: MelodyModel;
}

/** Where the decoder-only model lives next to (or instead of) the melody-encoder one. */
export function decoderDir(dir: string): string {
  return readArch(dir) === 'melody-encoder' ? path.join(dir, 'decoder') : dir;
}

interface Decoded {
  chorale: Chorale;
  sampled: number;
  forced: number;
}

export class TransformerGenerator implements Generator {
  readonly name = 'transformer' as const;
  readonly tasks = TRANSFORMER_TASKS;
  private model: Model | null;
  private melodyModel: MelodyModel | null;
  private readonly ownsModel: boolean;
  private readonly ownsMelodyModel: boolean;
  /** A failed load stays failed until dispose() (as the GAN's). */
  private readonly load = loadOnce(
    async () => {
      await initRuntime();
      const dir = this.opts.weightsDir ?? WEIGHTS_DIR;
      if (this.opts.model || this.opts.melodyModel) return;
      if (readArch(dir) === 'melody-encoder') this.melodyModel = loadMelodyModel(dir);
      const dDir = decoderDir(dir);
      if (fs.existsSync(path.join(dDir, 'config.json'))) this.model = loadWeights(dDir);
    },
    { keepFailure: true },
  );

  constructor(private readonly opts: TransformerGeneratorOptions = {}) {
    this.model = opts.model ?? null;
    this.melodyModel = opts.melodyModel ?? null;
    this.ownsModel = !opts.model;
    this.ownsMelodyModel = !opts.melodyModel;
  }

  initialize(): Promise<void> {
    return this.load();
  }

  async generate(score: Score, request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    const t0 = performance.now();
    if (!(TRANSFORMER_TASKS as readonly string[]).includes(request.task))
      throw new GeneratorParamError(`the transformer does not do "${request.task}" (it does ${TRANSFORMER_TASKS.join(', ')})`);
    if (request.seed !== undefined && !Number.isFinite(request.seed)) throw new GeneratorParamError('seed must be a finite number');
    const params = parseParams(request.params);
    if (params.allTracks) {
      const pitched = score.tracks.filter((t) => t.instrument !== 'drums' && score.notes.some((n) => n.trackId === t.id)).map((t) => t.id);
      request = { ...request, sourceTrackIds: request.task === 'harmonize' ? pitched.filter((id) => !request.targetTrackIds?.includes(id)) : pitched };
    }
    checkTracks(score, request.sourceTrackIds, 'sourceTrackIds');
    if (request.bars) {
      const [a, b] = request.bars;
      if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b > a))
        throw new GeneratorParamError(`bars must be [from, to) with 0 ≤ from < to (got [${a}, ${b}])`);
    }
    await this.initialize();
    let result: GenerateResult;
    if (request.task === 'harmonize' && this.melodyModel)
      result = await this.harmonizeMelody(score, request, parseParams(request.params, MELODY_SAMPLING_DEFAULTS), options);
    else {
      if (!this.model)
        throw new Error(
          `the transformer has no decoder-only model for "${request.task}" (expected weights in ${decoderDir(this.opts.weightsDir ?? WEIGHTS_DIR)})`,
        );
      result = request.task === 'harmonize' ? await this.harmonize(score, request, params, options) : await this.continue(score, request, params, options);
    }
    const ms = performance.now() - t0;
    result.stats = { ...result.stats, ms: Math.round(ms) };
    return result;
  }

  private async run(plan: Array<number | null>, startsPiece: boolean, params: TransformerParams, seed: number, options: GenerateOptions): Promise<Decoded> {
    const tokens = await decode(this.model!, { tokens: plan, startsPiece }, { temperature: params.temperature, topP: params.topP }, createRng(seed), options);
    const chorale: Chorale = [];
    for (let i = 0; i < tokens.length; i += VOICES_PER_STEP) chorale.push(tokens.slice(i, i + VOICES_PER_STEP).map(tokenToPitch));
    const forced = plan.filter((t) => t !== null).length;
    return { chorale, sampled: plan.length - forced, forced };
  }

  /** Shared by both harmonisers: bar range, melody on the grid, target tracks. */
  private harmonizeInput(score: Score, request: GenerateRequest) {
    const spb = stepsPerBar(score);
    const source = request.sourceTrackIds;
    const from = request.bars ? request.bars[0] * spb : 0;
    const to = request.bars ? request.bars[1] * spb : Math.ceil(materialEnd(score, source) / spb) * spb;
    if (to <= from) throw new GeneratorParamError('harmonize: the source track has no notes');
    if (to - from > MAX_HARMONIZE_BARS * spb)
      throw new GeneratorParamError(`harmonize: at most ${MAX_HARMONIZE_BARS} bars at a time (asked for ${(to - from) / spb})`);
    const melody = soundingPitches(score, source, from, to - from).map((g) => g[0] ?? REST);
    if (melody.every((p) => p === REST)) throw new GeneratorParamError('harmonize: the source track has no notes in the requested bars');
    let targets: TrackId[] | null = null;
    if (request.targetTrackIds && request.targetTrackIds.length > 0) {
      if (request.targetTrackIds.length !== 3)
        throw new GeneratorParamError(`harmonize writes alto, tenor and bass: give 3 target tracks or none (got ${request.targetTrackIds.length})`);
      checkTracks(score, request.targetTrackIds, 'targetTrackIds');
      if (request.targetTrackIds.some((t) => source.includes(t))) throw new GeneratorParamError('harmonize: a target track cannot also be the melody');
      targets = [...request.targetTrackIds];
    }
    return { spb, from, to, melody, targets };
  }

  /** The result's tracks and removals for a harmonisation of steps [from, to). */
  private harmonyResult(
    score: Score,
    targets: TrackId[] | null,
    chorale: Chorale,
    fromStep: number,
    from: number,
    to: number,
    shift: number,
    velocity: number,
  ) {
    const newTracks: NewTrack[] = targets
      ? []
      : [
          { ref: 'alto', name: 'Alto', instrument: 'choir', role: 'accompaniment' },
          { ref: 'tenor', name: 'Tenor', instrument: 'choir', role: 'accompaniment' },
          { ref: 'bass', name: 'Bass', instrument: 'choir', role: 'accompaniment' },
        ];
    const ids = (targets ?? ['alto', 'tenor', 'bass']) as TrackId[];
    const add = voicesToNotes(chorale, [null, ...ids], fromStep, shift, velocity);
    const fromTick = stepToTick(from);
    const toTick = stepToTick(to);
    const remove: NoteId[] = targets ? score.notes.filter((n) => targets.includes(n.trackId) && n.start >= fromTick && n.start < toTick).map((n) => n.id) : [];
    return { newTracks, add, remove };
  }

  /**
   * The melody-encoder model: only the span from the melody's first note to its last is
   * harmonised (a pickup bar is accompanied from the pickup on, not before it), each step with
   * its metrical level from the score's time signature.
   */
  private async harmonizeMelody(score: Score, request: GenerateRequest, params: TransformerParams, options: GenerateOptions): Promise<GenerateResult> {
    const { spb, from, to, melody, targets } = this.harmonizeInput(score, request);
    const { first, shift, piece } = melodyPlan(melody, from % spb, score.meta.timeSignature);
    const lines = await sampleHarmony(
      this.melodyModel!,
      piece,
      { temperature: params.temperature, topP: params.topP, strictVoiceLeading: params.strictVoiceLeading },
      createRng(request.seed ?? 0),
      options,
    );
    const chorale: Chorale = lines[0]!.map((_, t) => [REST, lines[0]![t]!, lines[1]![t]!, lines[2]![t]!]);
    const res = this.harmonyResult(score, targets, chorale, from + first, from, to, shift, params.velocity);
    return {
      ...res,
      stats: {
        steps: chorale.length,
        tokens_sampled: 3 * chorale.length,
        pickup_steps: first,
        octave_shift: shift || 0,
        strict_voice_leading: params.strictVoiceLeading ? 1 : 0,
      },
    };
  }

  /** The decoder-only model: the soprano forced token by token, A/T/B sampled (no look-ahead). */
  private async harmonize(score: Score, request: GenerateRequest, params: TransformerParams, options: GenerateOptions): Promise<GenerateResult> {
    const { from, to, melody, targets } = this.harmonizeInput(score, request);
    const shift = octaveShift(melody);
    const plan: Array<number | null> = [];
    for (const p of melody) plan.push(pitchToToken(toModelPitch(p, shift)), null, null, null);
    const dec = await this.run(plan, true, params, request.seed ?? 0, options);
    const res = this.harmonyResult(score, targets, dec.chorale, from, from, to, shift, params.velocity);
    return { ...res, stats: { steps: melody.length, tokens_sampled: dec.sampled, tokens_forced: dec.forced, octave_shift: shift || 0 } };
  }

  private async continue(score: Score, request: GenerateRequest, params: TransformerParams, options: GenerateOptions): Promise<GenerateResult> {
    const spb = stepsPerBar(score);
    const source = request.sourceTrackIds;
    const end = materialEnd(score, source);
    if (end === 0) throw new GeneratorParamError('continue: the source track(s) have no notes to continue from');
    const ctxEnd = Math.ceil(end / spb) * spb;
    const nBars = params.bars ?? (request.bars ? request.bars[1] - request.bars[0] : 4);
    if (nBars > 32) throw new GeneratorParamError(`continue: at most 32 bars at a time (asked for ${nBars})`);
    // The continuation starts after the material, or at the requested bar if that is later.
    const start = request.bars && request.bars[0] * spb > ctxEnd ? request.bars[0] * spb : ctxEnd;
    // Only the last window's worth of context can influence the model; feed no more than that.
    const ctxFrom = Math.max(0, start - Math.floor((this.model!.cfg.maxLen - VOICES_PER_STEP) / VOICES_PER_STEP));
    const grid = soundingPitches(score, source, ctxFrom, start - ctxFrom);
    const melodyMode = isMonophonic(soundingPitches(score, source, 0, end));
    const ctx = grid.map((g) => (melodyMode ? [g[0] ?? REST, REST, REST, REST] : splitVoices(g)));
    const shift = octaveShift(ctx.map((v) => v[0]!));
    const plan: Array<number | null> = [];
    for (const v of ctx) {
      if (melodyMode) plan.push(pitchToToken(toModelPitch(v[0]!, shift)), null, null, null);
      else plan.push(...v.map((p) => pitchToToken(toModelPitch(p, shift))));
    }
    const newSteps = nBars * spb;
    for (let i = 0; i < newSteps * VOICES_PER_STEP; i++) plan.push(null);
    const dec = await this.run(plan, ctxFrom === 0, params, request.seed ?? 0, options);
    const continued = dec.chorale.slice(ctx.length);
    let add: NoteData[];
    if (melodyMode) add = voicesToNotes(continued, [source[0]!, null, null, null], start, shift, params.velocity);
    else {
      const voiceMeans = [0, 1, 2, 3].map((k) => {
        const ps = continued.map((s) => s[k]!).filter((p) => p !== REST);
        return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length - shift : NaN;
      });
      const trackMeans = meanPitches(score, source);
      // Four tracks for four voices: highest track gets the soprano, and so on down.
      const tracks =
        source.length === VOICES_PER_STEP
          ? [...source].sort((x, y) => (trackMeans[source.indexOf(y)] || 0) - (trackMeans[source.indexOf(x)] || 0))
          : nearestTracks(voiceMeans, source, trackMeans);
      add = voicesToNotes(
        continued,
        tracks.map((t, k) => (Number.isNaN(voiceMeans[k]!) ? null : t)),
        start,
        shift,
        params.velocity,
      );
    }
    return {
      newTracks: [],
      add,
      remove: [],
      stats: {
        context_steps: ctx.length,
        new_steps: newSteps,
        tokens_sampled: dec.sampled,
        tokens_forced: dec.forced,
        melody_mode: melodyMode ? 1 : 0,
        octave_shift: shift || 0,
      },
    };
  }

  dispose(): void {
    if (this.model && this.ownsModel) disposeParams(this.model.params);
    if (this.melodyModel && this.ownsMelodyModel) disposeParams(this.melodyModel.params);
    this.model = null;
    this.melodyModel = null;
    this.load.reset();
  }
}

export function createGenerator(opts?: TransformerGeneratorOptions): Generator {
  return new TransformerGenerator(opts);
}
