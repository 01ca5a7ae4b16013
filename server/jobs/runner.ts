// Runs one admitted job to its end: re-checks the input against the session as it is now, runs
// the model on a worker thread of `pool` (the web process's own pool, or a queue worker's),
// streams progress, and records the outcome through the state writer (./state.ts) — the
// suggestion and "done", or "failed"/"cancelled" with a reason. Never throws for a job's own
// failure; the outcome is returned (and observed in /metrics) for the caller's bookkeeping.
import { readScore, ScoreValidationError, type JobStatus } from '../../lib/score';
import { observeJob } from '../ops/metrics';
import { checkInput, type JobSpec } from './admission';
import { ResultError } from './apply';
import type { JobsConfig } from './config';
import { RunError, type WorkerPool } from './pool';
import { JobRequestError } from './schema';
import type { JobStateWriter, RoomAccess } from './state';
import { resultToSuggestion } from './suggest';

export interface RunnerDeps {
  rooms: RoomAccess;
  pool: WorkerPool;
  state: JobStateWriter;
  config: JobsConfig;
  log?: (msg: string) => void;
}

export type Outcome = { status: JobStatus; code?: string; error?: string };

export async function runJob(deps: RunnerDeps, sessionId: string, jobId: string, spec: JobSpec, signal: AbortSignal): Promise<Outcome> {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    const score = await deps.rooms.withDoc(sessionId, (doc) => {
      checkInput(doc, spec.request, deps.config);
      return readScore(doc);
    });
    const { result, ms } = await deps.pool.run(
      { model: spec.model, score, request: spec.request, steer: spec.steer, previous: spec.previous, ...(spec.weightsDir ? { weightsDir: spec.weightsDir } : {}), ...(spec.debug ? { debug: spec.debug } : {}) },
      {
        timeoutMs: spec.debug?.timeoutMs ?? deps.config.timeoutMs,
        signal,
        onStart: () => deps.state.running(sessionId, jobId),
        onProgress: (fraction) => deps.state.progress(sessionId, jobId, fraction),
      },
    );
    await deps.state.done(
      sessionId,
      jobId,
      (doc) =>
        resultToSuggestion(
          result,
          {
            requestId: spec.requestId,
            index: spec.index,
            jobId,
            model: spec.model,
            modelVersion: spec.modelVersion,
            task: spec.request.task,
            knobs: spec.knobs,
            seed: spec.seed,
            requesterId: spec.requesterId,
            requesterName: spec.requesterName,
            createdAt: spec.createdAt,
            bars: spec.request.bars ?? null,
            sourceTrackId: spec.request.sourceTrackIds[0]!,
          },
          new Set<string>(readScore(doc).tracks.map((t) => t.id)),
        ),
      ms,
    );
    outcome = { status: 'done' };
  } catch (e) {
    const { status, error, code } = describeFailure(e);
    outcome = { status, error, code };
    await deps.state
      .finish(sessionId, jobId, status === 'cancelled' ? 'cancelled' : 'failed', { error, errorCode: code })
      .catch((err) => deps.log?.(`jobs: could not record failure of ${jobId}: ${(err as Error).message}`));
  }
  observeJob(spec.model, outcome.status === 'done' ? 'done' : outcome.status === 'cancelled' ? 'cancelled' : 'failed', (performance.now() - t0) / 1000);
  return outcome;
}

export function describeFailure(e: unknown): { status: JobStatus; error: string; code: string } {
  if (e instanceof RunError) return { status: e.code === 'cancelled' ? 'cancelled' : 'failed', error: e.message, code: e.code };
  if (e instanceof JobRequestError) return { status: 'failed', error: e.message, code: e.code };
  if (e instanceof ResultError || e instanceof ScoreValidationError) return { status: 'failed', error: `the model returned an unusable result: ${e.message}`, code: 'bad_result' };
  return { status: 'failed', error: `internal error: ${(e as Error)?.message ?? String(e)}`, code: 'internal' };
}
