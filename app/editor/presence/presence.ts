// Presence over Yjs awareness: who is here (name + colour, remembered in this browser), where
// their pointer is on the roll (in ticks/pitch, so it lands right whatever each person's zoom),
// which notes they have selected, and which keys they hold on a MIDI keyboard (shown on the
// keyboard strip).
import type { Awareness } from 'y-protocols/awareness';
import { MAX_PRESENCE_KEYS, MAX_PRESENCE_NAME, MAX_PRESENCE_SELECTION } from '@/lib/presence/state';

export interface PeerState {
  clientId: number;
  name: string;
  color: string;
  cursor: { tick: number; pitch: number } | null;
  selection: string[];
  /** MIDI pitches held on their MIDI keyboard right now. */
  keys: number[];
  isLocal: boolean;
}

const COLORS = ['#f97316', '#22d3ee', '#a3e635', '#f472b6', '#facc15', '#818cf8', '#34d399', '#fb7185'];
const NAME_KEY = 'tutti:name';
const COLOR_KEY = 'tutti:color';
const ADJECTIVES = ['Allegro', 'Dolce', 'Presto', 'Lento', 'Vivace', 'Largo', 'Grazioso', 'Brioso'];
const NOUNS = ['Oboe', 'Cello', 'Harp', 'Viola', 'Flute', 'Tuba', 'Lute', 'Horn'];

function stored(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    /* private mode: the name just is not remembered */
  }
}

export function initialIdentity(): { name: string; color: string } {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  let name = stored(NAME_KEY)?.trim().slice(0, MAX_PRESENCE_NAME) || null;
  let color = stored(COLOR_KEY);
  if (!name) {
    name = `${pick(ADJECTIVES)} ${pick(NOUNS)}`;
    store(NAME_KEY, name);
  }
  if (!color || !/^#[0-9a-f]{6}$/i.test(color)) {
    color = pick(COLORS);
    store(COLOR_KEY, color);
  }
  return { name, color };
}

export class Presence {
  private listeners = new Set<() => void>();
  private peersCache: PeerState[] = [];
  version = 0;

  constructor(private readonly awareness: Awareness) {
    const id = initialIdentity();
    awareness.setLocalState({ user: id, cursor: null, selection: [] });
    awareness.on('change', this.onChange);
    this.onChange();
  }

  private onChange = () => {
    const out: PeerState[] = [];
    this.awareness.getStates().forEach((s, clientId) => {
      const user = (s as { user?: { name?: unknown; color?: unknown } }).user;
      if (!user || typeof user.name !== 'string') return;
      const cursor = (s as { cursor?: unknown }).cursor as PeerState['cursor'];
      const sel = (s as { selection?: unknown }).selection;
      const keys = (s as { keys?: unknown }).keys;
      out.push({
        clientId,
        name: user.name.slice(0, 40),
        color: typeof user.color === 'string' && /^#[0-9a-f]{6}$/i.test(user.color) ? user.color : '#888888',
        cursor: cursor && Number.isFinite(cursor.tick) && Number.isFinite(cursor.pitch) ? cursor : null,
        selection: Array.isArray(sel) ? sel.filter((x): x is string => typeof x === 'string').slice(0, 5000) : [],
        keys: Array.isArray(keys) ? keys.filter((x): x is number => Number.isInteger(x) && x >= 0 && x <= 127).slice(0, MAX_PRESENCE_KEYS) : [],
        isLocal: clientId === this.awareness.clientID,
      });
    });
    out.sort((a, b) => Number(b.isLocal) - Number(a.isLocal) || a.name.localeCompare(b.name));
    this.peersCache = out;
    this.version++;
    this.listeners.forEach((fn) => fn());
  };

  peers(): PeerState[] {
    return this.peersCache;
  }

  remotePeers(): PeerState[] {
    return this.peersCache.filter((p) => !p.isLocal);
  }

  local(): PeerState | undefined {
    return this.peersCache.find((p) => p.isLocal);
  }

  setName(name: string): void {
    const clean = name.trim().slice(0, MAX_PRESENCE_NAME);
    if (!clean) return;
    store(NAME_KEY, clean);
    const user = { ...(this.awareness.getLocalState()?.user as object), name: clean };
    this.awareness.setLocalStateField('user', user);
  }

  setCursor(cursor: { tick: number; pitch: number } | null): void {
    this.awareness.setLocalStateField('cursor', cursor ? { tick: Math.round(cursor.tick), pitch: cursor.pitch } : null);
  }

  /** Publishes the selection; the server takes states of at most 4 KB, so others see its first 200 notes. */
  setSelection(ids: Iterable<string>): void {
    const shown: string[] = [];
    for (const id of ids) {
      if (shown.length >= MAX_PRESENCE_SELECTION) break;
      shown.push(id);
    }
    this.awareness.setLocalStateField('selection', shown);
  }

  setKeys(pitches: readonly number[]): void {
    this.awareness.setLocalStateField('keys', pitches.slice(-MAX_PRESENCE_KEYS));
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  destroy(): void {
    this.awareness.off('change', this.onChange);
    this.listeners.clear();
  }
}
