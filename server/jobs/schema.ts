// The AI request as it arrives over HTTP, checked WHOLE before anything is queued (issue 13): the
// AI contract (lib/ai/contract.ts) validates model, task, candidates and every knob (range, kind,
// unknown keys); a refusal is a 4xx {error, code, issues} and leaves no trace. The older /jobs
// body ({model, task, params, …}) is translated into the same request (params are its knobs).
// The models validate their params again in the worker (a second line, not the first).
import { z } from 'zod';
import { aiRequestObject, issuesOf, refineAiRequest, type ParsedAiRequest, parseAiRequest } from '../../lib/ai/contract';
import { MODEL_NAMES, TASKS, type GenerateRequest, type ModelName, type Task } from '../../models/generator';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be a url-safe id');

/** Which tasks each model family serves (the models' own `tasks` lists are checked again in the worker). */
export const MODEL_TASKS: Record<ModelName, readonly Task[]> = {
  gan: ['accompany', 'harmonize'],
  arcnn: ['accompany', 'rewrite', 'infill', 'harmonize'],
  transformer: ['continue', 'harmonize'],
};

const paramValue = z.union([z.number().finite(), z.boolean(), z.string().max(64)]);

/** Test-only hooks that make a worker misbehave on purpose; accepted only when enabled in config. */
export const debugSchema = z
  .object({
    /** The worker calls process.exit(1) mid-job (a crash). */
    crash: z.boolean().optional(),
    /** The worker spins synchronously for this long (a hang only terminate() can end). */
    spinMs: z.number().int().min(0).max(600_000).optional(),
    /** Overrides the job timeout for this one job (so a timeout test need not wait a minute). */
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
  })
  .strict();
export type DebugHooks = z.infer<typeof debugSchema>;

export const jobRequestSchema = z
  .object({
    model: z.enum(MODEL_NAMES, { error: `model must be one of ${MODEL_NAMES.join(', ')}` }),
    task: z.enum(TASKS, { error: `task must be one of ${TASKS.join(', ')}` }),
    /** The melody / input track; `sourceTrackIds` for several. */
    sourceTrackId: id.optional(),
    sourceTrackIds: z.array(id).min(1).max(16).optional(),
    /** Existing tracks to write into (rewrite/infill); omitted = new tracks. */
    targetTrackIds: z.array(id).max(16).optional(),
    /** Bar range [from, to), 0-based; omitted = the whole score. */
    bars: z
      .tuple([z.number().int().min(0), z.number().int().min(1)])
      .refine(([a, b]) => b > a, 'bars must be [from, to] with to > from')
      .optional(),
    params: z.record(z.string().max(40), paramValue).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    /** Who asks: `name` is shown to everyone. `id` is accepted for older clients and ignored: the
     *  requester is the participant token's verified id (X-Tutti-Participant, server/jobs/routes.ts). */
    requester: z.object({ id: id.optional(), name: z.string().max(60).optional() }).strict().optional(),
    debug: debugSchema.optional(),
  })
  .strict()
  .refine((r) => r.sourceTrackId || r.sourceTrackIds?.length, { message: 'sourceTrackId is required', path: ['sourceTrackId'] })
  .refine((r) => MODEL_TASKS[r.model].includes(r.task), {
    message: 'this model does not offer this task',
    path: ['task'],
  });
export type JobRequestBody = z.infer<typeof jobRequestSchema>;

export interface ParsedJobRequest {
  model: ModelName;
  request: GenerateRequest;
  requesterName: string;
  debug: DebugHooks | undefined;
}

export class JobRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly issues: readonly string[] = [],
    readonly code = 'invalid_request',
  ) {
    super(message);
    this.name = 'JobRequestError';
  }
}

