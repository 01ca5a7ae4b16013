// What a valid entry of each top-level type of the session's Y.Doc is, checked on the Yjs
// structures themselves (not on a plain copy), so the server can vet one field of one update and
// repair a stored document in place. The layout (doc.ts, jobs.ts):
//   meta    key -> plain value valid for metaSchema.shape[key]
//   tracks  id  -> Y.Map of trackSchema fields        (written by clients)
//   notes   id  -> Y.Map of noteSchema fields         (written by clients)
//   jobs    id  -> Y.Map of jobStateSchema fields     (written by the server only)
//   suggestions id -> Y.Map of SUGGESTION_FIELDS      (created by the server; clients decide: status, decidedBy, decidedAt)
// Any other top-level type, list content in a top-level map, an unknown field or a Yjs type where
// a plain value belongs makes an entry invalid. One source of truth for the guard on the server
// (server/sync/update-guard.ts), repair at load, and the tests.
import * as Y from 'yjs';
import { readNote, readTrack } from './doc';
import { readJob } from './jobs';
import { readSuggestion } from './suggestions';
import { idSchema, metaSchema, noteSchema, trackSchema } from './types';

/** The top-level maps a participant may write. */
export const CLIENT_MAPS = ['meta', 'tracks', 'notes'] as const;
export type ClientMap = (typeof CLIENT_MAPS)[number];
/** Written by the server (the AI job list; suggestions, of which participants may only decide pending ones). */
export const SERVER_MAPS = ['jobs', 'suggestions'] as const;
export type TopLevelMap = ClientMap | (typeof SERVER_MAPS)[number];

export const isClientMap = (name: string): name is ClientMap => (CLIENT_MAPS as readonly string[]).includes(name);
export const isTopLevelMap = (name: string): name is TopLevelMap => isClientMap(name) || (SERVER_MAPS as readonly string[]).includes(name);

/** Maps whose entries are Y.Maps of fields. */
export type EntryMap = 'tracks' | 'notes';
export const isEntryMap = (name: string): name is EntryMap => name === 'tracks' || name === 'notes';

const FIELDS: Record<EntryMap, Record<string, { safeParse(v: unknown): { success: boolean } }>> = {
  notes: noteSchema.shape,
  tracks: trackSchema.shape,
};
/** Fields a reader cannot do without (a track's `order` defaults to 0 in readTrack; optional fields such as a note's `suggestionId` or a track's `aiVoice` may be absent). */
const optional = (shape: Record<string, { safeParse(v: unknown): { success: boolean } }>) => (k: string) => !shape[k]!.safeParse(undefined).success;
const REQUIRED: Record<EntryMap, readonly string[]> = {
  notes: Object.keys(noteSchema.shape).filter(optional(noteSchema.shape)),
  tracks: Object.keys(trackSchema.shape).filter((k) => k !== 'order').filter(optional(trackSchema.shape)),
};

export const requiredFields = (map: EntryMap): readonly string[] => REQUIRED[map];
export const isEntryField = (map: EntryMap, field: string): boolean => Object.hasOwn(FIELDS[map], field);

const describe = (v: unknown): string => (v instanceof Y.AbstractType ? 'a shared type' : typeof v === 'string' ? 'a string' : JSON.stringify(v)?.slice(0, 40) ?? typeof v);

