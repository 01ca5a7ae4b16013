// The editor controller: owns the connection, the live score view, presence, local UI state
// (selection, active track, snap, tool, transport settings) and the viewport. React components
// subscribe to it; the canvas reads it directly each frame. Editing commands live in commands.ts.
import { PPQ, ticksPerBar, type NoteId, type TrackId } from '@/lib/score';
import { centreOnPitch, type Clip, type SnapId, type Viewport } from '@/lib/editing';
import { connectSession, type SessionConnection } from './session/connect';
import type { Access } from './session/access';
import { ScoreStore } from './session/score-store';
import { Presence } from './presence/presence';
import type { AudioEngine, EngineSource } from './audio/engine';
import { pianoSamples } from './audio/piano-loader';

export type Tool = 'draw' | 'select';

export interface UiState {
  activeTrackId: TrackId | null;
  selection: ReadonlySet<NoteId>;
  snap: SnapId;
  tool: Tool;
  playing: boolean;
  loop: { enabled: boolean; startBar: number; endBar: number };
  metronome: boolean;
  follow: boolean;
  showShortcuts: boolean;
  toast: { id: number; text: string; kind: 'info' | 'error' } | null;
}

type Listener = () => void;

export class Editor {
  readonly conn: SessionConnection;
  readonly store: ScoreStore;
  readonly presence: Presence;
  ui: UiState = {
    activeTrackId: null,
    selection: new Set(),
    snap: '1/16',
    tool: 'draw',
    playing: false,
    loop: { enabled: false, startBar: 1, endBar: 5 },
    metronome: false,
    follow: true,
    showShortcuts: false,
    toast: null,
  };
  view: Viewport = { scrollTick: 0, scrollY: 0, pxPerTick: 0.12, rowHeight: 14, width: 800, height: 600 };
  /** Where playback starts and where paste lands, in ticks. */
  playheadTick = 0;
  clipboard: Clip | null = null;
  engine: AudioEngine | null = null;
  private enginePromise: Promise<AudioEngine> | null = null;
  private uiListeners = new Set<Listener>();
  private viewListeners = new Set<Listener>();
  private toastSeq = 0;
  private framed = false;
  private sized = false;

  /** What this page may do (session/access.ts); a viewer's page is read-only. */
  readonly access: Access;

  constructor(
    readonly sessionId: string,
    access: Access = { token: null, role: 'edit', ownerToken: null },
  ) {
    this.access = access;
    this.conn = connectSession(sessionId, { token: access.token, readOnly: access.role === 'view' });
    this.store = new ScoreStore(this.conn.doc);
    this.presence = new Presence(this.conn.provider.awareness);
    this.store.subscribe(this.onScoreChange);
    this.conn.undo.on('stack-item-popped', this.pruneSelection);
    this.onScoreChange();
  }

  private onScoreChange = () => {
    const tracks = this.store.tracks;
    if (!this.ui.activeTrackId || !tracks.some((t) => t.id === this.ui.activeTrackId)) {
      this.setUi({ activeTrackId: tracks[0]?.id ?? null });
    }
    this.pruneSelection();
    if (!this.framed && this.sized && this.store.notes.size > 0) this.frameMusic();
    this.engine?.syncTracks(tracks);
    this.engine?.applyMeta(this.store.meta);
    // Fetch the piano samples as soon as a piano track exists, so they are usually in before Play.
    if (!pianoSamples.started && tracks.some((t) => t.instrument === 'piano')) void pianoSamples.load();
  };

  /** What the audio engine (live or the offline WAV renderer) reads from the live score. */
  engineSource(): EngineSource {
    return { index: () => this.store.noteIndex(), tracks: () => this.store.tracks, meta: () => this.store.meta };
  }

  private pruneSelection = () => {
    const sel = this.ui.selection;
    if ([...sel].some((id) => !this.store.notes.has(id))) this.setSelection([...sel].filter((id) => this.store.notes.has(id)));
  };

  /** The user has scrolled, zoomed or edited: never move the view on their behalf again. */
  userTookControl(): void {
    this.framed = true;
  }

  /** Scrolls to where the music is the first time notes appear (a loaded or imported session). */
  frameMusic(): void {
    this.framed = true;
    let sum = 0;
    let n = 0;
    for (const note of this.store.notes.values()) {
      sum += note.pitch;
      if (++n > 2000) break;
    }
    this.setView(centreOnPitch(this.view, n ? Math.round(sum / n) : 60));
  }

  setUi(patch: Partial<UiState>): void {
    this.ui = { ...this.ui, ...patch };
    this.uiListeners.forEach((fn) => fn());
  }

  setSelection(ids: Iterable<NoteId>): void {
    const selection = new Set(ids);
    this.setUi({ selection });
    this.presence.setSelection(selection);
  }

  setView(v: Viewport): void {
    // The first real size: frame middle C (or the music) instead of the top of the keyboard.
    const first = !this.sized && v.height > 100;
    this.view = v;
    if (first) {
      this.sized = true;
      if (this.store.notes.size > 0) this.frameMusic();
      else this.view = centreOnPitch(v, 64);
    }
    this.viewListeners.forEach((fn) => fn());
  }

  subscribeUi = (fn: Listener): (() => void) => {
    this.uiListeners.add(fn);
    return () => this.uiListeners.delete(fn);
  };

  subscribeView = (fn: Listener): (() => void) => {
    this.viewListeners.add(fn);
    return () => this.viewListeners.delete(fn);
  };

  toast(text: string, kind: 'info' | 'error' = 'info'): void {
    const id = ++this.toastSeq;
    this.setUi({ toast: { id, text, kind } });
    setTimeout(() => this.ui.toast?.id === id && this.setUi({ toast: null }), kind === 'error' ? 8000 : 3000);
  }

  /** A view link: no drawing, no AI requests; playback, export and presence still work. */
  get readOnly(): boolean {
    return this.access.role === 'view';
  }

  /** Headers for the session's HTTP API: the link token. */
  authHeaders(): Record<string, string> {
    return this.access.token ? { authorization: `Bearer ${this.access.token}` } : {};
  }

  get barTicks(): number {
    return ticksPerBar(this.store.meta.timeSignature);
  }

  get beatTicks(): number {
    return (PPQ * 4) / this.store.meta.timeSignature[1];
  }

  /** Loads Tone.js on first use (inside the user's gesture, as browsers require for audio). */
  async audio(): Promise<AudioEngine> {
    if (this.engine) return this.engine;
    if (!this.enginePromise) {
      this.enginePromise = (async () => {
        const mod = await import('./audio/engine');
        await mod.AudioEngine.unlock();
        const engine = new mod.AudioEngine(this.engineSource());
        engine.syncTracks(this.store.tracks);
        engine.metronome = this.ui.metronome;
        this.engine = engine;
        return engine;
      })();
    }
    return this.enginePromise;
  }

  destroy(): void {
    this.engine?.dispose();
    this.presence.destroy();
    this.store.destroy();
    this.conn.destroy();
    this.uiListeners.clear();
    this.viewListeners.clear();
  }
}
