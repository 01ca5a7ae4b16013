// A MIDI keyboard through Web MIDI: pick an input, hear what you play on the active track's
// instrument, show your held keys to the others (presence), and record into the active track from
// the playhead after a one-bar count-in. A take becomes notes (quantised to the grid when it is on,
// velocity kept) in ONE transaction when the transport stops, so one undo removes the whole take.
import { addNotes, TempoMap, type TrackId } from '@/lib/score';
import { parseMidiMessage, takeToNotes, type TakeNote } from '@/lib/editing';
import type { Editor } from '../editor';
import { grid } from '../commands';

/** The part of the Web MIDI API we use; tests inject a fake `navigator.requestMIDIAccess`. */
interface MidiInputLike {
  id: string;
  name?: string | null;
  manufacturer?: string | null;
  state?: string;
  onmidimessage: ((e: { data: Uint8Array | number[] | null }) => void) | null;
}
interface MidiAccessLike {
  inputs: { forEach(fn: (input: MidiInputLike) => void): void };
  onstatechange: (() => void) | null;
}

export interface MidiState {
  /** 'unsupported': this browser has no Web MIDI; 'denied': the user or the page's policy refused. */
  status: 'idle' | 'unsupported' | 'requesting' | 'ready' | 'denied';
  error: string | null;
  inputs: { id: string; name: string }[];
  inputId: string | null;
  /** 'count-in' during the bar before recording starts. */
  recording: 'off' | 'count-in' | 'on';
  held: number[];
}

export class MidiKeyboard {
  state: MidiState = { status: 'idle', error: null, inputs: [], inputId: null, recording: 'off', held: [] };
  private access: MidiAccessLike | null = null;
  private listeners = new Set<() => void>();
  private take: TakeNote[] = [];
  private open = new Map<number, TakeNote>();
  private takeTrack: TrackId | null = null;
  private takeFrom = 0;
  private unsubUi: () => void;

  constructor(private readonly ed: Editor) {
    if (typeof navigator === 'undefined' || typeof (navigator as { requestMIDIAccess?: unknown }).requestMIDIAccess !== 'function') this.state = { ...this.state, status: 'unsupported' };
    // Stopping the transport (Space, the stop button, anyone's shortcut) ends a take.
    this.unsubUi = ed.subscribeUi(() => {
      if (this.state.recording !== 'off' && !ed.ui.playing) this.finishTake();
    });
  }

