// The version being previewed on this page only (nobody else's roll or document changes): its
// score, a time index over its notes for drawing, and — in diff mode — how the live score differs
// from it, recomputed at most once per live-score change.
import { NoteIndex } from '@/lib/editing';
import type { Note, Score } from '@/lib/score';
import { diffNotes, type NoteDiff } from '@/lib/score/versions';
import type { Editor } from '../editor';
import type { VersionInfo } from './api';

export interface VersionPreview {
  version: VersionInfo;
  label: string;
  score: Score;
  /** Colour added / removed / changed notes against the live score. */
  diff: boolean;
}

interface Slot {
  preview: VersionPreview | null;
  index: NoteIndex | null;
  diffCache: { storeVersion: number; diff: NoteDiff; index: NoteIndex; kinds: Map<string, 'added' | 'removed' | 'changed'> } | null;
  listeners: Set<() => void>;
}

const slots = new WeakMap<Editor, Slot>();
const slot = (ed: Editor): Slot => {
  let s = slots.get(ed);
  if (!s) slots.set(ed, (s = { preview: null, index: null, diffCache: null, listeners: new Set() }));
  return s;
};

export const previewOf = (ed: Editor): VersionPreview | null => slots.get(ed)?.preview ?? null;

export function setPreview(ed: Editor, preview: VersionPreview | null): void {
  const s = slot(ed);
  if (s.preview?.score !== preview?.score) {
    s.index = preview ? new NoteIndex(preview.score.notes) : null;
    s.diffCache = null;
  }
  s.preview = preview;
  s.listeners.forEach((fn) => fn());
}

export function onPreviewChange(ed: Editor, fn: () => void): () => void {
  const s = slot(ed);
  s.listeners.add(fn);
  return () => s.listeners.delete(fn);
}

/** The version's notes, indexed by time. */
export const previewIndex = (ed: Editor): NoteIndex | null => slots.get(ed)?.index ?? null;

/**
 * The live score against the previewed version: `index` holds every note to draw (the live ones
 * plus the removed ones), `kinds` marks the added, removed and changed ones by id.
 */
export function previewDiff(ed: Editor): { diff: NoteDiff; index: NoteIndex; kinds: Map<string, 'added' | 'removed' | 'changed'> } | null {
  const s = slots.get(ed);
  if (!s?.preview) return null;
  if (s.diffCache && s.diffCache.storeVersion === ed.store.version) return s.diffCache;
  const live = [...ed.store.notes.values()];
  const diff = diffNotes(s.preview.score.notes, live);
  const kinds = new Map<string, 'added' | 'removed' | 'changed'>();
  for (const n of diff.added) kinds.set(n.id, 'added');
  for (const c of diff.changed) kinds.set(c.after.id, 'changed');
  // A removed note keeps its id; a live note can reuse it only if it was re-added, which diffNotes reports as changed.
  const removed: Note[] = diff.removed.map((n) => ({ ...n, id: `removed:${n.id}` as Note['id'] }));
  for (const n of removed) kinds.set(n.id, 'removed');
  s.diffCache = { storeVersion: ed.store.version, diff, index: new NoteIndex([...live, ...removed]), kinds };
  return s.diffCache;
}
