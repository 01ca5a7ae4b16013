// Job leases between instances sharing one PostgreSQL (with Redis fan-out): a starting instance
// must not fail the jobs another live instance is running, and a job whose instance was killed is
// failed as interrupted once its lease expires — in the database and in the session's job list.
// Instance A is a child process (so it can be kill -9'd); B runs in this process. Real worker
// threads and the committed GAN weights. PostgreSQL or Redis unreachable fails the suite; it never skips.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSuggestion, jobsMap, readJob, readJobs, readNotes } from '@/lib/score';
import type { JobService } from '@/server/jobs';
import { createSession, PG_URL, startInProcessServer, startTestServer, type TestServer } from '../helpers/server';
import { pgSchemaUrl, REDIS_URL, requirePostgres, requireRedis, sleep } from './sync-helpers';
import { assertWeights, connect, leasedPoolEnv, postJob, waitFor, waitJob, writeMelody, type Client } from './jobs-helpers';

const LEASE_MS = 2500;
// Instances that run their own models (no queue workers), fanned out through Redis: what the lease is for.
const A_ENV = { ...leasedPoolEnv(LEASE_MS), REDIS_URL };

interface LeaseRow {
  status: string;
  ownerId: string | null;
  /** Epoch ms; the columns hold UTC wall time (as Prisma writes it), whatever this process's zone. */
  heartbeatAt: number;
  finishedAt: number | null;
}

describe('job leases: two instances on one PostgreSQL', () => {
  const schema = pgSchemaUrl('tutti_lease');
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-lease-'));
  let a: TestServer;
  let b: Awaited<ReturnType<typeof startInProcessServer>> | undefined;
  const bLog: string[] = [];
  const clients: Client[] = [];
  let db: pg.Client;

  const row = async (jobId: string): Promise<LeaseRow> => {
    const r = await db.query<{ status: string; ownerId: string | null; hb: string; fin: string | null }>(
      `SELECT "status", "ownerId", EXTRACT(EPOCH FROM "heartbeatAt") * 1000 AS hb, EXTRACT(EPOCH FROM "finishedAt") * 1000 AS fin FROM "${schema.schema}"."Job" WHERE "id" = $1`,
      [jobId],
    );
    const x = r.rows[0];
    if (!x) throw new Error(`job ${jobId} is not in the database`);
    return { status: x.status, ownerId: x.ownerId, heartbeatAt: Number(x.hb), finishedAt: x.fin === null ? null : Number(x.fin) };
  };
  /** Every status the shared job list showed for a job, in order. */
  const watchStatuses = (c: Client, jobId: string): string[] => {
    const seen: string[] = [];
    const note = () => {
      const y = jobsMap(c.doc).get(jobId);
      const s = y && readJob(jobId, y)?.status;
      if (s && seen.at(-1) !== s) seen.push(s);
    };
    jobsMap(c.doc).observeDeep(note);
    note();
    return seen;
  };

  beforeAll(async () => {
    assertWeights(['gan']);
    await requireRedis();
    await requirePostgres();
    db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    a = await startTestServer({ databaseUrl: schema.url, dataDir: tmp(), env: A_ENV });
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await a?.kill();
    await b?.close();
    await db?.end();
    await schema.drop();
  });

  it('an instance starting while another runs a job leaves that job alone; it completes', async () => {
    const id = await createSession(a.url);
    const ca = await connect(a.wsUrl, id);
    clients.push(ca);
    const melodyId = writeMelody(ca.doc, 4);
    await sleep(300); // the melody reaches A before the job reads the score
    const r = await postJob(a.url, id, { model: 'gan', task: 'accompany', sourceTrackId: melodyId, seed: 3, debug: { spinMs: 12_000 }, requester: { id: 'ann', name: 'Ann' } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const jobId = r.body.jobId;
    const seen = watchStatuses(ca, jobId);
    await waitFor(() => seen.includes('running'), 20_000, 'the job running on A');

    // B starts on the same database: its start-up recovery and its sweeper run while A's job does.
    b = await startInProcessServer({
      databaseUrl: schema.url,
      dataDir: tmp(),
      redisUrl: REDIS_URL,
      jobs: { runner: 'pool', leaseMs: LEASE_MS, heartbeatMs: 250, sweepMs: 250, workers: 1, preload: [], allowDebug: true },
      log: (m) => bLog.push(m),
    });
    const bStarted = Date.now();
    const early = await row(jobId);
    expect(early.status, 'B’s start must leave A’s running job alone (a "done" here means the machine was too slow for this test)').toBe('running');
    expect(early.ownerId).toBeTruthy();
    expect(early.ownerId).not.toBe((b.jobs.service as JobService).ownerId);

    // Read through B: the record is shared.
    const job = await waitJob(b.url, id, jobId, 120_000);
    expect(job.status, job.error ?? '').toBe('done');
    const final = await row(jobId);
    // B swept for longer than a lease while the job ran, so an expiring lease would have been caught…
    expect(final.finishedAt! - bStarted, 'the job must outlive a lease after B started').toBeGreaterThan(LEASE_MS);
    // …but A kept renewing it to the end.
    expect(final.finishedAt! - final.heartbeatAt).toBeLessThan(LEASE_MS);
    expect(seen).not.toContain('failed');
    expect(seen.at(-1)).toBe('done');
    // The result is a suggestion (issue 13) that A's client holds, with its notes.
    await waitFor(() => (getSuggestion(ca.doc, jobId)?.notes.length ?? 0) > 0, 10_000, 'the suggestion at A’s client');
    const cb = await connect(b.wsUrl, id);
    clients.push(cb);
    expect(readJobs(cb.doc).find((j) => j.id === jobId)?.status).toBe('done');
    expect(bLog.filter((m) => m.includes('[jobs] marked'))).toEqual([]);
  });

  it('a job of an instance killed mid-run is failed as interrupted once its lease expires, after a restart', async () => {
    const id = await createSession(a.url);
    const ca = await connect(a.wsUrl, id);
    clients.push(ca);
    const melodyId = writeMelody(ca.doc, 2);
    await sleep(300);
    const r = await postJob(a.url, id, { model: 'gan', task: 'accompany', sourceTrackId: melodyId, debug: { spinMs: 60_000 }, requester: { id: 'bob' } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const jobId = r.body.jobId;
    await waitFor(() => readJobs(ca.doc).some((j) => j.id === jobId && j.status === 'running'), 20_000, 'the job running on A');
    ca.destroy();
    clients.splice(clients.indexOf(ca), 1);
    await a.kill(); // kill -9: nobody records the end of this job
    a = await startTestServer({ databaseUrl: schema.url, dataDir: a.dataDir, env: A_ENV });

    const job = await waitJob(a.url, id, jobId, 30_000);
    expect(job).toMatchObject({ status: 'failed', errorCode: 'interrupted' });
    const final = await row(jobId);
    // Failed only after its owner had been silent for a whole lease (both times are the database's).
    expect(final.finishedAt! - final.heartbeatAt).toBeGreaterThanOrEqual(LEASE_MS);
    const c = await connect(a.wsUrl, id);
    clients.push(c);
    await waitFor(() => readJobs(c.doc).find((j) => j.id === jobId)?.status === 'failed', 10_000, 'the shared job list to show the job failed');
    expect(readJobs(c.doc).find((j) => j.id === jobId)?.error).toMatch(/stopped before it finished/);
  });
});
