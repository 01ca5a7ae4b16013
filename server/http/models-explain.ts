// The models page's "how it works" (issue 18 item 2):
//   POST /api/models/<arcnn|gan|transformer>/explain  {source, seed?, iterations?, seeds?}
//     → 200 the model's explanation (lib/ai/explain.ts), computed by the live model.
// The source is a built-in public-domain melody, notes the page sends, or a session's track (the
// session's link token as Authorization: Bearer; a view link is enough). At most
// MAX_EXPLAIN_BARS bars are explained (a longer track is cut, and the answer says so).
// Inference runs in one worker thread of its own, one explanation at a time, with a short queue:
// a full queue answers 503 at once rather than piling up work on a shared machine. A run that
// outlives its timeout has its worker terminated (and replaced on the next request).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Worker } from 'node:worker_threads';
import {
  DEFAULT_ARCNN_ITERATIONS,
  DEFAULT_GAN_SEEDS,
  EXPLAIN_MODELS,
  MAX_EXPLAIN_BARS,
  MAX_EXPLAIN_BODY_BYTES,
  MAX_EXPLAIN_NOTES,
  explainRequestSchema,
  type ExplainMelody,
  type ExplainModel,
  type ExplainRequest,
  type ExplainResponse,
} from '../../lib/ai/explain';
import { BUILTIN_MELODIES } from '../../lib/melodies/builtin';
import { DEFAULT_META, readScore, ticksPerBar, type Note, type NoteId, type Score, type TimeSignature, type TrackId } from '../../lib/score';
import { SessionNotFoundError } from '../persistence/store';
import type { ExplainJob, ExplainReply } from './models-explain-protocol';
import { loadOnce } from '../../models/runtime/load-once';
import { HttpError, parseBody, readJson, sendJson } from './json';
import type { Route, RouteContext } from './route';
import { startTsWorker } from '../ops/ts-worker';

/** Explanations waiting behind the running one before new requests get 503. */
export const EXPLAIN_QUEUE = 4;
export const EXPLAIN_TIMEOUT_MS = 120_000;

interface Input {
  score: Score;
  trackId: TrackId;
  bars: [number, number];
  melody: ExplainMelody;
}

const MELODY_TRACK = 'melody' as TrackId;

function melodyScore(title: string, timeSignature: TimeSignature, notes: readonly { pitch: number; start: number; duration: number }[]): Score {
  return {
    meta: { ...DEFAULT_META, title, timeSignature },
    tracks: [{ id: MELODY_TRACK, name: 'Melody', instrument: 'piano', color: '#3366cc', role: 'melody', muted: false, solo: false, volume: 1, order: 0 }],
    notes: notes.map((n, i) => ({ id: `m${i}` as NoteId, trackId: MELODY_TRACK, pitch: n.pitch, start: n.start, duration: n.duration, velocity: 80 })),
  };
}

/** The bars a track's notes span, from the bar of its first note, at most MAX_EXPLAIN_BARS. */
function explainInput(score: Score, trackId: TrackId, title: string): Input {
  const notes = score.notes.filter((n) => n.trackId === trackId);
  if (notes.length === 0) throw new HttpError(400, `the track "${title}" has no notes to explain`);
  const tpb = ticksPerBar(score.meta.timeSignature);
  if (tpb % 120 !== 0) throw new HttpError(400, `time signature ${score.meta.timeSignature.join('/')} does not fall on the 16th-note grid the models use`);
  const from = Math.floor(Math.min(...notes.map((n) => n.start)) / tpb);
  const end = Math.ceil(Math.max(...notes.map((n) => n.start + n.duration)) / tpb);
  const to = Math.min(end, from + MAX_EXPLAIN_BARS);
  const inside = notes.filter((n) => n.start < to * tpb).sort((a, b) => a.start - b.start || b.pitch - a.pitch);
  if (inside.length > MAX_EXPLAIN_NOTES)
    throw new HttpError(400, `the track has ${inside.length} notes in bars ${from + 1}–${to}; at most ${MAX_EXPLAIN_NOTES} can be explained`);
  const melody: ExplainMelody = {
    title,
    timeSignature: score.meta.timeSignature,
    bars: [from, to],
    truncated: end > to,
    notes: inside.map((n: Note) => ({ voice: 0, pitch: n.pitch, start: n.start, duration: Math.min(n.duration, to * tpb - n.start) })),
  };
  return { score, trackId, bars: [from, to], melody };
}

async function sessionScore(ctx: RouteContext, sessionId: string): Promise<Score> {
  try {
    return await ctx.rooms.withDoc(sessionId, (doc) => readScore(doc));
  } catch (e) {
    if (e instanceof SessionNotFoundError) throw new HttpError(404, `unknown session ${sessionId}`);
    throw e;
  }
}

async function resolveSource(req: IncomingMessage, ctx: RouteContext, body: ExplainRequest): Promise<Input> {
  const src = body.source;
  if (src.kind === 'builtin') {
    const m = BUILTIN_MELODIES[src.melody];
    return explainInput(melodyScore(m.title, m.timeSignature, m.notes), MELODY_TRACK, m.title);
  }
  if (src.kind === 'notes') return explainInput(melodyScore('Your melody', src.timeSignature ?? [4, 4], src.notes), MELODY_TRACK, 'Your melody');
  await ctx.access.require(req, src.sessionId, 'view');
  const score = await sessionScore(ctx, src.sessionId);
  const track = score.tracks.find((t) => t.id === src.trackId);
  if (!track) throw new HttpError(404, `session ${src.sessionId} has no track "${src.trackId}"`);
  return explainInput(score, track.id, track.name);
}

