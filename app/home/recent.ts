// "My sessions" (issue 16): the sessions this browser has opened, kept in localStorage only — the
// server has no accounts, so nothing else could know them. Each entry carries what the landing
// page shows: title, last edit, people seen, note count and a small piano-roll thumbnail.
import type { Note } from '@/lib/score';

export interface RecentSession {
  id: string;
  title: string;
  /** ms since epoch: the last change this browser saw in the score. */
  lastEdit: number;
  lastVisit: number;
  /** Most people seen in the session at once during the last visit. */
  people: number;
  noteCount: number;
  /** thumbnailOf(): 3 bytes per note (x, width, y), base64. */
  thumb: string;
}

const KEY = 'tutti:recent';
const MAX_ENTRIES = 60;

function read(): RecentSession[] {
  try {
    const raw = JSON.parse(window.localStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(raw) ? raw.filter((e): e is RecentSession => !!e && typeof e === 'object' && typeof (e as RecentSession).id === 'string') : [];
  } catch {
    return [];
  }
}

function write(list: RecentSession[]): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX_ENTRIES)));
  } catch {
    /* private mode or full: the list just is not remembered */
  }
}

/** Newest visit first. */
export const listRecent = (): RecentSession[] => read().sort((a, b) => b.lastVisit - a.lastVisit);

export function recordVisit(entry: Partial<RecentSession> & { id: string }): void {
  const list = read();
  const i = list.findIndex((e) => e.id === entry.id);
  const prev = i >= 0 ? list[i]! : { id: entry.id, title: 'Untitled session', lastEdit: 0, lastVisit: 0, people: 1, noteCount: 0, thumb: '' };
  const next = { ...prev, ...Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)), lastVisit: Date.now() } as RecentSession;
  if (i >= 0) list.splice(i, 1);
  write([next, ...list]);
}

export function removeRecent(id: string): void {
  write(read().filter((e) => e.id !== id));
}

/** Whether this browser holds the session's owner token (app/editor/session/access.ts). */
export function ownsSession(id: string): string | null {
  try {
    return window.localStorage.getItem(`tutti:owner:${id}`);
  } catch {
    return null;
  }
}

const THUMB_NOTES = 400;

/** Up to 400 notes as (x, width, y) bytes over the score's time and pitch span, base64. */
export function thumbnailOf(notes: Iterable<Pick<Note, 'start' | 'duration' | 'pitch'>>): string {
  const all = [...notes];
  if (all.length === 0) return '';
  const step = Math.max(1, Math.ceil(all.length / THUMB_NOTES));
  const picked = all.filter((_, i) => i % step === 0);
  let end = 1;
  let lo = 127;
  let hi = 0;
  for (const n of all) {
    end = Math.max(end, n.start + n.duration);
    lo = Math.min(lo, n.pitch);
    hi = Math.max(hi, n.pitch);
  }
  const span = Math.max(1, hi - lo);
  const bytes = new Uint8Array(picked.length * 3);
  picked.forEach((n, i) => {
    bytes[i * 3] = Math.round((n.start / end) * 255);
    bytes[i * 3 + 1] = Math.max(1, Math.round((n.duration / end) * 255));
    bytes[i * 3 + 2] = Math.round(((n.pitch - lo) / span) * 255);
  });
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function decodeThumbnail(thumb: string): { x: number; w: number; y: number }[] {
  if (!thumb) return [];
  try {
    const s = atob(thumb);
    const out: { x: number; w: number; y: number }[] = [];
    for (let i = 0; i + 2 < s.length; i += 3) out.push({ x: s.charCodeAt(i) / 255, w: s.charCodeAt(i + 1) / 255, y: s.charCodeAt(i + 2) / 255 });
    return out;
  } catch {
    return [];
  }
}
