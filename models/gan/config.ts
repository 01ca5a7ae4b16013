// Hyper-parameters of the GAN, in one place so training, the generator, eval and the committed
// weights' manifest agree. The committed run uses DEFAULT_CONFIG; tests use TINY_CONFIG.
import { NUM_PITCHES, STEPS_PER_BAR } from '../data/jsb';

export interface GanConfig {
  /** Steps per training chunk (16th notes); 4 bars. Must be a multiple of STEPS_PER_BEAT * 4. */
  chunkSteps: number;
  /** Noise dimensions per bar (the generator's only source of variety). */
  noiseDim: number;
  /** Generator widths: step-level encoder, beat-level trunk, step-level decoder. */
  genStep: number;
  genBeat: number;
  genDecode: number;
  /** Dilations of the beat-level residual trunk (receptive field grows with their sum). */
  genDilations: number[];
  /**
   * Voices that see each other: one head per voice, run in VOICE_ORDER (bass, alto, tenor), each
   * reading the trunk's features, the melody, the voices written before it (one-hots at ±1 step)
   * and the pitch classes sounding so far — p(B)·p(A | B)·p(T | B, A) per step instead of three
   * independent softmaxes, so the voices can complete one chord instead of doubling the same note.
   * False = the original single head with conditionally independent voices (older weights).
   */
  voiceHeads: boolean;
  /** Hidden width of each voice head. */
  headWidth: number;
  /** The critic also reads the pitch classes sounding at each step (melody + voices folded mod 12). */
  criticPitchClasses: boolean;
  /** Critic widths: step level, beat level, bar level. */
  criticStep: number;
  criticBeat: number;
  criticBar: number;
  /** WGAN-GP: critic updates per generator update and the gradient-penalty weight λ. */
  criticSteps: number;
  gpWeight: number;
  /**
   * Generator warm-up: the first `pretrainSteps` steps train G alone on the cross-entropy (no
   * critic), as SeqGAN-style GANs pretrain by maximum likelihood; the adversarial phase then starts
   * from a generator that already knows the harmony, which a 2-core CPU budget needs.
   */
  pretrainSteps: number;
  /** Then the critic alone trains this many steps against the warmed-up generator before G sees it. */
  criticWarmupSteps: number;
  /** Weight of the auxiliary cross-entropy to the real accompaniment (0 = pure WGAN-GP). */
  reconWeight: number;
  /**
   * What the critic sees of the generator: Gumbel-softmax samples at this temperature (a relaxed
   * draw from each per-step distribution, like the one-hot draws it is compared with), so an
   * undecided voice looks like the flickering line it would decode to rather than a smooth blur.
   */
  relaxTemperature: number;
  relaxGumbel: boolean;
  /** Decoder: nats charged per pitch change in a voice (see decode.ts); calibrated on the valid split. */
  decodePenalty: number;
  /**
   * Decoder: per 16th of the beat, the relative cost of a pitch change (decode.ts rhythmPrior, from
   * the training chorales); the penalty at step t is decodePenalty · decodeRhythm[t % 4]. Empty =
   * the same penalty everywhere.
   */
  decodeRhythm: number[];
  /** Decoder: 0 = most likely path; > 0 = sample paths at this temperature. Calibrated with the penalty. */
  decodeTemperature: number;
  learningRate: number;
  /** Adam step size of the cross-entropy warm-up (a plain likelihood fit tolerates a larger one). */
  pretrainLearningRate: number;
  beta1: number;
  beta2: number;
  batch: number;
}

/** Pitch window of every voice plus one rest class: a voice sings one class per step. */
export const NUM_CLASSES = NUM_PITCHES + 1;
export const REST_CLASS = NUM_PITCHES;
export const STEPS_PER_BEAT = 4;
/** Accompaniment voices the generator writes, in JSB order (the soprano is the melody). */
export const ACCOMP_VOICES = ['alto', 'tenor', 'bass'] as const;
export const NUM_ACCOMP = ACCOMP_VOICES.length;
/** Order in which the voice heads write (and the decoder decodes) the voices: bass, alto, tenor. */
export const VOICE_ORDER = [2, 0, 1] as const;
/** Pitch classes (mod 12) the pitch-class inputs fold the 47 classes into (the rest class folds to none). */
export const PITCH_CLASSES = 12;

export const DEFAULT_CONFIG: GanConfig = {
  chunkSteps: 4 * STEPS_PER_BAR,
  noiseDim: 16,
  genStep: 48,
  genBeat: 128,
  genDecode: 96,
  genDilations: [1, 2, 4],
  voiceHeads: true,
  headWidth: 64,
  criticPitchClasses: true,
  criticStep: 64,
  criticBeat: 128,
  criticBar: 128,
  criticSteps: 5,
  gpWeight: 10,
  pretrainSteps: 1500,
  criticWarmupSteps: 50,
  reconWeight: 2,
  relaxTemperature: 0.5,
  relaxGumbel: true,
  decodePenalty: 0,
  decodeTemperature: 0,
  decodeRhythm: [],
  learningRate: 2e-4,
  pretrainLearningRate: 1e-3,
  beta1: 0.5,
  beta2: 0.9,
  batch: 16,
};

export const TINY_CONFIG: GanConfig = {
  ...DEFAULT_CONFIG,
  chunkSteps: 2 * STEPS_PER_BAR,
  noiseDim: 4,
  genStep: 8,
  genBeat: 12,
  genDecode: 8,
  genDilations: [1, 2],
  headWidth: 8,
  criticStep: 8,
  criticBeat: 8,
  criticBar: 8,
  criticSteps: 2,
  pretrainSteps: 1,
  criticWarmupSteps: 1,
  batch: 4,
};

export function validateConfig(c: GanConfig): GanConfig {
  if (c.chunkSteps % STEPS_PER_BAR !== 0 || c.chunkSteps < STEPS_PER_BAR) throw new Error(`chunkSteps must be whole bars (got ${c.chunkSteps})`);
  for (const [k, v] of Object.entries(c)) if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0)) throw new Error(`config ${k} must be a finite non-negative number`);
  if (c.criticSteps < 1 || c.batch < 1) throw new Error('criticSteps and batch must be ≥ 1');
  return c;
}
