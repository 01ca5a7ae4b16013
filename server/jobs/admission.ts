// Admission of an AI request: the whole request is validated (the AI contract), the session must
// exist, the requester and its address must be within their rate limits, the session within its
// cap of waiting-or-running jobs, and the input within the size caps. Only then is anything
// written: one row per candidate (queued) and every candidate in everyone's job list at once.
// The limits are an interface so that one process (in memory) and a cluster (Redis,
// ./redis-limits.ts) enforce the same rules.
import type * as Y from 'yjs';
import { getSuggestion, randomId, readScore, writeJobState, type TrackId } from '../../lib/score';
import { splitKnobs, type KnobValue, type ModelName, type ParsedAiRequest, type SteerKnobs } from '../../lib/ai/contract';
import type { GenerateRequest } from '../../models/generator';
import type { JobsConfig } from './config';
import { modelVersion } from './model-version';
import { QueueFullError } from './queue';
import { JobRequestError, parseAiJobRequest, type DebugHooks } from './schema';
import type { RoomAccess } from './state';
import type { JobStore } from './store';

/** One candidate of a request, as it runs (plain data: it travels through the queue as is). */
export interface JobSpec {
  model: ModelName;
  request: GenerateRequest;
  knobs: Record<string, KnobValue>;
  steer: SteerKnobs;
  previous: { pitch: number; start: number }[] | null;
  debug: DebugHooks | undefined;
  requestId: string;
  index: number;
  seed: number;
  modelVersion: string;
  /** The weights of a registry version (server/studio); null = the committed ones. */
  weightsDir?: string | null;
  requesterId: string;
  requesterName: string;
  createdAt: number;
}

export interface RateDecision {
  ok: boolean;
  retryAfterMs: number;
}

/** Where the limits are kept: this process (./service.ts) or Redis, shared by a cluster (./redis-limits.ts). */
export interface AdmissionLimits {
  /** One hit against `key`'s sliding window; refused hits are not counted. */
  rate(kind: 'participant' | 'address', key: string): Promise<RateDecision>;
  /** Reserves room for `jobIds` in the session's cap of waiting-or-running jobs; false when full. */
  reserve(sessionId: string, jobIds: readonly string[]): Promise<boolean>;
  /** Gives a reservation back (a job ended, or admission failed after reserving). */
  release(sessionId: string, jobIds: readonly string[]): Promise<void>;
}

export interface AdmissionDeps {
  rooms: RoomAccess;
  store: JobStore;
  config: JobsConfig;
  limits: AdmissionLimits;
  sessionExists(sessionId: string): Promise<boolean>;
  /** The lease owner recorded on the rows (./lease.ts); the queue mode's is fixed. */
  ownerId: string;
  /** The model registry (server/studio): which version a job runs with; omitted = always the committed weights. */
  versions?: VersionResolver;
}

/** Resolves the version of a job: the one asked for, else the session's pin; null = the committed weights. Throws a 4xx HttpError for a bad version. */
export interface VersionResolver {
  resolve(sessionId: string, family: ModelName, versionId: string | null): Promise<{ modelVersion: string; weightsDir: string | null } | null>;
}

export interface Client {
  address: string;
  /** The server-verified participant id (server/jobs/routes.ts); null for anonymous API use. */
  participantId?: string | null;
}

export interface Admitted {
  requestId: string;
  jobs: [jobId: string, spec: JobSpec][];
}

