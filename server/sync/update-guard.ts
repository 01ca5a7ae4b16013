// The score schema, enforced on a participant's document update before it reaches the room
// (Reject, not Repair: a refused update changes nothing, so `notes.set(existingId, 42)` cannot take
// the existing note with it). The update is decoded (Y.decodeUpdate) and every new item is placed
// — which top-level map, which entry, which field — from its own parent info, or from the item it
// was inserted next to (origin), found either in the document's store or earlier in the same
// update. Then:
//   - only meta, tracks and notes may be written (jobs is the server's; any other name is refused);
//   - suggestions are the server's too, except that a participant may decide a pending one: write
//     status (accepted | dismissed) with decidedBy and decidedAt, nothing else (issue 13);
//   - a meta value, a note field, a track field must be valid for its schema (lib/score/validate);
//   - a new note or track must bring all its required fields, and a field of an existing one may be
//     deleted only by writing a new value in the same update (Yjs deletes the old value item then);
//   - an item that refers to state the server lacks is refused (Yjs would park it and integrate it
//     later, unchecked), and so is a delete of state the server lacks;
//   - notes and tracks limits.
// A resync (the sender's sync step 2: what it holds and the server lacks) is judged more softly,
// because the stock y-websocket provider resends it on every reconnect: a refusal would lock a
// legitimate client out for good (e.g. job states a crashed server broadcast but never stored).
// There, writes to the jobs list or to suggestions beyond a valid decision, and invalid new entries
// at keys with no live value, are let in and undone in the same transaction (jobs and suggestions
// restored to the server's state, invalid entries
// deleted): nothing the server holds is lost, and the sender, sent the undo, stops resending.
// Anything that would overwrite or break existing data is still refused.
// Cost: proportional to the update (plus one store lookup per reference), never the document.
import * as Y from 'yjs';
import { dropInvalidChanged, entryFieldProblem, entryKeyProblem, isClientMap, isEntryField, isEntryMap, metaFieldProblem, requiredFields } from '@/lib/score/validate';
import { CLIENT_SUGGESTION_FIELDS, getSuggestion, planAccept, suggestionFieldProblem } from '@/lib/score/suggestions';
import { readScore } from '@/lib/score/doc';
import { CLOSE, ProtocolError } from './errors';

export interface EntryLimits {
  maxNotes: number;
  maxTracks: number;
}

/** Where an item sits. `owner` is the item holding the entry's Y.Map (in the store or the update). */
type Place =
  | { kind: 'root'; name: string; key: string | null }
  | { kind: 'entry'; map: string; entryKey: string; owner: Y.Item; field: string | null }
  | { kind: 'deep' }
  /** Next to garbage-collected state: Yjs turns it into GC on arrival; it can change nothing. */
  | { kind: 'gc' };

type Struct = Y.Item | Y.GC | Y.Skip;
/** Y.decodeUpdate's delete set (the class is not exported by name). */
type DeleteSet = ReturnType<typeof Y.decodeUpdate>['ds'];

const refuse = (message: string): never => {
  throw new ProtocolError(`refused update: ${message}`, CLOSE.invalidUpdate);
};
const overLimit = (message: string): never => {
  throw new ProtocolError(message, CLOSE.overLimit);
};

/** Sorted [clock, end) ranges per client, for "does this delete set cover that id". */
class Ranges {
  private readonly byClient = new Map<number, [number, number][]>();
  constructor(ds: DeleteSet) {
    ds.clients.forEach((items: { clock: number; len: number }[], client: number) => this.byClient.set(client, items.map((d) => [d.clock, d.clock + d.len] as [number, number]).sort((a, b) => a[0] - b[0])));
  }
  covers(client: number, clock: number): boolean {
    const r = this.byClient.get(client);
    if (!r) return false;
    let lo = 0;
    let hi = r.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]![1] <= clock) lo = mid + 1;
      else if (r[mid]![0] > clock) hi = mid - 1;
      else return true;
    }
    return false;
  }
  forEach(fn: (client: number, clock: number, end: number) => void): void {
    this.byClient.forEach((r, client) => r.forEach(([s, e]) => fn(client, s, e)));
  }
}

