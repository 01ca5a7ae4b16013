// What the HTTP routes (./routes.ts) ask of the job service, whichever runs the models: this
// process's worker pool (./service.ts, the default) or a BullMQ queue and separate worker
// processes (./queued-service.ts, with REDIS_URL). Reading jobs is the same for both: the rows.
import { JobRequestError, legacyToAiBody } from './schema';
import type { Client } from './admission';
import type { JobRecord, JobStore } from './store';

export abstract class JobsApi {
  constructor(
    protected readonly store: JobStore,
    protected readonly sessionExists: (sessionId: string) => Promise<boolean>,
  ) {}

  /** Validates a whole AI request and queues its candidates (sharing a requestId); any refusal is a JobRequestError 4xx before anything is written. */
  abstract submitAi(sessionId: string, body: unknown, client: Client): Promise<{ requestId: string; jobIds: string[] }>;
  /** Cancels a waiting or running job (any participant may); resolves with the final record. */
  abstract cancel(sessionId: string, jobId: string): Promise<JobRecord>;
  /** Cancels every candidate of a request still waiting or running. */
  abstract cancelRequest(sessionId: string, requestId: string): Promise<{ cancelled: string[] }>;
  /** Waiting plus running jobs (the queue depth in /metrics). */
  abstract depth(): number | Promise<number>;
  abstract start(): Promise<number>;
  abstract close(): Promise<void>;

  /** The older POST /jobs body: one candidate, its `params` as knobs (validated by the contract all the same). */
  async submit(sessionId: string, body: unknown, client: Client): Promise<{ jobId: string; requestId: string }> {
    const r = await this.submitAi(sessionId, legacyToAiBody(body), client);
    return { jobId: r.jobIds[0]!, requestId: r.requestId };
  }

  async get(sessionId: string, jobId: string): Promise<JobRecord | null> {
    const r = await this.store.get(jobId);
    return r && r.sessionId === sessionId ? r : null;
  }

  async list(sessionId: string, limit = 50): Promise<JobRecord[]> {
    if (!(await this.sessionExists(sessionId))) throw new JobRequestError(`no session with id "${sessionId}"`, 404, [], 'not_found');
    return this.store.listBySession(sessionId, Math.max(1, Math.min(200, limit)));
  }

  /** The job's row, or 404. */
  protected async mustGet(sessionId: string, jobId: string): Promise<JobRecord> {
    const rec = await this.get(sessionId, jobId);
    if (!rec) throw new JobRequestError(`no job "${jobId}" in this session`, 404, [], 'not_found');
    return rec;
  }
}

/** 409 for a job that is no longer waiting or running. */
export function alreadyFinished(rec: JobRecord): JobRequestError {
  return new JobRequestError(`the job already ${rec.status === 'done' ? 'finished' : rec.status}`, 409, [], 'finished');
}