/** null when `key: value` may stand in meta; else why not. */
export function metaFieldProblem(key: string, value: unknown): string | null {
  const schema = (metaSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[key];
  if (!schema || !Object.hasOwn(metaSchema.shape, key)) return `unknown meta field "${key}"`;
  return schema.safeParse(value).success ? null : `invalid meta.${key}: ${describe(value)}`;
}

/** null when a note's or track's field `field` may hold `value`; else why not. */
export function entryFieldProblem(map: EntryMap, field: string, value: unknown): string | null {
  if (!Object.hasOwn(FIELDS[map], field)) return `unknown ${map} field "${field}"`;
  return FIELDS[map][field]!.safeParse(value).success ? null : `invalid ${map} field ${field}: ${describe(value)}`;
}

/** null when `key` may name an entry of notes/tracks; else why not. */
export function entryKeyProblem(map: EntryMap, key: string): string | null {
  return idSchema.safeParse(key).success ? null : `invalid ${map} id "${key.slice(0, 40)}"`;
}

/** null when `value` (what a top-level map holds under `key`) is a valid entry; else why not. */
export function entryProblem(map: string, key: string, value: unknown): string | null {
  switch (map) {
    case 'meta':
      return metaFieldProblem(key, value);
    case 'notes':
    case 'tracks': {
      const keyProblem = entryKeyProblem(map, key);
      if (keyProblem) return keyProblem;
      if (!(value instanceof Y.Map)) return `${map}.${key.slice(0, 40)} is ${describe(value)}, not a map`;
      for (const field of value.keys()) if (!Object.hasOwn(FIELDS[map], field)) return `unknown ${map} field "${field.slice(0, 40)}"`;
      const ok = map === 'notes' ? readNote(key, value) : readTrack(key, value);
      return ok ? null : `invalid ${map === 'notes' ? 'note' : 'track'} ${key.slice(0, 40)}`;
    }
    case 'jobs':
      return value instanceof Y.Map && readJob(key, value) ? null : `invalid job ${key.slice(0, 40)}`;
    case 'suggestions':
      return value instanceof Y.Map && readSuggestion(key, value) ? null : `invalid suggestion ${key.slice(0, 40)}`;
    default:
      return `unknown top-level type "${map.slice(0, 40)}"`;
  }
}

export interface InvalidEntry {
  map: string;
  /** null: list content in a top-level type (never valid). */
  key: string | null;
  problem: string;
}

const itemValue = (item: Y.Item): unknown => {
  const content = item.content.getContent();
  return content[content.length - 1];
};

/** The live items of a top-level type that are not valid entries, with why. */
function invalidItems(name: string, type: Y.AbstractType<any>, keys?: Iterable<string | null>): [Y.Item, InvalidEntry][] {
  const out: [Y.Item, InvalidEntry][] = [];
  const listContent = () => {
    for (let item = type._start; item !== null; item = item.right)
      if (!item.deleted) out.push([item, { map: name, key: null, problem: `list content in top-level type "${name.slice(0, 40)}"` }]);
  };
  const check = (key: string) => {
    const item = type._map.get(key);
    if (!item || item.deleted) return;
    const problem = entryProblem(name, key, itemValue(item));
    if (problem) out.push([item, { map: name, key, problem }]);
  };
  if (keys) {
    let list = false;
    for (const k of keys) k === null ? (list = true) : check(k);
    if (list) listContent();
  } else {
    for (const key of type._map.keys()) check(key);
    listContent();
  }
  return out;
}

/** Every invalid entry of every top-level type of `doc` (a full scan: load time and tests). */
export function findInvalidEntries(doc: Y.Doc): InvalidEntry[] {
  const out: InvalidEntry[] = [];
  doc.share.forEach((type, name) => out.push(...invalidItems(name, type).map(([, e]) => e)));
  return out;
}

/** Deletes every invalid entry in one transaction (repair of a stored document at load). */
export function dropInvalidEntries(doc: Y.Doc, origin: unknown): InvalidEntry[] {
  const bad: [Y.Item, InvalidEntry][] = [];
  doc.share.forEach((type, name) => bad.push(...invalidItems(name, type)));
  if (bad.length > 0) doc.transact((tr) => bad.forEach(([item]) => item.delete(tr)), origin);
  return bad.map(([, e]) => e);
}

/**
 * Inside a transaction that applied someone's update: checks exactly the entries it touched
 * (`tr.changed`) and deletes the invalid ones in the same transaction, so peers and the store get
 * the update and its repair as one. Returns what was dropped (empty for a valid update).
 */
export function dropInvalidChanged(tr: Y.Transaction): InvalidEntry[] {
  const doc = tr.doc;
  const names = new Map<Y.AbstractType<any>, string>();
  doc.share.forEach((type, name) => names.set(type, name));
  const touched = new Map<Y.AbstractType<any>, Set<string | null>>();
  const touch = (root: Y.AbstractType<any>, key: string | null) => {
    let keys = touched.get(root);
    if (!keys) touched.set(root, (keys = new Set()));
    keys.add(key);
  };
  tr.changed.forEach((keys, type) => {
    if (type._item === null) return keys.forEach((k) => touch(type, k));
    // A change inside an entry: find the entry (the item whose parent is a top-level type).
    let item: Y.Item = type._item;
    while ((item.parent as Y.AbstractType<any>)._item !== null) item = (item.parent as Y.AbstractType<any>)._item!;
    touch(item.parent as Y.AbstractType<any>, item.parentSub);
  });
  const bad: [Y.Item, InvalidEntry][] = [];
  touched.forEach((keys, root) => {
    const name = names.get(root);
    if (name !== undefined) bad.push(...invalidItems(name, root, keys));
  });
  for (const [item] of bad) item.delete(tr);
  return bad.map(([, e]) => e);
}