export class UpdateInspection {
  private readonly store: Y.Doc['store'];
  private readonly rootNames = new Map<Y.AbstractType<any>, string>();
  /** The update's structs per client, in clock order (as decoded). */
  private readonly incoming = new Map<number, Struct[]>();
  /** The store's clock per client before this update. */
  private readonly state = new Map<number, number>();
  private readonly places = new Map<Y.Item, Place>();
  private readonly deletes: Ranges;
  /** New items written into an entry's field, by entry owner, then field. */
  private readonly fieldWrites = new Map<Y.Item, Map<string, Y.Item[]>>();
  private readonly newEntries: { map: string; key: string; owner: Y.Item }[] = [];
  /** Existing required fields whose current value the update deletes: checked at the end. */
  private readonly fieldDeletes: { owner: Y.Item; map: string; entryKey: string; field: string }[] = [];
  private readonly removedEntries = { notes: new Set<string>(), tracks: new Set<string>() };
  private readonly structCount: number;
  /** Resync only: jobs entries the update writes or deletes (restored after applying it). */
  readonly touchedJobs = new Set<string>();
  /** Resync only: suggestions the update changes beyond a valid decision (restored after applying it). */
  readonly touchedSuggestions = new Set<string>();
  /**
   * Suggestions this update decides although they were already decided (two people pressed Accept
   * at once): applied and undone — decision, notes and voice tracks of that acceptance — without
   * closing the sender, who is sent the undo (applyGuardedUpdate).
   */
  readonly decisionRaces = new Set<string>();
  /** A participant's decision of a suggestion: new items per field, by the entry's owner item. */
  private readonly suggestionWrites = new Map<Y.Item, { key: string; fields: Map<string, Y.Item[]> }>();
  /** Stored field values of suggestions the update deletes (only allowed when overwritten). */
  private readonly suggestionDeletes: { owner: Y.Item; key: string; field: string }[] = [];
  /** Resync only: why the update needs undoing after it is applied (null: it is valid as it is). */
  repairNeeded: string | null = null;

  constructor(
    private readonly doc: Y.Doc,
    update: Uint8Array,
    /** The sender's sync step 2: repairable problems are recorded instead of refused. */
    private readonly resync = false,
  ) {
    this.store = doc.store;
    doc.share.forEach((type, name) => this.rootNames.set(type, name));
    const { structs, ds } = Y.decodeUpdate(update);
    this.structCount = structs.length;
    for (const s of structs) {
      let list = this.incoming.get(s.id.client);
      if (!list) this.incoming.set(s.id.client, (list = []));
      list.push(s);
    }
    this.deletes = new Ranges(ds);
  }

  private stateOf(client: number): number {
    let s = this.state.get(client);
    if (s === undefined) this.state.set(client, (s = Y.getState(this.store, client)));
    return s;
  }

  private isNew(s: Struct): boolean {
    return s.id.clock + s.length > this.stateOf(s.id.client);
  }