/** Validates and records a request; throws JobRequestError (4xx) before anything is written. */
export async function admit(deps: AdmissionDeps, sessionId: string, body: unknown, client: Client): Promise<Admitted> {
  const c = deps.config;
  const { ai, debug } = parseAiJobRequest(body, { allowDebug: c.allowDebug, maxBars: c.maxBars });
  if (!(await deps.sessionExists(sessionId))) throw new JobRequestError(`no session with id "${sessionId}"`, 404, [], 'not_found');
  const requesterId = client.participantId ?? null;
  rateCheck(await deps.limits.rate('participant', requesterId ? `p:${requesterId}` : `a:${client.address}`), c.rateLimit, c.rateWindowMs);
  rateCheck(await deps.limits.rate('address', `a:${client.address}`), c.rateLimitPerAddress, c.rateWindowMs);

  // The version each model runs with, resolved before anything is reserved or written.
  const resolved = new Map<ModelName, { modelVersion: string; weightsDir: string | null } | null>();
  for (const j of ai.jobs) {
    if (resolved.has(j.model)) continue;
    try {
      resolved.set(j.model, (await deps.versions?.resolve(sessionId, j.model, ai.modelVersionId)) ?? null);
    } catch (e) {
      const err = e as { status?: number; message: string; issues?: string[] };
      throw new JobRequestError(`invalid AI request: ${err.message}`, err.status ?? 400, err.issues ?? [], 'invalid_request');
    }
  }
  const requestId = randomId(16);
  const now = new Date();
  const request: Omit<GenerateRequest, 'params' | 'seed'> = {
    task: ai.task,
    sourceTrackIds: [ai.sourceTrackId as TrackId],
    ...(ai.targetTrackIds.length ? { targetTrackIds: ai.targetTrackIds as TrackId[] } : {}),
    ...(ai.bars ? { bars: ai.bars } : {}),
  };
  const jobIds = ai.jobs.map(() => randomId(16));
  if (!(await deps.limits.reserve(sessionId, jobIds))) throw new JobRequestError(new QueueFullError(c.maxPendingPerSession).message, 429, [], 'queue_full');
  try {
    const previous = await deps.rooms.withDoc(sessionId, (doc) => {
      checkInput(doc, ai, c);
      return previousNotes(doc, ai);
    });
    const jobs = ai.jobs.map((j, i): [string, JobSpec] => {
      const { params, steer } = splitKnobs(j.model, j.knobs);
      return [
        jobIds[i]!,
        {
          model: j.model,
          request: { ...request, params, seed: j.seed },
          knobs: j.knobs,
          steer,
          previous,
          debug,
          requestId,
          index: j.index,
          seed: j.seed,
          modelVersion: resolved.get(j.model)?.modelVersion ?? modelVersion(j.model),
          weightsDir: resolved.get(j.model)?.weightsDir ?? null,
          requesterId: requesterId ?? '',
          requesterName: ai.requesterName,
          createdAt: now.getTime(),
        },
      ];
    });
    for (const [jobId, spec] of jobs)
      await deps.store.create(
        {
          id: jobId,
          sessionId,
          model: spec.model,
          task: ai.task,
          params: { ...spec.request, knobs: spec.knobs, requestId, index: spec.index, modelVersion: spec.modelVersion, compare: ai.compare, ...(ai.previousSuggestionId ? { previousSuggestionId: ai.previousSuggestionId } : {}) },
          requesterId,
          requesterName: ai.requesterName,
          status: 'queued',
          progress: 0,
          error: null,
          errorCode: null,
          createdAt: now,
          startedAt: null,
          finishedAt: null,
          inferenceMs: null,
          resultNoteIds: [],
          resultTrackIds: [],
          removedNoteIds: [],
          undoneAt: null,
        },
        deps.ownerId,
      );
    // Every candidate appears in everyone's job list at once (one transaction), after its row.
    await deps.rooms.withDoc(
      sessionId,
      (doc) => {
        for (const [jobId, spec] of jobs)
          writeJobState(doc, jobId, {
            model: spec.model,
            task: ai.task,
            status: 'queued',
            requesterId: spec.requesterId,
            requesterName: spec.requesterName,
            createdAt: spec.createdAt,
            requestId,
            index: spec.index,
            bars: ai.bars,
            seed: spec.seed,
            modelVersion: spec.modelVersion,
          });
      },
      { origin: `ai:${requestId}` },
    );
    return { requestId, jobs };
  } catch (e) {
    await deps.limits.release(sessionId, jobIds);
    throw e;
  }
}

function rateCheck(d: RateDecision, limit: number, windowMs: number): void {
  if (!d.ok)
    throw Object.assign(
      new JobRequestError(`too many AI requests: at most ${limit} per ${Math.round(windowMs / 1000)} s; try again in ${Math.ceil(d.retryAfterMs / 1000)} s`, 429, [], 'rate_limited'),
      { retryAfterMs: d.retryAfterMs },
    );
}

/** The tracks a request names must exist, and the session must be within the input cap (at admission and again at run time). */
export function checkInput(doc: Y.Doc, req: { sourceTrackIds?: readonly string[]; targetTrackIds?: readonly string[]; sourceTrackId?: string }, c: Pick<JobsConfig, 'maxInputNotes'>): void {
  const score = readScore(doc);
  const have = new Set<string>(score.tracks.map((t) => t.id));
  const missing = [...(req.sourceTrackIds ?? [req.sourceTrackId!]), ...(req.targetTrackIds ?? [])].filter((t) => !have.has(t));
  if (missing.length) throw new JobRequestError(`unknown track id(s): ${missing.join(', ')}`, 422, missing.map((m) => `track ${m}: not in this session`), 'unknown_track');
  if (score.notes.length > c.maxInputNotes)
    throw new JobRequestError(`the session has ${score.notes.length} notes; AI requests accept at most ${c.maxInputNotes}`, 413, [], 'too_large');
}

/** The notes of the suggestion a request regenerates from (for "like / unlike"); 422 when it is not in the session. */
function previousNotes(doc: Y.Doc, ai: ParsedAiRequest): { pitch: number; start: number }[] | null {
  if (!ai.previousSuggestionId) return null;
  const s = getSuggestion(doc, ai.previousSuggestionId);
  if (!s) throw new JobRequestError(`no suggestion "${ai.previousSuggestionId}" in this session`, 422, [`previousSuggestionId: not in this session`], 'unknown_suggestion');
  return s.notes.map((n) => ({ pitch: n.pitch, start: n.start }));
}
