// Playback through Tone's Transport. Instead of pre-scheduling every note (stale the moment a
// collaborator edits), one repeating 16th-note event looks up the notes that start in the next
// window from the live index and schedules them at the callback's `time`, so edits made during
// playback are heard on the next pass and timing stays sample-accurate.
// The same class renders WAV export inside Tone.Offline (export-wav.ts): built in the offline
// context it schedules the same instruments, mute, solo and volumes as live playback.
// Tempo and metre changes (issue 15 item 7): the Transport runs at a fixed 60 BPM with TPQ ticks
// per quarter, so its position is plain seconds (× TPQ); the score's tempo map (lib/score/tempo-map)
// converts each window's seconds to score ticks, so notes, clicks and the playhead follow the map.
import * as Tone from 'tone';
import { beatsIn, TempoMap, timeSignaturesOf, type Instrument, type Meta, type Track } from '@/lib/score';
import type { NoteIndex } from '@/lib/editing';
import { createVoice, type Voice } from './instruments';

/**
 * Transport ticks per second (at 60 BPM): starts land within 0.1 ms. Tone's clock visits every
 * tick, so this stays near the old rate (480 PPQ × 400 BPM / 60 = 3,200 ticks per second).
 */
const TPQ = 4_800;
/** Scheduling window: 1/8 s of transport time. */
const WINDOW = TPQ / 8;

export interface EngineSource {
  index(): NoteIndex;
  tracks(): Track[];
  meta(): Meta;
}

/**
 * Notes that are not in the score but should sound with it: an AI suggestion being auditioned
 * (app/editor/ai/audition.ts). `solo` plays only these; `hide` silences score notes the
 * suggestion would replace, so "in place" sounds like the result of accepting it.
 */
export interface SuggestionLayer {
  notes: readonly { pitch: number; start: number; duration: number; velocity: number; instrument: Instrument }[];
  solo: boolean;
  hide: ReadonlySet<string>;
  /** How many of its notes the engine has scheduled (what the audition test and UI read). */
  played: number;
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
  /** The window grid's offset in transport ticks (set by play(): the start, or the loop start). */
  private phase = 0;
  /** Notes before this tick are not played (the first window may start before play()'s tick). */
  private minStart = 0;
  private loopTicks: [number, number] | null = null;
  private mapCache: { meta: Meta; map: TempoMap } | null = null;
  /** An auditioned suggestion, or null for plain playback. */
  suggestion: SuggestionLayer | null = null;

  constructor(private readonly src: EngineSource) {
    this.transport.PPQ = TPQ;
    this.click.volume.value = -10;
    this.applyMeta(src.meta());
  }

  /** Must run inside a user gesture the first time (browser autoplay policy). */
  static async unlock(): Promise<void> {
    if (Tone.getContext().state !== 'running') await Tone.start();
  }

  applyMeta(_meta: Meta): void {
    this.transport.bpm.value = 60;
    this.mapCache = null;
  }

  /** The tempo map of the current meta (rebuilt only when meta changes). */
  private map(): TempoMap {
    const meta = this.src.meta();
    if (this.mapCache?.meta !== meta) this.mapCache = { meta, map: TempoMap.of(meta) };
    return this.mapCache.map;
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
    const map = this.map();
    const meta = this.src.meta();
    // This window's start on the grid, in seconds of score time, and its span in score ticks.
    const pos = Math.round((this.transport.getTicksAtTime(time) - this.phase) / WINDOW) * WINDOW + this.phase;
    const s = pos / TPQ;
    const from = Math.max(this.minStart, Math.ceil(map.tick(s)));
    let to = Math.ceil(map.tick(s + WINDOW / TPQ));
    this.minStart = 0;
    let loopEnd = this.stopTick;
    if (this.transport.loop && this.loopTicks) loopEnd = Math.min(loopEnd, this.loopTicks[1]);
    to = Math.min(to, loopEnd);
    if (this.metronome)
      for (const b of beatsIn(timeSignaturesOf(meta), from, to)) this.click.triggerAttackRelease(b.downbeat ? 'C6' : 'G5', 0.05, time + map.seconds(b.tick) - s, 0.8);
    const layer = this.suggestion;
    if (!layer?.solo)
      for (const n of this.src.index().startingIn(from, Math.min(to, this.startBefore))) {
        const tv = this.voices.get(n.trackId);
        if (!tv || layer?.hide.has(n.id)) continue;
        const end = Math.min(n.start + n.duration, loopEnd);
        const on = map.seconds(n.start);
        const at = time + on - s;
        tv.voice.play(n.pitch, map.seconds(end) - on, at, n.velocity / 127);
        this.onNote?.(at);
      }
    if (layer)
      for (const n of layer.notes) {
        if (n.start < from || n.start >= Math.min(to, this.startBefore)) continue;
        const end = Math.min(n.start + n.duration, loopEnd);
        const on = map.seconds(n.start);
        const at = time + on - s;
        this.auditionVoice(n.instrument).play(n.pitch, map.seconds(end) - on, at, n.velocity / 127);
        layer.played++;
        this.onNote?.(at);
      }
  };

  /**
   * Starts the transport so that `fromTick` sounds `delay` seconds from now (a count-in, or 0
   * offline). Returns how many seconds before that the transport starts (0 unless looping, when
   * the window grid follows the loop start and the first window may begin a little earlier).
   */
  play(fromTick: number, delay = 0.05): number {
    this.syncTracks(this.src.tracks());
    this.applyMeta(this.src.meta());
    const map = this.map();
    const startT = Math.max(0, Math.round(map.seconds(fromTick) * TPQ));
    const loopStartT = this.transport.loop && this.loopTicks ? Math.round(map.seconds(this.loopTicks[0]) * TPQ) : startT;
    this.phase = loopStartT % WINDOW;
    const t0 = Math.floor((startT - this.phase) / WINDOW) * WINDOW + this.phase;
    this.minStart = fromTick;
    if (this.repeatId !== null) this.transport.clear(this.repeatId);
    this.repeatId = this.transport.scheduleRepeat(this.schedule, `${WINDOW}i`, `${this.phase}i`);
    this.transport.ticks = t0;
    const lead = (startT - t0) / TPQ;
    const wait = Math.max(0, delay - lead);
    this.transport.start(wait > 0 ? `+${wait}` : 0);
    return lead;
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

  /** The score tick at the transport's position (the playhead). */
  get ticks(): number {
    return this.map().tick(this.transport.ticks / TPQ);
  }

  /** The score tick sounding at this instant (Transport.ticks is ahead by the scheduling look-ahead). */
  ticksNow(): number {
    return this.map().tick(this.transport.getTicksAtTime(Tone.immediate()) / TPQ);
  }

  /** Loops score ticks [startTick, endTick) through the tempo map; call before play(). */
  setLoop(enabled: boolean, startTick: number, endTick: number): void {
    if (enabled && endTick > startTick) {
      const map = this.map();
      this.loopTicks = [startTick, endTick];
      this.transport.setLoopPoints(`${Math.round(map.seconds(startTick) * TPQ)}i`, `${Math.round(map.seconds(endTick) * TPQ)}i`);
      this.transport.loop = true;
    } else {
      this.loopTicks = null;
      this.transport.loop = false;
    }
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