  /** The struct holding `id`: in the store when the server has it, else in this update, else null. */
  private lookup(client: number, clock: number): Struct | null {
    if (clock < this.stateOf(client)) {
      const structs = this.store.clients.get(client)!;
      return structs[Y.findIndexSS(structs, clock)] ?? null;
    }
    const list = this.incoming.get(client);
    if (!list || list.length === 0) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid]!;
      if (s.id.clock + s.length <= clock) lo = mid + 1;
      else if (s.id.clock > clock) hi = mid - 1;
      else return s instanceof Y.Skip ? null : s;
    }
    return null;
  }

  private isStored(item: Y.Item): boolean {
    return item.id.clock < this.stateOf(item.id.client);
  }

  /** Where the children of the type held by `owner` under `key` sit. */
  private placeIn(owner: Y.Item, key: string | null, depth: number): Place {
    if (depth > 4) return { kind: 'deep' };
    const p = this.placeOf(owner, depth + 1);
    if (p.kind === 'gc') return p;
    if (p.kind === 'root' && p.key !== null) return { kind: 'entry', map: p.name, entryKey: p.key, owner, field: key };
    return { kind: 'deep' };
  }

  private placeOf(item: Y.Item, depth = 0): Place {
    const memo = this.places.get(item);
    if (memo) return memo;
    let place: Place;
    if (this.isStored(item)) {
      const parent = item.parent as Y.AbstractType<any> | null;
      if (!parent) place = { kind: 'gc' };
      else if (parent._item === null) place = { kind: 'root', name: this.rootNames.get(parent) ?? Y.findRootTypeKey(parent), key: item.parentSub };
      else place = this.placeIn(parent._item, item.parentSub, depth);
    } else place = this.placeOfNew(item, depth);
    this.places.set(item, place);
    return place;
  }

  /**
   * A new item's place, as Yjs will decide it (Item.getMissing): explicit parent info, else the
   * parent and key of its left (origin) or right neighbour. Chains of neighbours within the update
   * are followed iteratively (one key set 10,000 times is a chain of 10,000).
   */
  private placeOfNew(start: Y.Item, depth: number): Place {
    const chain: Y.Item[] = [];
    let item = start;
    let place: Place = { kind: 'deep' };
    for (;;) {
      const memo = this.places.get(item);
      if (memo) {
        place = memo;
        break;
      }
      // Longer than the update itself: the chain runs in a cycle.
      if (chain.length > this.structCount) refuse('its items refer to each other in a cycle');
      const parent = item.parent as string | Y.ID | null;
      if (typeof parent === 'string') {
        place = { kind: 'root', name: parent, key: item.parentSub };
        break;
      }
      if (parent) {
        const owner = this.ref(item, parent);
        if (owner instanceof Y.GC) place = { kind: 'gc' };
        else if (!(owner.content instanceof Y.ContentType)) refuse('an item’s parent is not a shared type');
        else place = this.placeIn(owner, item.parentSub, depth);
        break;
      }
      const left = item.origin ? this.ref(item, item.origin) : null;
      const right = item.rightOrigin ? this.ref(item, item.rightOrigin) : null;
      if (left instanceof Y.GC || right instanceof Y.GC) {
        place = { kind: 'gc' };
        break;
      }
      const next = (left ?? right) as Y.Item | null;
      if (!next) refuse('an item has no parent');
      chain.push(item);
      if (this.isStored(next!)) {
        place = this.placeOf(next!, depth);
        break;
      }
      item = next!;
    }
    for (const c of chain) this.places.set(c, place);
    return place;
  }

  /** The struct `from` refers to; refuses references to state the server does not have. */
  private ref(from: Y.Item, id: Y.ID): Y.Item | Y.GC {
    if (id.client === from.id.client && id.clock >= from.id.clock) refuse('an item refers to a later one of its own client');
    const s = this.lookup(id.client, id.clock);
    if (!s) refuse('it depends on changes the server does not have (reconnect to resync)');
    return s as Y.Item | Y.GC;
  }

  /** Resync: a write to the jobs list (or to a suggestion) is let in and undone later (they are the server's). */
  private jobsTouched(key: string | null, message: string, map: 'jobs' | 'suggestions' = 'jobs'): boolean {
    if (!this.resync || key === null) return false;
    (map === 'jobs' ? this.touchedJobs : this.touchedSuggestions).add(key);
    this.repairNeeded ??= message;
    return true;
  }

  /** Refuses a change to a suggestion that is not a participant's decision (undone instead on a resync). */
  private suggestionRefusal(key: string | null, message: string): void {
    if (!this.jobsTouched(key, message, 'suggestions')) refuse(message);
  }

  /** The value a stored suggestion's field holds now (undefined: none). */
  private storedSuggestionField(owner: Y.Item, field: string): unknown {
    if (!(owner.content instanceof Y.ContentType)) return undefined;
    const f = owner.content.type._map.get(field);
    if (!f || f.deleted) return undefined;
    const c = f.content.getContent();
    return c[c.length - 1];
  }

  /** A new item inside a suggestion entry: only status/decidedBy/decidedAt of a pending, stored suggestion. */
  private checkSuggestionItem(item: Y.Item, place: { entryKey: string; owner: Y.Item; field: string | null }, deleted: boolean): void {
    const { owner, field, entryKey } = place;
    const key = entryKey.slice(0, 40);
    if (!this.isStored(owner)) return this.suggestionRefusal(entryKey, 'suggestions are created by the server only');
    if (field === null || !(CLIENT_SUGGESTION_FIELDS as readonly string[]).includes(field))
      return this.suggestionRefusal(entryKey, `a participant may only decide suggestion ${key} (status, decidedBy, decidedAt), not write ${String(field).slice(0, 40)}`);
    if (!deleted) {
      const v = plainValue(item);
      const problem = v.problem ?? suggestionFieldProblem(field, v.value);
      if (problem) return this.suggestionRefusal(entryKey, `suggestion ${key}: ${problem}`);
      if (v.value === null || v.value === 'pending') return this.suggestionRefusal(entryKey, `suggestion ${key}: a decision sets ${field} to a value (status accepted or dismissed)`);
    }
    // Someone decided it first: a valid decision arriving late is undone, not refused.
    if (this.storedSuggestionField(owner, 'status') !== 'pending') this.decisionRaces.add(entryKey);
    let w = this.suggestionWrites.get(owner);
    if (!w) this.suggestionWrites.set(owner, (w = { key: entryKey, fields: new Map() }));
    let items = w.fields.get(field);
    if (!items) w.fields.set(field, (items = []));
    items.push(item);
  }

  /** A decision writes status (and may write decidedBy/decidedAt); a stored field is only deleted by overwriting it. */
  private checkSuggestionDecisions(): void {
    for (const { key, fields } of this.suggestionWrites.values()) {
      const status = fields.get('status');
      if (!status || status.every((it) => this.isDeletedNew(it))) this.suggestionRefusal(key, `suggestion ${key.slice(0, 40)}: a decision must set its status`);
    }
    for (const { owner, key, field } of this.suggestionDeletes) {
      const items = this.suggestionWrites.get(owner)?.fields.get(field);
      if (!items || items.every((it) => this.isDeletedNew(it))) this.suggestionRefusal(key, `it deletes ${field} of suggestion ${key.slice(0, 40)}`);
    }
  }

  /**
   * Resync: an invalid entry at a key of notes/tracks/meta that has no live value on the server is
   * let in, and deleted after applying (dropInvalidChanged) — that loses nothing the server holds.
   */
  private softRefuse(map: string, key: string, message: string): void {
    const cur = this.resync ? this.doc.share.get(map)?._map.get(key) : undefined;
    if (!this.resync || (cur && !cur.deleted)) refuse(message);
    this.repairNeeded ??= message;
  }

  private isDeletedNew(item: Y.Item): boolean {
    return item.content instanceof Y.ContentDeleted || this.deletes.covers(item.id.client, item.id.clock);
  }

  /** Throws ProtocolError (4422 schema, 4413 limits) unless the update is acceptable. */
  check(limits: EntryLimits): void {
    for (const [client, list] of this.incoming) {
      const state = this.stateOf(client);
      for (let i = 1; i < list.length; i++)
        if (list[i]!.id.clock !== list[i - 1]!.id.clock + list[i - 1]!.length) refuse('malformed (a client’s structs are not contiguous)');
      const first = list.find((s) => s.id.clock + s.length > state);
      if (first && first.id.clock > state) refuse('it depends on changes the server does not have (reconnect to resync)');
      for (const s of list) {
        if (!this.isNew(s)) continue;
        if (s instanceof Y.Skip) refuse('it depends on changes the server does not have (reconnect to resync)');
        if (s instanceof Y.Item) this.checkItem(s);
      }
    }
    this.checkDeletes();
    this.checkSuggestionDecisions();
    this.checkFieldTips();
    this.checkLimits(limits);
  }

  private checkItem(item: Y.Item): void {
    const place = this.placeOf(item);
    const deleted = this.isDeletedNew(item);
    switch (place.kind) {
      case 'gc':
        return;
      case 'deep':
        return refuse('a value nested inside a note, track or meta field');
      case 'root': {
        const { name, key } = place;
        if (name === 'jobs' && this.jobsTouched(key, 'the jobs list is written by the server only')) return;
        if (name === 'suggestions') return this.suggestionRefusal(key, 'suggestions are created by the server only');
        if (!isClientMap(name)) return refuse(name === 'jobs' ? 'the jobs list is written by the server only' : `unknown top-level type "${name.slice(0, 40)}"`);
        if (key === null) return refuse(`list content in top-level map "${name}"`);
        if (name === 'meta') {
          if (deleted) return;
          const v = plainValue(item);
          if (v.problem) return this.softRefuse(name, key, `meta.${key.slice(0, 40)}: ${v.problem}`);
          const problem = metaFieldProblem(key, v.value);
          if (problem) this.softRefuse(name, key, problem);
          return;
        }
        const keyProblem = entryKeyProblem(name, key);
        if (keyProblem) return refuse(keyProblem);
        if (deleted) return;
        if (!(item.content instanceof Y.ContentType) || !(item.content.type instanceof Y.Map)) return this.softRefuse(name, key, `${name}.${key.slice(0, 40)} must be a map`);
        this.newEntries.push({ map: name, key, owner: item });
        return;
      }
      case 'entry': {
        const { map, field, owner } = place;
        if (map === 'jobs' && this.jobsTouched(place.entryKey, 'the jobs list is written by the server only')) return;
        if (map === 'suggestions') return this.checkSuggestionItem(item, place, deleted);
        if (!isEntryMap(map)) return refuse(map === 'jobs' ? 'the jobs list is written by the server only' : `a value nested inside ${map.slice(0, 40)}`);
        if (field === null) return refuse(`list content in a ${map === 'notes' ? 'note' : 'track'}`);
        // A field of an entry new in this update (not of a stored one) can be undone with its entry.
        const fieldProblem = (message: string) => (this.isStored(owner) ? refuse(message) : this.softRefuse(map, place.entryKey, message));
        if (!deleted) {
          const v = plainValue(item);
          if (v.problem) return fieldProblem(`${map}.${place.entryKey.slice(0, 40)}.${field.slice(0, 40)}: ${v.problem}`);
          const problem = entryFieldProblem(map, field, v.value);
          if (problem) return fieldProblem(problem);
        } else if (!isEntryField(map, field)) return fieldProblem(`unknown ${map} field "${field.slice(0, 40)}"`);
        let fields = this.fieldWrites.get(owner);
        if (!fields) this.fieldWrites.set(owner, (fields = new Map()));
        let items = fields.get(field);
        if (!items) fields.set(field, (items = []));
        items.push(item);
        return;
      }
    }
  }

  /** Deletes of stored items: never in jobs or unknown types, never a required field left empty. */
  private checkDeletes(): void {
    this.deletes.forEach((client, clock, end) => {
      const state = this.stateOf(client);
      if (end > state) {
        const list = this.incoming.get(client);
        const last = list?.[list.length - 1];
        if (!last || last.id.clock + last.length < end) refuse('it deletes changes the server does not have');
      }
      const structs = this.store.clients.get(client);
      if (!structs || clock >= state) return;
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < end; i++) {
        const s = structs[i]!;
        if (s instanceof Y.Item && !s.deleted) this.checkDelete(s);
      }
    });
  }

  private checkDelete(item: Y.Item): void {
    const place = this.placeOf(item);
    if (place.kind === 'root') {
      if (place.name === 'jobs' && this.jobsTouched(place.key, 'the jobs list is written by the server only')) return;
      if (place.name === 'suggestions') return this.suggestionRefusal(place.key, 'suggestions are removed by the server only');
      if (!isClientMap(place.name)) refuse(place.name === 'jobs' ? 'the jobs list is written by the server only' : `unknown top-level type "${place.name.slice(0, 40)}"`);
      const parent = item.parent as Y.AbstractType<any>;
      if (isEntryMap(place.name) && place.key !== null && parent._map.get(place.key) === item) this.removedEntries[place.name].add(place.key);
    } else if (place.kind === 'entry') {
      if (place.map === 'jobs' && this.jobsTouched(place.entryKey, 'the jobs list is written by the server only')) return;
      if (place.map === 'suggestions') {
        const parent = item.parent as Y.AbstractType<any>;
        // An old value item of a field (overwritten or not); an overwrite is checked with the decision.
        if (place.field !== null && parent._map.get(place.field) === item) this.suggestionDeletes.push({ owner: place.owner, key: place.entryKey, field: place.field });
        else if (place.field === null) this.suggestionRefusal(place.entryKey, 'list content in a suggestion');
        return;
      }
      if (!isEntryMap(place.map)) refuse(place.map === 'jobs' ? 'the jobs list is written by the server only' : 'a delete inside meta');
      const { owner, field } = place;
      const parent = item.parent as Y.AbstractType<any>;
      if (field !== null && requiredFields(place.map as 'notes').includes(field) && parent._map.get(field) === item)
        this.fieldDeletes.push({ owner, map: place.map, entryKey: place.entryKey, field });
    }
  }

  /**
   * The value a field ends up with is the last of its items in the update (the tips: items no
   * other item of the same field was inserted after). Every tip of a required field must be live.
   */
  private checkFieldTips(): void {
    const tipsOf = (items: Y.Item[]): Y.Item[] => {
      if (items.length === 1) return items;
      const overwritten = new Set<string>();
      for (const it of items) if (it.origin) overwritten.add(`${it.origin.client}:${it.origin.clock}`);
      return items.filter((it) => !overwritten.has(`${it.id.client}:${it.id.clock + it.length - 1}`));
    };
    const liveField = (owner: Y.Item, field: string): boolean | null => {
      const items = this.fieldWrites.get(owner)?.get(field);
      if (!items) return null;
      return tipsOf(items).every((it) => !this.isDeletedNew(it));
    };
    for (const [owner, fields] of this.fieldWrites) {
      const place = this.placeOf(owner);
      if (place.kind !== 'root' || !isEntryMap(place.name)) continue;
      const required = requiredFields(place.name);
      if (owner.deleted || this.isDeletedNew(owner)) continue; // the whole entry goes
      for (const field of fields.keys())
        if (required.includes(field) && !liveField(owner, field)) refuse(`it deletes ${field} of ${place.name === 'notes' ? 'note' : 'track'} ${String(place.key).slice(0, 40)}`);
    }
    for (const { owner, key, map } of this.newEntries) {
      if (this.isDeletedNew(owner)) continue;
      for (const field of requiredFields(map as 'notes'))
        if (!liveField(owner, field)) this.softRefuse(map, key, `new ${map === 'notes' ? 'note' : 'track'} ${key.slice(0, 40)} lacks ${field}`);
    }
    for (const { owner, map, entryKey, field } of this.fieldDeletes) {
      if (owner.deleted || this.isDeletedNew(owner)) continue; // the whole entry goes
      if (!liveField(owner, field)) refuse(`it deletes ${field} of ${map === 'notes' ? 'note' : 'track'} ${entryKey.slice(0, 40)}`);
    }
  }

  private checkLimits(limits: EntryLimits): void {
    for (const map of ['notes', 'tracks'] as const) {
      const max = map === 'notes' ? limits.maxNotes : limits.maxTracks;
      const root = this.doc.share.get(map);
      const added = new Set<string>();
      for (const e of this.newEntries) {
        if (e.map !== map || this.isDeletedNew(e.owner)) continue;
        const cur = root?._map.get(e.key);
        if (!cur || cur.deleted || this.removedEntries[map].has(e.key)) added.add(e.key);
      }
      if (added.size === 0) continue;
      const net = added.size - this.removedEntries[map].size;
      // _map also keeps deleted keys: an upper bound first, the exact count only near the limit.
      if ((root?._map.size ?? 0) + net <= max) continue;
      let live = 0;
      root?._map.forEach((it) => void (it.deleted || live++));
      if (live + net > max) overLimit(`this update would bring the session to ${live + net} ${map}; the limit is ${max}`);
    }
  }
}

