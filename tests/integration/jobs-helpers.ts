// Shared by the AI-job integration tests: a real y-websocket client on a session, a melody to
// accompany, and thin wrappers over the job API.
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { addNotes, readTracks, type NoteData, type TrackId } from '@/lib/score';

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

export async function connect(wsUrl: string, sessionId: string): Promise<Client> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, sessionId, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true });
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

export async function api<T = Record<string, unknown>>(url: string, method: string, body?: unknown): Promise<Res<T>> {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

export const postJob = (base: string, sessionId: string, body: unknown) => api<{ jobId: string; error?: string; code?: string; issues?: string[] }>(`${base}/api/sessions/${sessionId}/jobs`, 'POST', body);

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
