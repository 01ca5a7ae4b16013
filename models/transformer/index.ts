// The transformer as a Tutti generator. Tasks:
// - harmonize: the source melody is forced as the soprano token of every step; alto, tenor and
//   bass are sampled, into three new tracks (or three target tracks, whose notes in the region are
//   replaced). The melody itself is never touched.
// - continue: the source material is the context and the model extends it by N bars. A monophonic
//   source is a melody: its last bars are harmonised on the fly (so the model sees four voices, as
//   in training) and only the continued melody is written back. A polyphonic source (several
//   tracks, or chords) is split into S/A/T/B and all four voices are continued, each into the
//   source track nearest in pitch.
import { type NoteData, type NoteId, type Score, type TrackId } from '../../lib/score';
import { REST, type Chorale } from '../data/jsb';
import { stepToTick } from '../data/score-convert';
import { pitchToToken, tokenToPitch } from '../data/tokens';
import {
  GeneratorParamError,
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type Generator,
  type NewTrack,
} from '../generator';
import { initRuntime } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { VOICES_PER_STEP } from './config';
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
} from './score-map';
import { COMMITTED_DIR, loadModel } from './weights';

export interface TransformerGeneratorOptions {
  /** Weights directory (default: the committed models/weights/transformer). */
  weightsDir?: string;
  /** Use this model instead of loading weights (tests with a tiny untrained model). */
  model?: Model;
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
  private readonly ownsModel: boolean;
  private loading: Promise<void> | null = null;

  constructor(private readonly opts: TransformerGeneratorOptions = {}) {
    this.model = opts.model ?? null;
    this.ownsModel = !opts.model;
  }

  initialize(): Promise<void> {
    this.loading ??= (async () => {
      await initRuntime();
      if (!this.model) this.model = loadModel(this.opts.weightsDir ?? COMMITTED_DIR);
    })();
    return this.loading;
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
      if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b > a)) throw new GeneratorParamError(`bars must be [from, to) with 0 ≤ from < to (got [${a}, ${b}])`);
    }
    await this.initialize();
    const result = request.task === 'harmonize' ? await this.harmonize(score, request, params, options) : await this.continue(score, request, params, options);
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

  private async harmonize(score: Score, request: GenerateRequest, params: TransformerParams, options: GenerateOptions): Promise<GenerateResult> {
    const spb = stepsPerBar(score);
    const source = request.sourceTrackIds;
    const from = request.bars ? request.bars[0] * spb : 0;
    const to = request.bars ? request.bars[1] * spb : Math.ceil(materialEnd(score, source) / spb) * spb;
    if (to <= from) throw new GeneratorParamError('harmonize: the source track has no notes');
    if (to - from > MAX_HARMONIZE_BARS * spb) throw new GeneratorParamError(`harmonize: at most ${MAX_HARMONIZE_BARS} bars at a time (asked for ${(to - from) / spb})`);
    const melody = soundingPitches(score, source, from, to - from).map((g) => g[0] ?? REST);
    if (melody.every((p) => p === REST)) throw new GeneratorParamError('harmonize: the source track has no notes in the requested bars');
    let targets: TrackId[] | null = null;
    if (request.targetTrackIds && request.targetTrackIds.length > 0) {
      if (request.targetTrackIds.length !== 3) throw new GeneratorParamError(`harmonize writes alto, tenor and bass: give 3 target tracks or none (got ${request.targetTrackIds.length})`);
      checkTracks(score, request.targetTrackIds, 'targetTrackIds');
      if (request.targetTrackIds.some((t) => source.includes(t))) throw new GeneratorParamError('harmonize: a target track cannot also be the melody');
      targets = [...request.targetTrackIds];
    }
    const shift = octaveShift(melody);
    const plan: Array<number | null> = [];
    for (const p of melody) plan.push(pitchToToken(toModelPitch(p, shift)), null, null, null);
    const dec = await this.run(plan, true, params, request.seed ?? 0, options);
    const newTracks: NewTrack[] = targets
      ? []
      : [
          { ref: 'alto', name: 'Alto', instrument: 'choir', role: 'accompaniment' },
          { ref: 'tenor', name: 'Tenor', instrument: 'choir', role: 'accompaniment' },
          { ref: 'bass', name: 'Bass', instrument: 'choir', role: 'accompaniment' },
        ];
    const ids = (targets ?? ['alto', 'tenor', 'bass']) as TrackId[];
    const add = voicesToNotes(dec.chorale, [null, ...ids], from, shift, params.velocity);
    const fromTick = stepToTick(from);
    const toTick = stepToTick(to);
    const remove: NoteId[] = targets ? score.notes.filter((n) => targets.includes(n.trackId) && n.start >= fromTick && n.start < toTick).map((n) => n.id) : [];
    return { newTracks, add, remove, stats: { steps: melody.length, tokens_sampled: dec.sampled, tokens_forced: dec.forced, octave_shift: shift || 0 } };
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
      add = voicesToNotes(continued, tracks.map((t, k) => (Number.isNaN(voiceMeans[k]!) ? null : t)), start, shift, params.velocity);
    }
    return { newTracks: [], add, remove: [], stats: { context_steps: ctx.length, new_steps: newSteps, tokens_sampled: dec.sampled, tokens_forced: dec.forced, melody_mode: melodyMode ? 1 : 0, octave_shift: shift || 0 } };
  }

  dispose(): void {
    if (this.model && this.ownsModel) disposeParams(this.model.params);
    this.model = null;
    this.loading = null;
  }
}

export function createGenerator(opts?: TransformerGeneratorOptions): Generator {
  return new TransformerGenerator(opts);
}