/** A map item's single plain value (what Y.Map#set of a JSON-like value writes). */
function plainValue(item: Y.Item): { value?: unknown; problem?: string } {
  if (!(item.content instanceof Y.ContentAny)) return { problem: item.content instanceof Y.ContentType ? 'a shared type where a value belongs' : 'not a plain value' };
  const arr = (item.content as Y.ContentAny).arr;
  if (arr.length !== 1) return { problem: 'list content' };
  return { value: arr[0] };
}

/** Refuses (ProtocolError) an update that would break the score schema or the entry limits. */
export function inspectUpdate(doc: Y.Doc, update: Uint8Array, limits: EntryLimits, resync = false): UpdateInspection {
  const inspection = new UpdateInspection(doc, update, resync);
  inspection.check(limits);
  return inspection;
}

/** Origin of a live update applied with a late suggestion decision undone: not the sender's, so the sender is sent the undo too. */
export const DECISION_RACE_ORIGIN = Symbol('suggestion-decision-race');

/**
 * Inside the transaction of an update that decided already-decided suggestions: deletes the notes
 * it added carrying one of their ids, then the voice tracks it added that hold no note.
 */
/** The notes (now present, with their fields) that accepting these suggestions would remove: what a late acceptance may have deleted. */
function notesAnAcceptanceReplaces(doc: Y.Doc, ids: ReadonlySet<string>): Map<string, Record<string, unknown>> {
  const score = readScore(doc);
  const out = new Map<string, Record<string, unknown>>();
  for (const id of ids) {
    const s = getSuggestion(doc, id);
    if (!s) continue;
    for (const noteId of planAccept(score, { ...s, status: 'pending' }).remove) {
      const y = doc.getMap<Y.Map<unknown>>('notes').get(noteId);
      if (y instanceof Y.Map) out.set(noteId, Object.fromEntries(y.entries()));
    }
  }
  return out;
}

