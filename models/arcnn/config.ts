// Hyper-parameters of our AR-CNN, in one place so training, sampling, eval and the model card agree.
// The piano roll is the JSB pitch window (36–81) padded to 48 rows so two 2× poolings divide it.

/** Lowest MIDI pitch of the roll (row 0); the JSB window from models/data. */
export const ROLL_LOW = 36;
/** Rows of the roll: pitches 36..83; rows 46 and 47 (82, 83) are padding that never holds a note. */
export const ROLL_PITCHES = 48;
/** Highest pitch a note may have (PITCH_HIGH of models/data). */
export const ROLL_HIGH = 81;
/** Voice channels: soprano (the melody), alto, tenor, bass. */
export const VOICES = 4;
/** Base input planes: 4 voice rolls, 4 "editable" masks, 1 pitch-height ramp. */
export const IN_CHANNELS = 2 * VOICES + 1;
/** Extra planes with NetConfig.pcProfile: the window's pitch-class profile of fixed / all sounding cells. */
export const PC_CHANNELS = 2;
/** Time must be a multiple of this (two 2× poolings). */
export const TIME_MULTIPLE = 4;
export const STEPS_PER_BAR = 16;
/** Ticks per 16th step at 480 PPQ. */
export const TICKS_PER_STEP = 120;

export interface NetConfig {
  /** Feature maps per U-Net level (full, 1/2, 1/4 resolution). */
  widths: [number, number, number];
  /**
   * Channels of the bottleneck's whole-register branch (0 = none): a conv spanning all pitch rows
   * that lets the bass see the soprano two octaves up, which 3×3 convs at 1/4 resolution cannot.
   */
  globalPitch: number;
  /**
   * Two extra input planes that broadcast, at every cell, how much that cell's pitch class sounds
   * in the whole window (fixed notes; all notes). 3×3 convs see ±1 bar and ±20 semitones, too
   * little to infer the key from a melody; this gives every cell the key for the cost of 2 planes.
   */
  pcProfile: boolean;
}

/** Input planes a net with this config expects. */
export const inChannels = (cfg: Pick<NetConfig, 'pcProfile'>): number => IN_CHANNELS + (cfg.pcProfile ? PC_CHANNELS : 0);

export const DEFAULT_NET: NetConfig = { widths: [12, 24, 48], globalPitch: 64, pcProfile: true };
export const TINY_NET: NetConfig = { widths: [4, 8, 8], globalPitch: 8, pcProfile: true };

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

export const DEFAULT_TRAIN: TrainConfig = { steps: 5000, batch: 16, bars: 4, lr: 2e-3, seed: 1, validEvery: 250 };