  private set(patch: Partial<MidiState>): void {
    this.state = { ...this.state, ...patch };
    this.listeners.forEach((fn) => fn());
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  /** Asks for MIDI access (call from a click: it may prompt) and lists the inputs. */
  async enable(): Promise<void> {
    if (this.state.status === 'unsupported' || this.access) return;
    this.set({ status: 'requesting', error: null });
    try {
      const access = (await (navigator as unknown as { requestMIDIAccess(o?: object): Promise<MidiAccessLike> }).requestMIDIAccess({ sysex: false })) as MidiAccessLike;
      this.access = access;
      access.onstatechange = () => this.refreshInputs();
      this.set({ status: 'ready' });
      this.refreshInputs();
      // The first audio use must happen in a user gesture; this click is one.
      void this.ed.audio();
    } catch (e) {
      this.set({ status: 'denied', error: `MIDI access was refused (${(e as Error).message || 'no reason given'}).` });
    }
  }

  private refreshInputs(): void {
    const inputs: { id: string; name: string }[] = [];
    this.access?.inputs.forEach((i) => {
      if (i.state !== 'disconnected') inputs.push({ id: i.id, name: [i.manufacturer, i.name].filter(Boolean).join(' ') || i.id });
    });
    const keep = inputs.some((i) => i.id === this.state.inputId);
    this.set({ inputs });
    this.select(keep ? this.state.inputId : (inputs[0]?.id ?? null));
  }

  select(inputId: string | null): void {
    this.access?.inputs.forEach((i) => {
      i.onmidimessage = i.id === inputId ? (e) => e.data && this.onMessage(e.data) : null;
    });
    this.set({ inputId });
  }

  private onMessage(data: ArrayLike<number>): void {
    const ev = parseMidiMessage(data);
    if (!ev) return;
    const track = this.ed.store.track(this.ed.ui.activeTrackId) ?? this.ed.store.tracks[0];
    const engine = this.ed.engine;
    if (ev.type === 'on') {
      if (track) engine?.noteOn(track.id, track.instrument, ev.pitch, ev.velocity / 127);
      else void this.ed.audio().then((en) => en.audition(ev.pitch, 'piano', ev.velocity / 127));
      this.setHeld([...this.state.held.filter((p) => p !== ev.pitch), ev.pitch]);
      if (this.state.recording !== 'off' && engine?.playing) {
        const n: TakeNote = { pitch: ev.pitch, velocity: ev.velocity, on: engine.ticksNow(), off: Infinity };
        this.open.set(ev.pitch, n);
        this.take.push(n);
      }
    } else {
      if (track) engine?.noteOff(track.id, track.instrument, ev.pitch);
      this.setHeld(this.state.held.filter((p) => p !== ev.pitch));
      const n = this.open.get(ev.pitch);
      if (n && engine) {
        n.off = engine.ticksNow();
        this.open.delete(ev.pitch);
      }
    }
  }

  private setHeld(held: number[]): void {
    this.set({ held });
    this.ed.presence.setKeys(held);
  }

  /** Starts recording into the active track at the playhead after a one-bar count-in. */
  async record(): Promise<void> {
    if (this.state.recording !== 'off') return;
    const engine = await this.ed.audio();
    if (engine.playing) {
      engine.stop();
      this.ed.setUi({ playing: false });
    }
    const track = this.ed.store.track(this.ed.ui.activeTrackId) ?? this.ed.store.tracks[0];
    if (!track) return this.ed.toast('Add a track to record into first.', 'error');
    const meta = this.ed.store.meta;
    const beats = meta.timeSignature[0];
    // The count-in runs at the tempo in force where the take starts (the score may change tempo).
    const secPerBeat = (60 / TempoMap.of(meta).bpmAt(this.ed.playheadTick)) * (4 / meta.timeSignature[1]);
    this.take = [];
    this.open.clear();
    this.takeTrack = track.id;
    this.takeFrom = this.ed.playheadTick;
    engine.setLoop(false, 0, 0);
    engine.countIn(beats, secPerBeat);
    engine.play(this.takeFrom, 0.05 + beats * secPerBeat);
    this.set({ recording: 'count-in' });
    this.ed.setUi({ playing: true });
    const check = () => {
      if (this.state.recording !== 'count-in') return;
      if (engine.playing && engine.ticksNow() >= this.takeFrom) this.set({ recording: 'on' });
      else setTimeout(check, 50);
    };
    check();
  }

  /** Writes the take (if any) as one transaction and leaves record mode. */
  private finishTake(): void {
    // Keys still held when the transport stopped end where it stopped (the playhead).
    const end = Math.max(this.takeFrom, this.ed.playheadTick);
    const take = this.take.map((n) => ({ ...n, off: Number.isFinite(n.off) ? n.off : end }));
    this.take = [];
    this.open.clear();
    this.set({ recording: 'off' });
    const trackId = this.takeTrack;
    if (!take.length || !trackId || !this.ed.store.track(trackId)) return;
    const notes = takeToNotes(take, grid(this.ed), this.takeFrom).map((n) => ({ ...n, trackId }));
    const ids = this.ed.conn.doc.transact(() => addNotes(this.ed.conn.doc, notes, this.ed.conn.origin), this.ed.conn.origin);
    this.ed.setSelection(ids.map((n) => n.id));
    this.ed.toast(`Recorded ${notes.length} note${notes.length === 1 ? '' : 's'}`);
  }

  destroy(): void {
    this.unsubUi();
    this.access?.inputs.forEach((i) => (i.onmidimessage = null));
    if (this.access) this.access.onstatechange = null;
    this.listeners.clear();
  }
}

const keyboards = new WeakMap<Editor, MidiKeyboard>();

/** The editor's MIDI keyboard controller (one per editor, made on first use). */
export function midiKeyboard(ed: Editor): MidiKeyboard {
  let k = keyboards.get(ed);
  if (!k) keyboards.set(ed, (k = new MidiKeyboard(ed)));
  return k;
}

export function destroyMidiKeyboard(ed: Editor): void {
  keyboards.get(ed)?.destroy();
  keyboards.delete(ed);
}
