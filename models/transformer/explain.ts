// "How it works" for the transformer (models page, issue 18): harmonise a melody with the
// melody-encoder model exactly as the generator's harmonize does (same plan, knobs and sampler,
// ./mel-sampler), and keep, for every step, the tokens drawn and the decoder's attention weights
// from that real forward pass (mean over heads, per layer). A decoder position t reads the
// encoder's view of the melody around step t and the alto, tenor and bass of step t − 1.
import { loadOnce } from '../runtime/load-once';
import type { ExplainMelody, TransformerExplain, TransformerStepAttention, TransformerToken } from '../../lib/ai/explain';
import type { Score, TrackId } from '../../lib/score';
import { REST } from '../data/jsb';
import { TICKS_PER_STEP } from '../data/score-convert';
import { tokenToPitch } from '../data/tokens';
import { initRuntime } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { MELODY_SAMPLING_DEFAULTS } from './mel-config';
import { melodyPlan } from './mel-plan';
import { sampleHarmony } from './mel-sampler';
import { loadMelodyModel, type MelodyModel } from './mel-weights';
import { parseParams } from './params';
import { soundingPitches, stepsPerBar } from './convert';
import { WEIGHTS_DIR, readArch } from './weights';

const committedModel = loadOnce(async (): Promise<MelodyModel> => {
  await initRuntime();
  if (readArch(WEIGHTS_DIR) !== 'melody-encoder') throw new Error('the committed transformer is not the melody-encoder model the explanation reads');
  return loadMelodyModel(WEIGHTS_DIR);
});

export interface TransformerExplainInput {
  score: Score;
  trackId: TrackId;
  bars: [number, number];
  melody: ExplainMelody;
  seed: number;
  /** Use this model (tests) instead of the committed weights. */
  model?: MelodyModel;
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export async function explainTransformer(input: TransformerExplainInput): Promise<TransformerExplain> {
  const t0 = performance.now();
  const model = input.model ?? (await committedModel());
  const { cfg } = model;
  const spb = stepsPerBar(input.score);
  const from = input.bars[0] * spb;
  const steps = (input.bars[1] - input.bars[0]) * spb;
  const melody = soundingPitches(input.score, [input.trackId], from, steps).map((g) => g[0] ?? REST);
  const { first, shift, piece } = melodyPlan(melody, from % spb, input.score.meta.timeSignature);
  const knobs = parseParams(undefined, MELODY_SAMPLING_DEFAULTS);
  const tokens: TransformerToken[] = [];
  const attention: TransformerStepAttention[] = [];
  await sampleHarmony(model, piece, { temperature: knobs.temperature, topP: knobs.topP, strictVoiceLeading: knobs.strictVoiceLeading }, createRng(input.seed), {
    onStep(t, chosen, att, window) {
      const step = first + t;
      chosen.forEach((tok, v) => {
        const p = tokenToPitch(tok);
        tokens.push({ step, voice: v + 1, pitch: p === REST ? null : p - shift });
      });
      const layers: number[][] = [];
      for (let l = 0; l < cfg.layers; l++) {
        const row = new Array<number>(window).fill(0);
        for (let h = 0; h < cfg.heads; h++) for (let j = 0; j < window; j++) row[j]! += att[(l * cfg.heads + h) * cfg.maxLen + j]! / cfg.heads;
        layers.push(row.map(round4));
      }
      attention.push({ from: step - window + 1, layers });
    },
  });
  return {
    model: 'transformer',
    melody: input.melody,
    grid: { offsetTick: from * TICKS_PER_STEP, stepTicks: TICKS_PER_STEP, steps },
    tokens,
    attention,
    heads: cfg.heads,
    ms: Math.round(performance.now() - t0),
  };
}
