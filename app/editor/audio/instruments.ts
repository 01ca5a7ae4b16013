// Tutti's instruments. The piano is sampled (Salamander Grand Piano, served by our own server, see
// sampled-piano.ts) and falls back to a plucky FM synth until its samples have loaded. The others
// are synthesised with Tone.js: each a small voice graph tuned to read as its instrument (a
// detuned-saw string section, a filtered mono bass, a drawbar-style organ, a slow pad, a square
// lead, a vowel-ish choir) plus a synthesised GM drum kit mapped from General MIDI percussion pitches.
import * as Tone from 'tone';
import type { Instrument } from '@/lib/score';
import { sampledPiano } from './sampled-piano';

export interface Voice {
  /** Plays a MIDI pitch for `duration` seconds at audio-context `time`, velocity 0..1. */
  play(pitch: number, duration: number, time: number, velocity: number): void;
  /** Starts a held note (live MIDI input) until release(pitch). */
  attack(pitch: number, time: number, velocity: number): void;
  release(pitch: number, time: number): void;
  releaseAll(): void;
  dispose(): void;
  output: Tone.ToneAudioNode;
}

const midiHz = (p: number) => Tone.Frequency(p, 'midi').toFrequency();

function poly(node: Tone.PolySynth, out: Tone.ToneAudioNode = node): Voice {
  node.maxPolyphony = 48;
  return {
    output: out,
    play: (p, d, t, v) => node.triggerAttackRelease(midiHz(p), Math.max(0.03, d), t, v),
    attack: (p, t, v) => node.triggerAttack(midiHz(p), t, v),
    release: (p, t) => node.triggerRelease(midiHz(p), t),
    releaseAll: () => node.releaseAll(),
    dispose: () => {
      node.dispose();
      if (out !== node) out.dispose();
    },
  };
}

/** The synthesised piano: heard until the samples have loaded, and if they cannot be. */
export function synthPiano(): Voice {
  const s = new Tone.PolySynth(Tone.FMSynth, {
    harmonicity: 3,
    modulationIndex: 6,
    oscillator: { type: 'sine' },
    envelope: { attack: 0.002, decay: 1.2, sustain: 0.15, release: 0.9 },
    modulation: { type: 'sine' },
    modulationEnvelope: { attack: 0.002, decay: 0.4, sustain: 0.1, release: 0.5 },
  });
  s.volume.value = -8;
  return poly(s);
}

function strings(): Voice {
  const filter = new Tone.Filter(2600, 'lowpass');
  const s = new Tone.PolySynth(Tone.Synth, {
    oscillator: { type: 'fatsawtooth', count: 3, spread: 24 },
    envelope: { attack: 0.18, decay: 0.2, sustain: 0.85, release: 0.7 },
  }).connect(filter);
  s.volume.value = -16;
  return poly(s, filter);
}

function bass(): Voice {
  const s = new Tone.PolySynth(Tone.MonoSynth, {
    oscillator: { type: 'square' },
    filter: { Q: 2, type: 'lowpass', rolloff: -24 },
    envelope: { attack: 0.005, decay: 0.3, sustain: 0.6, release: 0.25 },
    filterEnvelope: { attack: 0.005, decay: 0.25, sustain: 0.3, release: 0.4, baseFrequency: 180, octaves: 2.6 },
  });
  s.volume.value = -10;
  return poly(s);
}

function organ(): Voice {
  const s = new Tone.PolySynth(Tone.Synth, {
    oscillator: { type: 'custom', partials: [1, 0.8, 0.6, 0, 0.4, 0, 0.25, 0.2] },
    envelope: { attack: 0.01, decay: 0.05, sustain: 1, release: 0.12 },
  });
  s.volume.value = -18;
  return poly(s);
}