function dropLateAcceptances(doc: Y.Doc, tr: Y.Transaction, races: ReadonlySet<string>, replaced: Map<string, Record<string, unknown>>): void {
  const isNew = (item: Y.Item) => item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
  const notes = doc.getMap<Y.Map<unknown>>('notes');
  const tracks = doc.getMap<Y.Map<unknown>>('tracks');
  for (const key of tr.changed.get(notes as Y.AbstractType<any>) ?? []) {
    const item = key === null ? undefined : notes._map.get(key);
    if (!item || item.deleted || !isNew(item) || !(item.content instanceof Y.ContentType)) continue;
    if (races.has(String((item.content.type as Y.Map<unknown>).get('suggestionId')))) item.delete(tr);
  }
  const added = [...(tr.changed.get(tracks as Y.AbstractType<any>) ?? [])].filter((key): key is string => {
    const item = key === null ? undefined : tracks._map.get(key);
    return !!item && !item.deleted && isNew(item) && item.content instanceof Y.ContentType && (item.content.type as Y.Map<unknown>).get('aiVoice') !== undefined;
  });
  // The notes it replaced come back (under their ids, with their fields).
  for (const [noteId, fields] of replaced) {
    if (notes.has(noteId)) continue;
    const y = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(fields)) y.set(k, v);
    notes.set(noteId, y);
  }
  if (!added.length) return;
  const used = new Set<unknown>();
  notes.forEach((n) => used.add(n instanceof Y.Map ? n.get('trackId') : undefined));
  for (const key of added) if (!used.has(key)) tracks._map.get(key)!.delete(tr);
}

