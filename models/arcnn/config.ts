// Hyper-parameters of our AR-CNN, in one place so training, sampling, eval and the model card agree.
// The piano roll is the JSB pitch window (36–81) padded to 48 rows so two 2× poolings divide it.

/** Lowest MIDI pitch of the roll (row 0); the JSB window from models/data. */
export const ROLL_LOW = 36;
/** Rows of the roll: pitches 36..81 in rows 0–45, the rest class in row 46, padding in row 47. */
export const ROLL_PITCHES = 48;
/**
 * Row 46 is the REST class (Coconet-style per-voice one-hot): in the input a 1 there says "this
 * voice is known to be silent at this step"; in the output it is the rest class of the voice-step's
 * softmax. It never becomes a note (convert.ts and the sampler read only rows 0..ROLL_HIGH-ROLL_LOW).
 */
export const REST_ROW = 46;
/** Classes of a voice-step's softmax: 46 pitches + rest (row 47 is padding, always masked out). */
export const CLASSES = REST_ROW + 1;
/** Highest pitch a note may have (PITCH_HIGH of models/data). */
export const ROLL_HIGH = 81;
/** Voice channels: soprano (the melody), alto, tenor, bass. */
export const VOICES = 4;
/** Base input planes: 4 voice rolls, 4 masks (voice-steps to predict), 1 pitch-height ramp. */
export const IN_CHANNELS = 2 * VOICES + 1;
/**
 * Extra planes with NetConfig.pcProfile: the pitch-class profile of the unmasked sounding notes
 * (the key context), and the metrical level of each step (bar 1, beat 2/3, 8th 1/3, 16th 0).
 */
export const PC_CHANNELS = 2;
/** Time must be a multiple of this (two 2× poolings). */
export const TIME_MULTIPLE = 4;
export const STEPS_PER_BAR = 16;
/** Ticks per 16th step at 480 PPQ: the grid all three models share (models/data/score-convert.ts). */
export { TICKS_PER_STEP } from '../data/score-convert';

export interface NetConfig {
  /** Feature maps per U-Net level (full, 1/2, 1/4 resolution). */
  widths: [number, number, number];
  /**
   * Channels of the bottleneck's whole-register branch (0 = none): a conv spanning all pitch rows
   * that lets the bass see the soprano two octaves up, which 3×3 convs at 1/4 resolution cannot.
   */
  globalPitch: number;
  /**
   * Two extra input planes: at every cell, how much that cell's pitch class sounds among the
   * unmasked notes of the window (3×3 convs see ±1 bar and ±20 semitones, too little to infer the
   * key from a melody), and the step's metrical level (so 3/4 and 6/8 are told apart from 4/4).
   */
  pcProfile: boolean;
  /**
   * One more input plane: at every cell, whether that cell's pitch class sounds in a given (unmasked)
   * voice at the same step, on every octave. The soprano sits two octaves above the bass, outside
   * the 3×3 convs' reach; folded onto every octave, "a third or a fifth from the melody" becomes a
   * pattern a few rows wide that the convs next to the bass cell can see.
   */
  stepChroma?: boolean;
}

/** The input planes a net reads (the part of NetConfig the encoder needs). */
export type PlaneSet = Pick<NetConfig, 'pcProfile' | 'stepChroma'>;

/** Input planes a net with this config expects. */
export const inChannels = (cfg: PlaneSet): number => IN_CHANNELS + (cfg.pcProfile ? PC_CHANNELS : 0) + (cfg.stepChroma ? 1 : 0);

export const DEFAULT_NET: NetConfig = { widths: [12, 24, 64], globalPitch: 64, pcProfile: true, stepChroma: true };
export const TINY_NET: NetConfig = { widths: [4, 8, 8], globalPitch: 8, pcProfile: true, stepChroma: true };

export interface TrainConfig {
  steps: number;
  batch: number;
  /** Window length in bars (16 steps each). */
  bars: number;
  lr: number;
  seed: number;
  /** Validate every N steps. */
  validEvery: number;
}

export const DEFAULT_TRAIN: TrainConfig = { steps: 8000, batch: 16, bars: 4, lr: 2e-3, seed: 1, validEvery: 250 };
