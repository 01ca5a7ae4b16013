// The AR-CNN sampler's contract: DeepComposer's four knobs (iterations, maxRemoveShare,
// maxNotesAdded, temperature) plus strict voice leading, over a voice roll and a mask of the cells
// it may edit. Since issue 12 the sampler is Coconet's annealed blocked Gibbs on the network's
// per-voice-step softmax (./gibbs), for every task: harmonize/accompany write the masked voices
// from nothing, rewrite/infill redraw them from what is there, and the caps bound what may change.
import type { Rng } from '../runtime/rng';
import type { VoiceRoll } from './encoding';
import type { ArcnnNet } from './network';
import { sampleGibbs, type GibbsSchedule } from './gibbs';

export { editableVoiceSteps } from './gibbs';

export interface SamplerKnobs {
  /** Network evaluations (Gibbs iterations). */
  iterations: number;
  /** Max share (0–1) of the input's editable sounding cells that may end up removed. */
  maxRemoveShare: number;
  /** Max number of cells sounding at the end that were silent in the input. */
  maxNotesAdded: number;
  /** Softmax temperature ("creative risk"); > 0. */
  temperature: number;
  /**
   * Strict voice leading (default true): a pitch that would put its voice into parallel fifths or
   * octaves with another voice (the melody included) across either neighbouring step, as the roll
   * stands, is left out of the draw, which renormalises over the rest (../decoding/voice-leading).
   */
  strictVoiceLeading?: boolean;
}

export interface SamplerInput {
  roll: VoiceRoll;
  /** [t][p][v] 0/1: cells the sampler may change (region × editable voices × pitch window). */
  editable: Uint8Array;
}

export interface SamplerResult {
  roll: VoiceRoll;
  iterations: number;
  /** Voice-step draws made. */
  toggles: number;
  /** Cells sounding at the end that were silent in the input. */
  added: number;
  /** Input cells silent at the end. */
  removed: number;
}

export interface SamplerOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** Edit `input` with the network under the knobs (annealed blocked Gibbs, ./gibbs). */
export function sampleEdits(net: ArcnnNet, input: SamplerInput, knobs: SamplerKnobs & GibbsSchedule, rng: Rng, opts: SamplerOptions = {}): Promise<SamplerResult> {
  return sampleGibbs(net, input, knobs, rng, opts);
}
