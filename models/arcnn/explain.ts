// "How it works" for the AR-CNN (models page, issue 18): harmonise a melody exactly as the
// generator does (same plan, knobs and annealed blocked Gibbs, ./gibbs), and record each
// iteration: which voice-steps were masked, the network's probability map at that iteration's
// temperature, and the notes that appeared and disappeared. Nothing here picks a note.
import { loadOnce } from '../runtime/load-once';
import type { ArcnnExplain, ArcnnIteration, ExplainMelody, ExplainNote } from '../../lib/ai/explain';
import type { Score, TrackId } from '../../lib/score';
import { initRuntime } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { CLASSES, ROLL_HIGH, ROLL_LOW, TICKS_PER_STEP, VOICES } from './config';
import { cellIndex } from './encoding';
import { sampleGibbs } from './gibbs';
import type { ArcnnNet } from './network';
import { parseParams, samplerKnobs } from './params';
import { planRequest, type Plan } from './convert';
import { WEIGHTS_DIR, loadWeights } from './weights';

const PITCHES = ROLL_HIGH - ROLL_LOW + 1;

/** The committed network, loaded once per process (a worker thread keeps it). */
const committedNet = loadOnce(async (): Promise<ArcnnNet> => {
  await initRuntime();
  return loadWeights(WEIGHTS_DIR).net;
});

export interface ArcnnExplainInput {
  score: Score;
  trackId: TrackId;
  bars: [number, number];
  melody: ExplainMelody;
  iterations: number;
  seed: number;
  /** Use this network (tests) instead of the committed weights. */
  net?: ArcnnNet;
}

/** Notes of the editable voices of a roll: runs of one pitch in one voice, in score ticks. */
export function rollNotes(plan: Plan, data: Uint8Array): ExplainNote[] {
  const out: ExplainNote[] = [];
  const steps = plan.roll.steps;
  plan.channels.forEach((ch, v) => {
    if (!ch?.editable) return;
    for (let p = 0; p < PITCHES; p++) {
      let t = 0;
      while (t < steps) {
        if (!data[cellIndex(t, p, v)]) {
          t++;
          continue;
        }
        const t0 = t;
        while (t < steps && data[cellIndex(t, p, v)]) t++;
        out.push({ voice: v, pitch: p + ROLL_LOW - plan.shift, start: (t0 + plan.offset) * TICKS_PER_STEP, duration: (t - t0) * TICKS_PER_STEP });
      }
    }
  });
  return out.sort((a, b) => a.start - b.start || a.voice - b.voice);
}

const key = (n: ExplainNote): string => `${n.voice},${n.pitch},${n.start},${n.duration}`;

/** The heat map of one iteration: per (step, pitch) the highest tempered softmax probability any masked voice gives it. */
export function heatMap(logits: Float32Array, steps: number, block: readonly number[], temperature: number): Uint8Array {
  const heat = new Float32Array(steps * PITCHES);
  const probs = new Float64Array(CLASSES);
  for (const vs of block) {
    const t = Math.floor(vs / VOICES);
    const v = vs % VOICES;
    let max = -Infinity;
    for (let x = 0; x < CLASSES; x++) max = Math.max(max, logits[cellIndex(t, x, v)]! / temperature);
    let z = 0;
    for (let x = 0; x < CLASSES; x++) z += probs[x] = Math.exp(logits[cellIndex(t, x, v)]! / temperature - max);
    for (let p = 0; p < PITCHES; p++) {
      const q = probs[p]! / z;
      if (q > heat[t * PITCHES + p]!) heat[t * PITCHES + p] = q;
    }
  }
  const out = new Uint8Array(heat.length);
  for (let i = 0; i < heat.length; i++) out[i] = Math.round(heat[i]! * 255);
  return out;
}

export async function explainArcnn(input: ArcnnExplainInput): Promise<ArcnnExplain> {
  const t0 = performance.now();
  const net = input.net ?? (await committedNet());
  const request = { task: 'harmonize' as const, sourceTrackIds: [input.trackId], bars: input.bars };
  const params = parseParams('harmonize', { iterations: input.iterations });
  const plan = planRequest(input.score, request, 'harmonize', params);
  const iterations: ArcnnIteration[] = [];
  let before = new Map<string, ExplainNote>(rollNotes(plan, plan.roll.data).map((n) => [key(n), n]));
  // The same knobs the generator passes (./model.ts), plus the trace.
  await sampleGibbs(net, { roll: plan.roll, editable: plan.editable }, samplerKnobs(params), createRng(input.seed), {
    onIteration(trace) {
      const now = new Map<string, ExplainNote>(rollNotes(plan, trace.roll).map((n) => [key(n), n]));
      const added = [...now].filter(([k]) => !before.has(k)).map(([, n]) => n);
      const removed = [...before].filter(([k]) => !now.has(k)).map(([, n]) => n);
      before = now;
      iterations.push({
        iteration: trace.iteration,
        temperature: trace.temperature,
        masked: trace.block.length,
        added,
        removed,
        // The network's own distribution (temperature 1): at the sampler's low temperature it is
        // nearly one-hot and would hide under the drawn notes.
        heat: Buffer.from(heatMap(trace.logits, plan.roll.steps, trace.block, 1)).toString('base64'),
      });
    },
  });
  return {
    model: 'arcnn',
    melody: input.melody,
    grid: { offsetTick: plan.offset * TICKS_PER_STEP, stepTicks: TICKS_PER_STEP, steps: plan.roll.steps, lowPitch: ROLL_LOW - plan.shift, pitches: PITCHES },
    iterations,
    final: [...before.values()].sort((a, b) => a.start - b.start || a.voice - b.voice),
    ms: Math.round(performance.now() - t0),
  };
}
