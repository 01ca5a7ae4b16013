// "How it works" for the GAN (models page, issue 18): the generator's accompaniment of a melody for
// a few noise seeds side by side (decoded exactly as the generator does, ./model.ts), and the
// critic's score of each, next to its score of a real chorale from the JSB valid split. The critic
// (Wasserstein, unbounded) reads windows of `chunkSteps`; a longer piece is scored window by window
// and averaged. Its weights were fitted to the committed generator after training (./fit-critic.ts).
import { loadOnce } from '../runtime/load-once';
import type { ExplainMelody, ExplainNote, GanExplain, GanSample } from '../../lib/ai/explain';
import type { Score, TrackId } from '../../lib/score';
import { loadJsb, REST, type Chorale } from '../data/jsb';
import { TICKS_PER_STEP } from '../data/score-convert';
import { initRuntime, tf } from '../runtime/index';
import { NUM_ACCOMP, NUM_CLASSES, type GanConfig } from './config';
import { encodeAccompaniment, encodeLine } from './encoding';
import { parseGanParams, sampleOptions } from './params';
import { melodyLine, toSopranoRegister } from './convert';
import { critic, type Params } from './network';
import { accompanyMelody } from './sampler';
import { loadCommittedCritic, loadCommittedGenerator } from './weights';

interface Models {
  G: Params;
  D: Params;
  config: GanConfig;
  criticMeta: Record<string, unknown>;
  real: { title: string; chorale: Chorale };
}

const committed = loadOnce(async (): Promise<Models> => {
  await initRuntime();
  const g = loadCommittedGenerator();
  const d = loadCommittedCritic();
  // The real chorale: the first valid-split chorale long enough for one critic window.
  const valid = loadJsb().valid;
  const i = valid.findIndex((ch) => ch.length >= g.config.chunkSteps);
  return {
    G: g.params,
    D: d.params,
    config: g.config,
    criticMeta: d.meta,
    real: { title: `JSB chorale, valid split #${i + 1}, bars 1–${g.config.chunkSteps / 16}`, chorale: valid[i]!.slice(0, g.config.chunkSteps) },
  };
});

/** Mean critic score over `chunkSteps` windows of a four-voice piece (the last window aligned to the end; a short piece padded with rests). */
export function criticScore(D: Params, config: GanConfig, ch: Chorale): number {
  const T = config.chunkSteps;
  const padded = ch.length >= T ? ch : [...ch, ...Array.from({ length: T - ch.length }, () => [REST, REST, REST, REST])];
  const starts: number[] = [];
  for (let s = 0; s + T <= padded.length; s += T) starts.push(s);
  if (starts.at(-1)! + T < padded.length) starts.push(padded.length - T);
  const windows = starts.map((s) => padded.slice(s, s + T));
  const mel = new Float32Array(windows.length * T * NUM_CLASSES);
  const acc = new Float32Array(windows.length * T * NUM_ACCOMP * NUM_CLASSES);
  windows.forEach((w, b) => {
    mel.set(encodeLine(w.map((s) => s[0]!)), b * T * NUM_CLASSES);
    acc.set(encodeAccompaniment(w), b * T * NUM_ACCOMP * NUM_CLASSES);
  });
  const scores = tf.tidy(() =>
    critic(D, config, tf.tensor3d(mel, [windows.length, T, NUM_CLASSES]), tf.tensor3d(acc, [windows.length, T, NUM_ACCOMP * NUM_CLASSES])).dataSync(),
  );
  return Array.from(scores).reduce((a, b) => a + b, 0) / scores.length;
}

/** Voice lines [voice][step] (MIDI or REST) → notes of voices 1.., transposed by `transpose`. */
function linesToNotes(lines: readonly (readonly number[])[], fromStep: number, transpose: number, firstVoice: number): ExplainNote[] {
  const out: ExplainNote[] = [];
  lines.forEach((line, k) => {
    let start = 0;
    for (let t = 1; t <= line.length; t++) {
      const prev = line[t - 1]!;
      if (t < line.length && line[t] === prev) continue;
      if (prev !== REST)
        out.push({ voice: firstVoice + k, pitch: prev + transpose, start: (fromStep + start) * TICKS_PER_STEP, duration: (t - start) * TICKS_PER_STEP });
      start = t;
    }
  });
  return out.sort((a, b) => a.start - b.start || a.voice - b.voice);
}

/** Where the critic comes from and how well it tells Bach from the generator, in words. */
function criticNote(meta: Record<string, unknown>): string {
  const sep = meta.separation as { windows: number; realMean: number; generatedMean: number; realHigher: number } | undefined;
  const how = sep
    ? `; on the first 4 bars of ${sep.windows} valid-split chorales it scores Bach ${sep.realMean.toFixed(2)} on average against ${sep.generatedMean.toFixed(2)} for the generator's accompaniment of the same melody, and Bach higher in ${sep.realHigher} of ${sep.windows}`
    : '';
  // As in training (./loss.ts), it was shown the generator's relaxed (Gumbel-softmax) voices; here it
  // scores the decoded notes, one-hot like Bach's, so it is judging a little outside what it saw.
  return `The critic was fitted to the committed generator after training (${String(meta.updates ?? '?')} WGAN-GP updates, models/gan/fit-critic.ts); the training run's own critic was not kept${how}. Like the training run's critic it saw the generator's relaxed (soft) voices, while here it scores the decoded notes`;
}

export interface GanExplainInput {
  score: Score;
  trackId: TrackId;
  bars: [number, number];
  melody: ExplainMelody;
  seeds: readonly number[];
}

export async function explainGan(input: GanExplainInput): Promise<GanExplain> {
  const t0 = performance.now();
  const m = await committed();
  const spb = Math.round((480 * 4 * input.score.meta.timeSignature[0]) / input.score.meta.timeSignature[1] / TICKS_PER_STEP);
  const from = input.bars[0] * spb;
  const steps = (input.bars[1] - input.bars[0]) * spb;
  const raw = melodyLine(input.score, [input.trackId], from, steps);
  const { line, shift } = toSopranoRegister(raw);
  const params = parseGanParams({});
  const samples: GanSample[] = input.seeds.map((seed) => {
    // Exactly as the generator (./model.ts) accompanies it.
    const { voices, last, cut } = accompanyMelody(m.G, m.config, raw, line, sampleOptions(params, seed));
    // The critic judges the piece in the register the generator wrote it (the training data's).
    const piece: Chorale = line.slice(cut, last + 1).map((s, t) => [s, voices[0]![cut + t]!, voices[1]![cut + t]!, voices[2]![cut + t]!]);
    return { seed, notes: linesToNotes(voices, from, -shift, 1), critic: criticScore(m.D, m.config, piece) };
  });
  const real = m.real.chorale;
  const realLines = [0, 1, 2, 3].map((v) => real.map((s) => s[v]!));
  return {
    model: 'gan',
    melody: input.melody,
    samples,
    real: { title: m.real.title, notes: linesToNotes(realLines, 0, 0, 0), critic: criticScore(m.D, m.config, real), timeSignature: [4, 4] },
    criticNote: criticNote(m.criticMeta),
    criticBars: m.config.chunkSteps / 16,
    ms: Math.round(performance.now() - t0),
  };
}
