// Queue mode when jobs end early. Cancelling through a web instance: a waiting job is taken out of
// the queue, a running one is aborted on the worker that has it. A job whose worker dies and may
// not run again (TUTTI_JOB_MAX_RETRIES=0): BullMQ's stalled-job check on the surviving worker
// fails it, and the failure is recorded clearly — the row (worker_lost) and everyone's job list —
// never left "running"; the session is intact and the cluster keeps serving.
// One web instance and two workers (scripts/cluster.mjs), real GAN.
// PostgreSQL or Redis unreachable fails the suite; it never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSuggestion, jobsMap, readJob, readNotes } from '@/lib/score';
import { createSession } from '../helpers/server';
import { alive, startCluster, workerRunningAJob, type RunningCluster } from './cluster-helpers';
import { api, assertWeights, connect, waitFor, writeMelody, type Client, type JobJson } from './jobs-helpers';
import { pgSchemaUrl, REDIS_URL, requirePostgres, requireRedis } from './sync-helpers';

describe('queue mode: cancelled jobs, and a job whose worker is killed with no retries left', () => {
  const schema = pgSchemaUrl('tutti_worker_lost');
  let cluster: RunningCluster;
  const clients: Client[] = [];

  beforeAll(async () => {
    await requireRedis();
    await requirePostgres();
    assertWeights(['gan']);
    cluster = await startCluster({
      web: 1,
      workers: 2,
      env: {
        DATABASE_URL: schema.url,
        REDIS_URL,
        NODE_ENV: 'test',
        TUTTI_JOB_QUEUE: `tutti-test-lost-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
        TUTTI_JOB_PRELOAD: 'gan',
        TUTTI_JOB_LOCK_MS: '2000',
        TUTTI_JOB_STALLED_MS: '1000',
        TUTTI_JOB_MAX_RETRIES: '0',
        TUTTI_JOB_MAX_PENDING_PER_SESSION: '2',
        TUTTI_JOB_MAX_RUNNING_PER_SESSION: '1',
      },
    });
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    if (cluster) await Promise.race([cluster.stop(), new Promise((r) => setTimeout(r, 30_000))]);
    for (const p of cluster?.procs ?? []) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    await schema.drop();
  }, 60_000);

  it('cancel: the waiting job leaves the queue, the running one is aborted on its worker', async () => {
    const web = cluster.procs.find((p) => p.role === 'web')!;
    const id = await createSession(web.url!);
    const c = await connect(`ws://127.0.0.1:${web.port}/sync`, id);
    clients.push(c);
    const melody = writeMelody(c.doc);
    const status = (jobId: string) => {
      const y = jobsMap(c.doc).get(jobId);
      return y ? readJob(jobId, y)?.status : undefined;
    };
    // Two candidates, one running at a time in a session: the second waits.
    const r = await api<{ requestId: string; jobIds: string[] }>(`${web.url}/api/sessions/${id}/ai`, 'POST', { model: 'gan', task: 'accompany', sourceTrackId: melody, candidates: 2, debug: { spinMs: 5000 } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    await waitFor(() => r.body.jobIds.some((j) => status(j) === 'running'), 30_000, 'one candidate running');
    const running = r.body.jobIds.find((j) => status(j) === 'running')!;
    const waiting = r.body.jobIds.find((j) => j !== running)!;

    const w = await api<JobJson>(`${web.url}/api/sessions/${id}/jobs/${waiting}`, 'DELETE');
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect(w.body.status).toBe('cancelled');
    expect(w.body.error).toBe('cancelled before it started');
    const all = await api<{ cancelled: string[] }>(`${web.url}/api/sessions/${id}/ai/${r.body.requestId}/cancel`, 'POST');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.cancelled).toEqual([running]);
    await waitFor(() => status(running) === 'cancelled' && status(waiting) === 'cancelled', 10_000, 'both cancelled in the job list');
    expect(getSuggestion(c.doc, running)).toBeNull();
  }, 60_000);

  it('kill -9 mid-job: failed as worker_lost in the row and the job list; the next job runs', async () => {
    const web = cluster.procs.find((p) => p.role === 'web')!;
    const id = await createSession(web.url!);
    const c = await connect(`ws://127.0.0.1:${web.port}/sync`, id);
    clients.push(c);
    const melody = writeMelody(c.doc);
    const ask = (extra: Record<string, unknown> = {}) => api<{ jobIds: string[] }>(`${web.url}/api/sessions/${id}/ai`, 'POST', { model: 'gan', task: 'accompany', sourceTrackId: melody, ...extra });
    const status = (jobId: string) => {
      const y = jobsMap(c.doc).get(jobId);
      return y ? readJob(jobId, y) : null;
    };

    const r = await ask({ debug: { spinMs: 4000 } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const jobId = r.body.jobIds[0]!;
    await waitFor(() => status(jobId)?.status === 'running', 30_000, 'the job running');
    const victim = await workerRunningAJob(cluster.procs);
    expect(victim, 'a worker reporting the running job').toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');

    await waitFor(() => status(jobId)?.status === 'failed', 30_000, 'the job failed in the job list');
    expect(status(jobId)?.error).toMatch(/model worker running this job stopped/);
    const rec = await api<JobJson>(`${web.url}/api/sessions/${id}/jobs/${jobId}`, 'GET');
    expect(rec.body.status).toBe('failed');
    expect(rec.body.errorCode).toBe('worker_lost');
    expect(getSuggestion(c.doc, jobId)).toBeNull();
    expect(readNotes(c.doc).length).toBe(16);

    // Its place in the session's queue (cap 2) was given back, and the surviving worker runs the next ones.
    const next = await ask({ candidates: 2 });
    expect(next.status, JSON.stringify(next.body)).toBe(202);
    await waitFor(() => next.body.jobIds.every((j) => !!getSuggestion(c.doc, j)), 30_000, 'the next jobs done');
  }, 90_000);
});