/** One worker thread, one explanation at a time, a bounded queue. `entry`: the worker module (tests swap it). */
export class ExplainRunner {
  constructor(private readonly entry: URL = new URL('./models-explain-worker.ts', import.meta.url)) {}

  private worker: Worker | null = null;
  /** The worker, started on first use and again after it exited (or failed to start). */
  private readonly start = loadOnce(() => this.boot());
  private nextId = 1;
  private running = false;
  private readonly queue: { job: ExplainJob; resolve(r: ExplainResponse): void; reject(e: Error): void }[] = [];

  run(job: Omit<ExplainJob, 'id'>): Promise<ExplainResponse> {
    if (this.queue.length >= EXPLAIN_QUEUE)
      return Promise.reject(new HttpError(503, `the models are busy explaining ${this.queue.length + 1} other requests; try again in a moment`, 'busy'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      void this.pump();
    });
  }

  private boot(): Promise<Worker> {
    const { worker: w, ready } = startTsWorker(this.entry, { name: 'explain worker' });
    w.once('exit', () => {
      // Only the current worker's exit: a failed start is already forgotten, and its exit must not drop its successor.
      if (this.worker !== w) return;
      this.worker = null;
      this.start.reset();
    });
    this.worker = w;
    return ready;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const next = this.queue.shift();
    if (!next) return;
    this.running = true;
    try {
      const w = await this.start();
      next.resolve(await this.once(w, next.job));
    } catch (e) {
      next.reject(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.running = false;
      void this.pump();
    }
  }

  private once(w: Worker, job: ExplainJob): Promise<ExplainResponse> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void w.terminate();
        reject(new HttpError(504, `the ${job.model} explanation took longer than ${EXPLAIN_TIMEOUT_MS / 1000} s and was stopped`));
      }, EXPLAIN_TIMEOUT_MS);
      const onMessage = (m: ExplainReply) => {
        if (m.id !== job.id) return;
        cleanup();
        if (m.ok) resolve(m.result);
        else reject(m.code === 'invalid_params' ? new HttpError(400, m.error, 'invalid_params') : new Error(`${job.model} explanation failed: ${m.error}`));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the explain worker stopped (exit code ${code})`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('exit', onExit);
      };
      w.on('message', onMessage);
      w.on('exit', onExit);
      w.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

const runner = new ExplainRunner();

async function postExplain(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, name: string): Promise<void> {
  if (!(EXPLAIN_MODELS as readonly string[]).includes(name)) throw new HttpError(404, `no model "${name}" (models: ${EXPLAIN_MODELS.join(', ')})`);
  const model = name as ExplainModel;
  const body = parseBody(explainRequestSchema, await readJson(req, MAX_EXPLAIN_BODY_BYTES), 'explain request');
  if (body.iterations !== undefined && model !== 'arcnn')
    throw new HttpError(400, 'iterations is an AR-CNN knob', 'invalid_request', ['iterations: only for arcnn']);
  if (body.seeds !== undefined && model !== 'gan')
    throw new HttpError(400, 'seeds is a GAN knob (the others take one seed)', 'invalid_request', ['seeds: only for gan']);
  const input = await resolveSource(req, ctx, body);
  const result = await runner.run({
    model,
    ...input,
    seed: body.seed ?? 1,
    iterations: body.iterations ?? DEFAULT_ARCNN_ITERATIONS,
    seeds: body.seeds ?? DEFAULT_GAN_SEEDS,
  });
  sendJson(res, 200, result);
}

/** The tracks of a session a visitor may pick for an explanation (any link of the session). */
async function getExplainTracks(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, sessionId: string): Promise<void> {
  await ctx.access.require(req, sessionId, 'view');
  const score = await sessionScore(ctx, sessionId);
  const count = new Map<string, number>();
  for (const n of score.notes) count.set(n.trackId, (count.get(n.trackId) ?? 0) + 1);
  sendJson(res, 200, {
    title: score.meta.title,
    tracks: [...score.tracks]
      .sort((a, b) => a.order - b.order)
      .map((t) => ({ id: t.id, name: t.name, role: t.role, instrument: t.instrument, notes: count.get(t.id) ?? 0 })),
  });
}

export const modelExplain: Route = {
  method: 'POST',
  path: '/api/models/<name>/explain',
  summary: 'no link needed (a session source needs any link of it) → the live model working on a melody, step by step (lib/ai/explain.ts)',
  handler: postExplain,
};

export const modelExplainTracks: Route = {
  method: 'GET',
  path: '/api/models/explain/sessions/<id>/tracks',
  summary: 'any link → the session’s tracks (id, name, role, notes) to pick a melody from',
  handler: getExplainTracks,
};

/** Stops the explain worker (server shutdown, tests). */
export function closeExplainWorker(): Promise<void> {
  return runner.close();
}