function pad(): Voice {
  const filter = new Tone.Filter(1400, 'lowpass');
  const s = new Tone.PolySynth(Tone.AMSynth, {
    harmonicity: 1.5,
    oscillator: { type: 'fatsine', count: 3, spread: 30 } as never,
    envelope: { attack: 0.6, decay: 0.4, sustain: 0.9, release: 1.6 },
  }).connect(filter);
  s.volume.value = -12;
  return poly(s, filter);
}

function lead(): Voice {
  const s = new Tone.PolySynth(Tone.Synth, {
    oscillator: { type: 'pulse', width: 0.3 } as never,
    envelope: { attack: 0.01, decay: 0.1, sustain: 0.7, release: 0.2 },
  });
  s.volume.value = -16;
  return poly(s);
}

function choir(): Voice {
  const filter = new Tone.Filter({ frequency: 900, type: 'bandpass', Q: 0.8 });
  const s = new Tone.PolySynth(Tone.Synth, {
    oscillator: { type: 'fattriangle', count: 3, spread: 18 },
    envelope: { attack: 0.25, decay: 0.2, sustain: 0.9, release: 0.8 },
  }).connect(filter);
  s.volume.value = -6;
  return poly(s, filter);
}

/** General MIDI percussion pitches → synthesised drum voices. */
function drums(): Voice {
  const out = new Tone.Gain(1);
  const kick = new Tone.MembraneSynth({ pitchDecay: 0.04, octaves: 6, envelope: { attack: 0.001, decay: 0.35, sustain: 0 } }).connect(out);
  const tom = new Tone.MembraneSynth({ pitchDecay: 0.06, octaves: 3, envelope: { attack: 0.001, decay: 0.3, sustain: 0 } }).connect(out);
  const snare = new Tone.NoiseSynth({ noise: { type: 'white' }, envelope: { attack: 0.001, decay: 0.18, sustain: 0 } }).connect(new Tone.Filter(1800, 'highpass').connect(out));
  const hat = new Tone.MetalSynth({ envelope: { attack: 0.001, decay: 0.06, release: 0.01 }, harmonicity: 5.1, modulationIndex: 32, resonance: 6000, octaves: 1.5 }).connect(out);
  const cymbal = new Tone.MetalSynth({ envelope: { attack: 0.001, decay: 1.2, release: 0.3 }, harmonicity: 5.1, modulationIndex: 40, resonance: 4000, octaves: 1.5 }).connect(out);
  kick.volume.value = -4;
  snare.volume.value = -12;
  hat.volume.value = -26;
  cymbal.volume.value = -28;
  const voices = [kick, tom, snare, hat, cymbal];
  const voice: Voice = {
    output: out,
    attack: (p, t, v) => voice.play(p, 0.2, t, v),
    release: () => undefined,
    play(p, d, t, v) {
      if (p === 35 || p === 36) kick.triggerAttackRelease('C1', 0.2, t, v);
      else if (p === 37 || p === 38 || p === 39 || p === 40) snare.triggerAttackRelease(0.15, t, v);
      else if (p === 42 || p === 44) hat.triggerAttackRelease(200, 0.05, t, v * 0.8);
      else if (p === 46) hat.triggerAttackRelease(200, 0.3, t, v * 0.8);
      else if (p === 49 || p === 51 || p === 52 || p === 55 || p === 57 || p === 59) cymbal.triggerAttackRelease(250, Math.max(0.3, d), t, v * 0.8);
      else if (p >= 41 && p <= 50) tom.triggerAttackRelease(Tone.Frequency(p - 12, 'midi').toFrequency(), 0.3, t, v);
      else tom.triggerAttackRelease(midiHz(Math.min(84, Math.max(24, p))), 0.15, t, v * 0.7);
    },
    releaseAll: () => undefined,
    dispose: () => {
      voices.forEach((x) => x.dispose());
      out.dispose();
    },
  };
  return voice;
}

const FACTORIES: Record<Instrument, () => Voice> = { piano: sampledPiano, strings, bass, organ, pad, drums, lead, choir };

export function createVoice(kind: Instrument): Voice {
  return (FACTORIES[kind] ?? sampledPiano)();
}

