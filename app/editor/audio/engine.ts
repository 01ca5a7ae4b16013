// Playback through Tone's Transport. Instead of pre-scheduling every note (stale the moment a
// collaborator edits), one repeating 16th-note event looks up the notes that start in the next
// window from the live index and schedules them at the callback's `time`, so edits made during
// playback are heard on the next pass and timing stays sample-accurate.
// The same class renders WAV export inside Tone.Offline (export-wav.ts): built in the offline
// context it schedules the same instruments, mute, solo and volumes as live playback.
import * as Tone from 'tone';
import { PPQ, ticksPerBar, type Instrument, type Meta, type Track } from '@/lib/score';
import type { NoteIndex } from '@/lib/editing';
import { createVoice, type Voice } from './instruments';

const WINDOW = PPQ / 4;

export interface EngineSource {
  index(): NoteIndex;
  tracks(): Track[];
  meta(): Meta;
}

interface TrackVoice {
  instrument: Instrument;
  voice: Voice;
  channel: Tone.Channel;
}

export class AudioEngine {
  private transport = Tone.getTransport();
  private voices = new Map<string, TrackVoice>();
  private auditionVoices = new Map<Instrument, Voice>();
  private click = new Tone.MembraneSynth({ pitchDecay: 0.008, octaves: 2, envelope: { attack: 0.001, decay: 0.08, sustain: 0 } }).toDestination();
  private repeatId: number | null = null;
  metronome = false;
  /** No note sounds at or after this tick: notes are cut there (the end of an exported range). */
  stopTick = Infinity;
  /** No note starting at or after this tick is played (the end of one offline render segment). */
  startBefore = Infinity;
  /** Called with the audio-context time of every note the engine schedules (benchmark probe). */
  onNote: ((time: number) => void) | null = null;

  constructor(private readonly src: EngineSource) {
    this.transport.PPQ = PPQ;
    this.click.volume.value = -10;
    this.applyMeta(src.meta());
  }

  /** Must run inside a user gesture the first time (browser autoplay policy). */
  static async unlock(): Promise<void> {
    if (Tone.getContext().state !== 'running') await Tone.start();
  }

  applyMeta(meta: Meta): void {
    this.transport.bpm.value = meta.bpm;
    this.transport.timeSignature = [meta.timeSignature[0], meta.timeSignature[1]];
  }

  /** Creates/updates one channel per track (instrument, volume, mute, solo). */
  syncTracks(tracks: readonly Track[]): void {
    const live = new Set<string>();
    for (const t of tracks) {
      live.add(t.id);
      let tv = this.voices.get(t.id);
      if (tv && tv.instrument !== t.instrument) {
        tv.voice.dispose();
        tv.channel.dispose();
        tv = undefined;
      }
      if (!tv) {
        const channel = new Tone.Channel().toDestination();
        const voice = createVoice(t.instrument);
        voice.output.connect(channel);
        tv = { instrument: t.instrument, voice, channel };
        this.voices.set(t.id, tv);
      }
      tv.channel.volume.value = t.volume <= 0.001 ? -Infinity : Tone.gainToDb(t.volume);
      tv.channel.mute = t.muted;
      tv.channel.solo = t.solo;
    }
    for (const [id, tv] of this.voices)
      if (!live.has(id)) {
        tv.voice.dispose();
        tv.channel.dispose();
        this.voices.delete(id);
      }
  }

