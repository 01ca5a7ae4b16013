// The sampled grand piano voice: one Tone.Sampler per velocity layer, built from the buffers the
// loader decoded; each note plays the layer its velocity selects. Until the samples are ready
// (or if they failed) notes go to the synthesised piano, so Play never waits for a download.
import * as Tone from 'tone';
import { PIANO_LAYERS, pianoLayerFor } from '@/lib/audio/piano-samples';
import { pianoSamples } from './piano-loader';
import { synthPiano, type Voice } from './instruments';

const midiHz = (p: number) => Tone.Frequency(p, 'midi').toFrequency();

export function sampledPiano(): Voice {
  const out = new Tone.Gain(1);
  const synth = synthPiano();
  synth.output.connect(out);
  let layers: Map<number, Tone.Sampler> | null = null;
  // Which layer a held (live) note went to, so its release reaches the same sampler.
  const held = new Map<number, Tone.Sampler | null>();

  const samplers = (): Map<number, Tone.Sampler> | null => {
    if (layers) return layers;
    const buffers = pianoSamples.buffers;
    if (!buffers) return null;
    layers = new Map();
    for (const l of PIANO_LAYERS) {
      const urls: Record<number, AudioBuffer> = {};
      for (const [pitch, buf] of buffers.get(l.layer) ?? []) urls[pitch] = buf;
      const s = new Tone.Sampler({ urls, release: 0.9, curve: 'exponential' }).connect(out);
      s.volume.value = -4;
      layers.set(l.layer, s);
    }
    return layers;
  };

  /** Sampler and gain for a velocity 0..1: the layer carries the timbre, the gain the fine steps. */
  const pick = (velocity: number): [Tone.Sampler, number] | null => {
    const ls = samplers();
    if (!ls) return null;
    const v127 = Math.max(1, Math.min(127, Math.round(velocity * 127)));
    const layer = pianoLayerFor(v127);
    pianoSamples.plays.set(layer.layer, (pianoSamples.plays.get(layer.layer) ?? 0) + 1);
    return [ls.get(layer.layer)!, Math.sqrt(v127 / layer.maxVelocity)];
  };

  return {
    output: out,
    play(p, d, t, v) {
      const s = pick(v);
      if (s) s[0].triggerAttackRelease(midiHz(p), Math.max(0.05, d), t, s[1]);
      else synth.play(p, d, t, v);
    },
    attack(p, t, v) {
      const s = pick(v);
      held.set(p, s?.[0] ?? null);
      if (s) s[0].triggerAttack(midiHz(p), t, s[1]);
      else synth.attack(p, t, v);
    },
    release(p, t) {
      const s = held.get(p);
      held.delete(p);
      if (s) s.triggerRelease(midiHz(p), t);
      else synth.release(p, t);
    },
    releaseAll() {
      synth.releaseAll();
      layers?.forEach((s) => s.releaseAll());
      held.clear();
    },
    dispose() {
      synth.dispose();
      layers?.forEach((s) => s.dispose());
      out.dispose();
    },
  };
}
