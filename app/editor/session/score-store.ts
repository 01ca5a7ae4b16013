// A live, incrementally maintained view of the shared document for rendering: notes by id, tracks,
// meta, and a time index. Remote and local changes update only the notes they touch, so a session
// of 10,000 notes does not re-read the whole document on every edit.
import type * as Y from 'yjs';
import { NoteIndex } from '@/lib/editing';
import { metaMap, notesMap, readMeta, readNote, readTracks, tracksMap, type Meta, type Note, type NoteId, type Track, type TrackId } from '@/lib/score';

export class ScoreStore {
  readonly notes = new Map<NoteId, Note>();
  tracks: Track[] = [];
  meta: Meta;
  /** Bumped on every change; React subscribers and the canvas compare it. */
  version = 0;
  private index = new NoteIndex();
  private indexVersion = -1;
  private listeners = new Set<() => void>();
  private unobserve: () => void;

  constructor(private readonly doc: Y.Doc) {
    const nm = notesMap(doc);
    nm.forEach((y, id) => {
      const n = readNote(id, y);
      if (n) this.notes.set(n.id, n);
    });
    this.tracks = readTracks(doc);
    this.meta = readMeta(doc);

    const onNotes = (events: Y.YEvent<any>[]) => {
      for (const e of events) {
        if (e.target === nm) {
          e.changes.keys.forEach((change, key) => {
            if (change.action === 'delete') this.notes.delete(key as NoteId);
            else this.refreshNote(key);
          });
        } else {
          const id = e.path[0];
          if (typeof id === 'string') this.refreshNote(id);
        }
      }
      this.changed();
    };
    const onTracks = () => {
      this.tracks = readTracks(doc);
      this.changed();
    };
    const onMeta = () => {
      this.meta = readMeta(doc);
      this.changed();
    };
    nm.observeDeep(onNotes);
    tracksMap(doc).observeDeep(onTracks);
    metaMap(doc).observe(onMeta);
    this.unobserve = () => {
      nm.unobserveDeep(onNotes);
      tracksMap(doc).unobserveDeep(onTracks);
      metaMap(doc).unobserve(onMeta);
    };
  }

  private refreshNote(id: string): void {
    const y = notesMap(this.doc).get(id);
    const n = y ? readNote(id, y) : null;
    if (n) this.notes.set(n.id, n);
    else this.notes.delete(id as NoteId);
  }

  private changed(): void {
    this.version++;
    this.listeners.forEach((fn) => fn());
  }

  /** The time index, rebuilt lazily at most once per version. */
  noteIndex(): NoteIndex {
    if (this.indexVersion !== this.version) {
      this.index.rebuild(this.notes.values());
      this.indexVersion = this.version;
    }
    return this.index;
  }

  track(id: TrackId | null | undefined): Track | undefined {
    return id ? this.tracks.find((t) => t.id === id) : undefined;
  }

  notesOf(ids: Iterable<NoteId>): Note[] {
    const out: Note[] = [];
    for (const id of ids) {
      const n = this.notes.get(id);
      if (n) out.push(n);
    }
    return out;
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  destroy(): void {
    this.unobserve();
    this.listeners.clear();
  }
}