/** Parses an untrusted body into the generator's request; throws JobRequestError (400) with every issue listed. */
export function parseJobRequest(body: unknown, opts: { allowDebug: boolean; maxParams: number; maxBars: number }): ParsedJobRequest {
  const r = jobRequestSchema.safeParse(body);
  if (!r.success) {
    const issues = r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
    throw new JobRequestError(`invalid job request: ${issues.join('; ')}`, 400, issues);
  }
  const b = r.data;
  if (b.debug && !opts.allowDebug) throw new JobRequestError('invalid job request: debug hooks are disabled on this server', 400, ['debug: not allowed']);
  if (b.params && Object.keys(b.params).length > opts.maxParams)
    throw new JobRequestError(`invalid job request: at most ${opts.maxParams} params`, 400, ['params: too many keys']);
  if (b.bars && b.bars[1] - b.bars[0] > opts.maxBars)
    throw new JobRequestError(`invalid job request: at most ${opts.maxBars} bars per request`, 413, ['bars: range too long'], 'too_large');
  const sourceTrackIds = [...new Set([...(b.sourceTrackId ? [b.sourceTrackId] : []), ...(b.sourceTrackIds ?? [])])];
  const request: GenerateRequest = {
    task: b.task,
    sourceTrackIds: sourceTrackIds as GenerateRequest['sourceTrackIds'],
    ...(b.targetTrackIds ? { targetTrackIds: b.targetTrackIds as GenerateRequest['sourceTrackIds'] } : {}),
    ...(b.bars ? { bars: [b.bars[0], b.bars[1]] as [number, number] } : {}),
    ...(b.params ? { params: b.params } : {}),
    ...(b.seed !== undefined ? { seed: b.seed } : {}),
  };
  return {
    model: b.model,
    request,
    requesterName: b.requester?.name?.trim() || 'Someone',
    debug: b.debug,
  };
}

/** The contract's request plus the server's test hooks. */
export const aiJobRequestSchema = aiRequestObject.extend({ debug: debugSchema.optional() }).strict().superRefine(refineAiRequest);

export interface ParsedAiJobRequest {
  ai: ParsedAiRequest;
  debug: DebugHooks | undefined;
}

/** Validates a whole AI request (knobs included); throws JobRequestError 400 listing every issue, 413 for too many bars. */
export function parseAiJobRequest(body: unknown, opts: { allowDebug: boolean; maxBars: number }): ParsedAiJobRequest {
  const r = aiJobRequestSchema.safeParse(body);
  if (!r.success) {
    const issues = issuesOf(r.error);
    throw new JobRequestError(`invalid AI request: ${issues.join('; ')}`, 400, issues);
  }
  const { debug, ...rest } = r.data;
  if (debug && !opts.allowDebug) throw new JobRequestError('invalid AI request: debug hooks are disabled on this server', 400, ['debug: not allowed']);
  if (rest.bars && rest.bars[1] - rest.bars[0] > opts.maxBars)
    throw new JobRequestError(`invalid AI request: at most ${opts.maxBars} bars per request`, 413, ['bars: range too long'], 'too_large');
  const parsed = parseAiRequest(rest);
  if (!parsed.ok) throw new JobRequestError(`invalid AI request: ${parsed.issues.join('; ')}`, 400, parsed.issues);
  return { ai: parsed.value, debug };
}

/** The older POST /jobs body ({model, task, sourceTrackId(s), params, …}) as an AI request of one candidate. */
export function legacyToAiBody(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { params, sourceTrackIds, ...rest } = body as Record<string, unknown>;
  const out: Record<string, unknown> = { ...rest };
  if (params !== undefined) out.knobs = params;
  if (out.sourceTrackId === undefined && Array.isArray(sourceTrackIds)) out.sourceTrackId = sourceTrackIds[0];
  else if (sourceTrackIds !== undefined && !(Array.isArray(sourceTrackIds) && sourceTrackIds.length === 1 && sourceTrackIds[0] === out.sourceTrackId)) out.sourceTrackIds = sourceTrackIds; // refused as unknown: one source per request
  return out;
}