/** A jobs entry as the server holds it before an update: each field's item and value (null: no entry). */
type JobBefore = { item: Y.Item; fields: Map<string, { item: Y.Item; value: unknown }> } | null;

const lastValue = (item: Y.Item): unknown => {
  const c = item.content.getContent();
  return c[c.length - 1];
};

function jobsBefore(doc: Y.Doc, keys: Set<string>, map: 'jobs' | 'suggestions' = 'jobs'): Map<string, JobBefore> {
  const jobs = doc.getMap(map);
  const out = new Map<string, JobBefore>();
  for (const key of keys) {
    const item = jobs._map.get(key);
    if (!item || item.deleted || !(item.content instanceof Y.ContentType)) {
      out.set(key, null);
      continue;
    }
    const fields = new Map<string, { item: Y.Item; value: unknown }>();
    item.content.type._map.forEach((f, name) => void (f.deleted || fields.set(name, { item: f, value: lastValue(f) })));
    out.set(key, { item, fields });
  }
  return out;
}

/** Puts the jobs entries back as they were before the update (inside its transaction). */
function restoreJobs(doc: Y.Doc, before: Map<string, JobBefore>, tr: Y.Transaction, map: 'jobs' | 'suggestions' = 'jobs'): void {
  const jobs = doc.getMap<Y.Map<unknown>>(map);
  for (const [key, was] of before) {
    const cur = jobs._map.get(key);
    if (!was) {
      if (cur && !cur.deleted) cur.delete(tr);
      continue;
    }
    if (cur === was.item && !cur.deleted) {
      const y = (cur.content as Y.ContentType).type as Y.Map<unknown>;
      y._map.forEach((f, name) => void (!f.deleted && !was.fields.has(name) && f.delete(tr)));
      for (const [name, f] of was.fields) if (y._map.get(name) !== f.item || f.item.deleted) y.set(name, f.value);
      continue;
    }
    if (cur && !cur.deleted) cur.delete(tr);
    const fresh = new Y.Map<unknown>();
    for (const [name, f] of was.fields) fresh.set(name, f.value);
    jobs.set(key, fresh);
  }
}

