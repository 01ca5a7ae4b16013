// Creating and describing sessions. A new session starts as a ready-to-use score: default meta
// and one melody track, stored as its first snapshot, so every client sees the same start.
import crypto from 'node:crypto';
import * as Y from 'yjs';
import { addTrack, initScore, readMeta, type Meta } from '@/lib/score';
import type { RoomRegistry } from './rooms/registry';
import type { DocStore, SessionRecord } from './persistence/store';
import { mintLinks, type LinkTokens } from './auth/access';

/** 128 random bits, url-safe. Sessions created before share links: the id is the capability to edit, so it stays unguessable. */
export const newSessionId = (): string => crypto.randomBytes(16).toString('base64url');

export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const isSessionId = (id: string): boolean => SESSION_ID_PATTERN.test(id);

export function initialState(title?: string): Uint8Array {
  const doc = new Y.Doc();
  initScore(doc, title ? { title } : {});
  addTrack(doc, { name: 'Melody', role: 'melody', instrument: 'piano' });
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

/** A new session with its share links (the tokens are returned once and stored only as hashes). */
export async function createSession(store: DocStore, title?: string): Promise<SessionRecord & { tokens: LinkTokens }> {
  const state = initialState(title);
  const id = newSessionId();
  const { tokens, columns } = mintLinks(id);
  return { ...(await store.createSession(id, title ?? 'Untitled session', state, columns)), tokens };
}

export interface SessionInfo {
  id: string;
  url: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  /** Live meta when the session is open in memory (title, bpm, key, …). */
  meta?: Meta;
  participants: number;
  /** Bytes the session occupies in the database (snapshot + not yet compacted updates). */
  storedBytes: number;
}

export async function describeSession(store: DocStore, rooms: RoomRegistry, id: string): Promise<SessionInfo | null> {
  if (!isSessionId(id)) return null;
  const s = await store.getSession(id);
  if (!s) return null;
  const room = rooms.peek(id);
  const storedBytes = await store.storedBytes(id);
  const meta = room ? readMeta(room.doc) : undefined;
  return {
    id: s.id,
    url: `/s/${s.id}`,
    title: meta?.title ?? s.title,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    ...(meta ? { meta } : {}),
    participants: room?.peers.size ?? 0,
    storedBytes,
  };
}
