// The AI request as it arrives over HTTP, checked WHOLE before anything is queued (issue 13): the
// AI contract (lib/ai/contract.ts) validates model, task, candidates and every knob (range, kind,
// unknown keys); a refusal is a 4xx {error, code, issues} and leaves no trace. The older /jobs
// body ({model, task, params, …}) is translated into the same request (params are its knobs).
// The models validate their params again in the worker (a second line, not the first).
import { z } from 'zod';
import { aiRequestObject, issuesOf, refineAiRequest, type ParsedAiRequest, parseAiRequest } from '../../lib/ai/contract';
// (The older per-route schema and its own copy of the models' task lists are gone: the contract is the one source.)

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