  private schedule = (time: number) => {
    const tick = Math.round(this.transport.getTicksAtTime(time) / WINDOW) * WINDOW;
    const meta = this.src.meta();
    const secPerTick = 60 / (meta.bpm * PPQ);
    if (this.metronome) {
      const beat = (PPQ * 4) / meta.timeSignature[1];
      if (tick % beat === 0) this.click.triggerAttackRelease(tick % ticksPerBar(meta.timeSignature) === 0 ? 'C6' : 'G5', 0.05, time, 0.8);
    }
    let loopEnd = this.stopTick;
    if (this.transport.loop) loopEnd = Math.min(loopEnd, Tone.Time(this.transport.loopEnd).toTicks());
    for (const n of this.src.index().startingIn(tick, Math.min(tick + WINDOW, loopEnd, this.startBefore))) {
      const tv = this.voices.get(n.trackId);
      if (!tv) continue;
      const end = Math.min(n.start + n.duration, loopEnd);
      const at = time + (n.start - tick) * secPerTick;
      tv.voice.play(n.pitch, (end - n.start) * secPerTick, at, n.velocity / 127);
      this.onNote?.(at);
    }
  };

  /** Starts the transport at `fromTick`, `delay` seconds from now (a count-in, or 0 offline). */
  play(fromTick: number, delay = 0.05): void {
    this.syncTracks(this.src.tracks());
    this.applyMeta(this.src.meta());
    if (this.repeatId === null) this.repeatId = this.transport.scheduleRepeat(this.schedule, `${WINDOW}i`, 0);
    this.transport.ticks = Math.max(0, Math.round(fromTick / WINDOW) * WINDOW);
    this.transport.start(delay > 0 ? `+${delay}` : 0);
  }

  /** Metronome clicks for a count-in of `beats` beats starting `delay` s from now. */
  countIn(beats: number, secPerBeat: number, delay = 0.05): void {
    const now = Tone.now() + delay;
    for (let i = 0; i < beats; i++) this.click.triggerAttackRelease(i === 0 ? 'C6' : 'G5', 0.05, now + i * secPerBeat, 0.8);
  }

  /** Holds a note on a track's instrument (live MIDI input) until noteOff. */
  noteOn(trackId: string, instrument: Instrument, pitch: number, velocity: number): void {
    this.liveVoice(trackId, instrument).attack(pitch, Tone.now(), velocity);
  }

  noteOff(trackId: string, instrument: Instrument, pitch: number): void {
    this.liveVoice(trackId, instrument).release(pitch, Tone.now());
  }

  /** The track's own channel (its volume, mute and solo) when it has one, else an audition voice. */
  private liveVoice(trackId: string, instrument: Instrument): Voice {
    const tv = this.voices.get(trackId);
    if (tv && tv.instrument === instrument) return tv.voice;
    return this.auditionVoice(instrument);
  }

  private auditionVoice(instrument: Instrument): Voice {
    let v = this.auditionVoices.get(instrument);
    if (!v) {
      v = createVoice(instrument);
      v.output.toDestination();
      this.auditionVoices.set(instrument, v);
    }
    return v;
  }

  stop(): void {
    this.transport.stop();
    for (const tv of this.voices.values()) tv.voice.releaseAll();
  }

  get playing(): boolean {
    return this.transport.state === 'started';
  }

  get ticks(): number {
    return this.transport.ticks;
  }

  /** Transport ticks at this instant (Transport.ticks is ahead by the scheduling look-ahead). */
  ticksNow(): number {
    return this.transport.getTicksAtTime(Tone.immediate());
  }

  setLoop(enabled: boolean, startTick: number, endTick: number): void {
    if (enabled && endTick > startTick) {
      this.transport.setLoopPoints(`${startTick}i`, `${endTick}i`);
      this.transport.loop = true;
    } else this.transport.loop = false;
  }

  /** Plays one note now (keyboard clicks, drawing) on the given instrument. */
  audition(pitch: number, instrument: Instrument, velocity = 0.8): void {
    this.auditionVoice(instrument).play(pitch, 0.4, Tone.now() + 0.01, velocity);
  }

  dispose(): void {
    this.stop();
    if (this.repeatId !== null) this.transport.clear(this.repeatId);
    for (const tv of this.voices.values()) {
      tv.voice.dispose();
      tv.channel.dispose();
    }
    for (const v of this.auditionVoices.values()) v.dispose();
    this.click.dispose();
  }
}
