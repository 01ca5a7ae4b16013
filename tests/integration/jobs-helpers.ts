// Shared by the AI-job integration tests: a real y-websocket client on a session, a melody to
// accompany, and thin wrappers over the job API.
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { addNotes, readTracks, type NoteData, type TrackId } from '@/lib/score';
import { editTokenFor } from '../helpers/server';

export const MODELS = ['gan', 'arcnn', 'transformer'] as const;
const WEIGHTS = path.resolve(import.meta.dirname, '../../models/weights');

/** The committed weights must be there: these tests run the real models, never stand-ins. */
export function assertWeights(models: readonly string[] = MODELS): void {
  const missing = models.filter((m) => !fs.existsSync(path.join(WEIGHTS, m)) || fs.readdirSync(path.join(WEIGHTS, m)).filter((f) => !f.endsWith('.md')).length === 0);
  if (missing.length) throw new Error(`committed model weights missing for: ${missing.join(', ')} (expected under models/weights/<name>/; run \`npm run train -- <name>\`)`);
}

export interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
  destroy(): void;
}

export async function connect(wsUrl: string, sessionId: string, token = editTokenFor(sessionId)): Promise<Client> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, sessionId, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true, ...(token ? { params: { token } } : {}) });
  await waitFor(() => provider.synced, 20_000, 'client sync');
  return {
    doc,
    provider,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A 4-bar C-major melody in quarters and halves on the session's melody track (added by the client). */
export function writeMelody(doc: Y.Doc, bars = 4): TrackId {
  const track = readTracks(doc).find((t) => t.role === 'melody') ?? readTracks(doc)[0];
  if (!track) throw new Error('the new session has no track to write a melody on');
  const pitches = [72, 74, 76, 77, 79, 77, 76, 74, 72, 76, 79, 84, 79, 76, 74, 72];
  const notes: NoteData[] = [];
  for (let i = 0; i < bars * 4; i++) notes.push({ trackId: track.id, pitch: pitches[i % pitches.length]!, start: i * 480, duration: 480, velocity: 90 });
  addNotes(doc, notes, 'test-melody');
  return track.id;
}

export interface Res<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A JSON call. `headers` default: the edit token of the session the URL names, when it was made
 * with createSession (pass `{}` for none, or your own Authorization / X-Tutti-Participant).
 */
export async function api<T = Record<string, unknown>>(url: string, method: string, body?: unknown, headers?: Record<string, string>): Promise<Res<T>> {
  const sessionId = /\/api\/sessions\/([^/?]+)/.exec(url)?.[1];
  const token = sessionId ? editTokenFor(sessionId) : undefined;
  const auth = headers ?? (token ? { authorization: `Bearer ${token}` } : {});
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...auth }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}

const participants = new Map<string, string>();

/**
 * POST …/jobs. Without explicit `headers`, a body naming `requester.id` is sent as that participant:
 * the server ignores ids in bodies, so each name gets its own server-issued participant token
 * (minted once per session and name), and the session's edit token.
 */
export async function postJob(base: string, sessionId: string, body: unknown, headers?: Record<string, string>) {
  const name = (body as { requester?: { id?: unknown } } | null)?.requester?.id;
  const token = editTokenFor(sessionId);
  if (!headers && typeof name === 'string' && token) {
    const key = `${sessionId}:${name}`;
    if (!participants.has(key)) participants.set(key, (await newParticipant(base, sessionId)).participantToken);
    headers = { authorization: `Bearer ${token}`, 'x-tutti-participant': participants.get(key)! };
  }
  return api<{ jobId: string; error?: string; code?: string; issues?: string[] }>(`${base}/api/sessions/${sessionId}/jobs`, 'POST', body, headers);
}

/** A participant identity issued by the server for a link token (default the session's edit token). */
export async function newParticipant(base: string, sessionId: string, token = editTokenFor(sessionId)): Promise<{ participantId: string; participantToken: string; role: string }> {
  const r = await api<{ participantId: string; participantToken: string; role: string }>(`${base}/api/sessions/${sessionId}/participants`, 'POST', undefined, token ? { authorization: `Bearer ${token}` } : {});
  if (r.status !== 201) throw new Error(`POST participants → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export interface JobJson {
  id: string;
  status: string;
  progress: number;
  error: string | null;
  errorCode: string | null;
  timings: { createdAt: string; startedAt: string | null; finishedAt: string | null; queueMs: number | null; runMs: number | null; inferenceMs: number | null };
  result: { noteIds: string[]; trackIds: string[]; removedNoteIds: string[] };
}

export async function waitJob(base: string, sessionId: string, jobId: string, timeoutMs = 120_000): Promise<JobJson> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await api<JobJson>(`${base}/api/sessions/${sessionId}/jobs/${jobId}`, 'GET');
    if (r.status !== 200) throw new Error(`GET job → ${r.status} ${JSON.stringify(r.body)}`);
    if (['done', 'failed', 'cancelled'].includes(r.body.status)) return r.body;
    if (Date.now() > end) throw new Error(`job ${jobId} still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/**
 * Environment of a child-process server that runs its own models (a worker pool, no queue workers)
 * with a short job lease, renewed and swept every 250 ms: what the lease and crash tests kill -9.
 */
export function leasedPoolEnv(leaseMs: number): Record<string, string> {
  return {
    NODE_ENV: 'test',
    TUTTI_JOB_RUNNER: 'pool',
    TUTTI_JOB_WORKERS: '1',
    TUTTI_JOB_PRELOAD: 'gan',
    TUTTI_JOB_LEASE_MS: String(leaseMs),
    TUTTI_JOB_HEARTBEAT_MS: '250',
    TUTTI_JOB_SWEEP_MS: '250',
  };
}