/**
 * Inspects, then applies `update` in one transaction whose origin is `origin`, and — as a second
 * line behind the inspection — checks the entries the transaction touched, deleting any invalid
 * one inside the same transaction (so peers and the store only ever see the update together with
 * its repair), and drops anything Yjs would have parked for later (pending structs integrate
 * outside any check). Throws ProtocolError when the update was refused or needed either.
 *
 * With `resync` (the sender's sync step 2), problems the inspection found repairable are undone
 * the same way without closing the sender: the transaction then runs under `repairOrigin`, so
 * the sender too is sent the update with its undo (Yjs ignores what it already has and applies
 * the deletes), its state vector matches the server's, and it stops resending. Returns whether
 * that happened.
 */
export function applyGuardedUpdate(doc: Y.Doc, update: Uint8Array, origin: unknown, limits: EntryLimits, resync?: { repairOrigin: unknown }): boolean {
  const inspection = inspectUpdate(doc, update, limits, resync !== undefined);
  const races = inspection.decisionRaces;
  const expected = inspection.repairNeeded !== null || races.size > 0;
  const jobs = expected ? jobsBefore(doc, inspection.touchedJobs) : null;
  const suggestions = expected ? jobsBefore(doc, new Set([...inspection.touchedSuggestions, ...races]), 'suggestions') : null;
  const replaced = races.size ? notesAnAcceptanceReplaces(doc, races) : null;
  let repaired: string | null = null;
  doc.transact((tr) => {
    try {
      Y.applyUpdate(doc, update, origin);
    } catch (err) {
      // Yjs gave up halfway: what it did integrate is still checked (and repaired) below.
      repaired = `it could not be applied (${(err as Error).message})`;
    }
    const store = doc.store;
    if (store.pendingStructs || store.pendingDs) {
      store.pendingStructs = null;
      store.pendingDs = null;
      repaired = 'it depends on changes the server does not have (reconnect to resync)';
    }
    if (jobs) {
      restoreJobs(doc, jobs, tr);
      if (suggestions) restoreJobs(doc, suggestions, tr, 'suggestions');
      if (races.size) dropLateAcceptances(doc, tr, races, replaced!);
      // applyUpdate marked the transaction remote; the restore writes items under the server's own
      // client id, which Yjs would take for a clash and answer by changing that id (with a warning).
      tr.local = true;
    }
    const dropped = dropInvalidChanged(tr);
    if (dropped.length > 0 && inspection.repairNeeded === null) repaired = `${dropped[0]!.problem} (removed)`;
  }, expected ? (resync?.repairOrigin ?? DECISION_RACE_ORIGIN) : origin);
  if (repaired) throw new ProtocolError(`refused update: ${repaired}`, CLOSE.invalidUpdate);
  return expected;
}
