// Queue mode as a cluster (issue 17): `npm run cluster -- --web 2 --workers 2` (scripts/cluster.mjs)
// against this run's own PostgreSQL schema and a queue name of its own on the test Redis. Real
// processes (so they can be kill -9'd), real websocket clients, the real GAN model (the fastest).
//   - a job asked on either web instance runs on a worker and lands for clients of both;
//   - the per-session caps hold across instances (Redis);
//   - kill -9 of a worker mid-job: another worker runs the job again; the session is intact;
//   - kill -9 of a web instance: its client reconnects (through a load balancer) to the other one
//     and nothing is lost, in memory or in the database;
//   - SIGTERM: every process drains (a running job finishes) and exits 0.
// PostgreSQL or Redis unreachable fails the suite; it never skips.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNotes, getSuggestion, jobsMap, readJob, readNotes, readTracks, type TrackId } from '@/lib/score';
import { createSession, editTokenFor } from '../helpers/server';
import { connectSynced, docFromRows, pgSchemaUrl, readStoredPg, REDIS_URL, requirePostgres, requireRedis, waitFor, type Client } from './sync-helpers';
import { api, assertWeights, newParticipant, writeMelody } from './jobs-helpers';
import { alive, startCluster, workerRunningAJob, type ClusterProc, type RunningCluster } from './cluster-helpers';

/** A TCP load balancer: each connection goes to the first backend that accepts it (no stickiness). */
function balancer(backends: () => number[]): Promise<{ port: number; close(): void }> {
  const server = net.createServer((client) => {
    const tryNext = (list: number[]) => {
      const port = list[0];
      if (port === undefined) return client.destroy();
      const up = net.connect(port, '127.0.0.1');
      up.once('connect', () => {
        client.pipe(up).pipe(client);
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        up.on('close', () => client.destroy());
        client.on('close', () => up.destroy());
      });
      up.once('error', () => {
        if (!up.readyState.includes('open')) tryNext(list.slice(1));
      });
    };
    tryNext(backends());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() })));
}

describe('cluster: two web instances and two model workers on one PostgreSQL and Redis', () => {
  const schema = pgSchemaUrl('tutti_cluster');
  const queue = `tutti-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let cluster: RunningCluster;
  const procs: ClusterProc[] = [];
  const clients: Client[] = [];
  let db: pg.Client;
  let lb: { port: number; close(): void };
  const web = (i: number) => procs.filter((p) => p.role === 'web')[i]!;
  const workers = () => procs.filter((p) => p.role === 'worker');
  const connect = async (wsUrl: string, id: string) => {
    const c = await connectSynced(wsUrl, id);
    clients.push(c);
    return c;
  };
  const ask = async (base: string, sessionId: string, body: Record<string, unknown>, participantToken?: string) =>
    api<{ requestId: string; jobIds: string[]; code?: string; error?: string }>(`${base}/api/sessions/${sessionId}/ai`, 'POST', body, {
      authorization: `Bearer ${editTokenFor(sessionId)}`,
      ...(participantToken ? { 'x-tutti-participant': participantToken } : {}),
    });
  const jobRow = async (jobId: string) =>
    (await db.query<{ status: string; error: string | null; errorCode: string | null }>(`SELECT "status", "error", "errorCode" FROM "${schema.schema}"."Job" WHERE "id" = $1`, [jobId])).rows[0];
  /** The row's status once it is final: the document gets "done" a moment before the row (server/jobs/state.ts). */
  const finalRow = async (jobId: string) => {
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await jobRow(jobId);
      if ((r && ['done', 'failed', 'cancelled'].includes(r.status)) || Date.now() > end) return r;
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  const statusIn = (c: Client, jobId: string) => {
    const y = jobsMap(c.doc).get(jobId);
    return y ? readJob(jobId, y)?.status : undefined;
  };

  beforeAll(async () => {
    await requireRedis();
    await requirePostgres();
    assertWeights(['gan']);
    cluster = await startCluster({
      web: 2,
      workers: 2,
      env: {
        DATABASE_URL: schema.url,
        REDIS_URL,
        NODE_ENV: 'test', // the debug hooks (a job that spins, to be killed mid-run)
        TUTTI_JOB_QUEUE: queue,
        TUTTI_JOB_PRELOAD: 'gan',
        TUTTI_JOB_MAX_RUNNING_PER_SESSION: '1',
        TUTTI_JOB_MAX_PENDING_PER_SESSION: '3',
        TUTTI_JOB_RATE_LIMIT: '4',
        TUTTI_JOB_RATE_LIMIT_PER_ADDRESS: '100',
        // A killed worker's job is picked up again within about 3 s.
        TUTTI_JOB_LOCK_MS: '2000',
        TUTTI_JOB_STALLED_MS: '1000',
        TUTTI_JOB_MAX_RETRIES: '1',
        TUTTI_UNLOAD_DELAY_MS: '500',
      },
    });
    procs.push(...cluster.procs);
    db = new pg.Client({ connectionString: schema.url.replace(/\?.*$/, '') });
    await db.connect();
    // Web instance 1 first, web 0 when 1 is down: where a client behind it lands after a kill.
    lb = await balancer(() => [web(1).port, web(0).port]);
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    lb?.close();
    if (cluster) await Promise.race([cluster.stop(), new Promise((r) => setTimeout(r, 30_000))]);
    for (const p of procs) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    await db?.end().catch(() => {});
    await schema.drop();
  }, 60_000);

  it('a job asked on either instance runs on a worker and lands for the clients of both; /metrics shows it', async () => {
    expect(procs.map((p) => p.role).sort()).toEqual(['web', 'web', 'worker', 'worker']);
    const id = await createSession(web(0).url!);
    const a = await connect(`ws://127.0.0.1:${web(0).port}/sync`, id);
    const b = await connect(`ws://127.0.0.1:${web(1).port}/sync`, id);
    const melody = writeMelody(a.doc);
    await waitFor(() => readNotes(b.doc).length === 16, 10_000, 'the melody on B');

    const viaA = await ask(web(0).url!, id, { model: 'gan', task: 'accompany', sourceTrackId: melody });
    const viaB = await ask(web(1).url!, id, { model: 'gan', task: 'accompany', sourceTrackId: melody });
    expect(viaA.status, JSON.stringify(viaA.body)).toBe(202);
    expect(viaB.status, JSON.stringify(viaB.body)).toBe(202);
    const jobIds = [...viaA.body.jobIds, ...viaB.body.jobIds];
    await waitFor(() => jobIds.every((j) => getSuggestion(a.doc, j) && getSuggestion(b.doc, j)), 60_000, 'both suggestions on both clients');
    for (const j of jobIds) {
      expect(statusIn(a, j)).toBe('done');
      expect(getSuggestion(b.doc, j)!.notes.length).toBeGreaterThan(0);
      expect((await finalRow(j))?.status).toBe('done');
    }

    // The web instances only enqueue; the workers ran the model and count it per model.
    const counts = await Promise.all(
      workers().map(async (w) => {
        const text = await (await fetch(w.metrics!)).text();
        return Number(/tutti_job_duration_seconds_count\{model="gan",outcome="done"\} (\d+)/.exec(text)?.[1] ?? 0);
      }),
    );
    expect(counts.reduce((s, n) => s + n, 0)).toBe(2);
    const webMetrics = await (await fetch(`${web(1).url}/metrics`)).text();
    expect(webMetrics).toMatch(/^tutti_job_queue_depth 0$/m);
    expect(webMetrics).not.toMatch(/tutti_job_duration_seconds_count\{model="gan"/);
  }, 90_000);

  it('the per-session caps hold across instances: pending, running and the rate limit', async () => {
    const id = await createSession(web(0).url!);
    const a = await connect(`ws://127.0.0.1:${web(0).port}/sync`, id);
    const melody = writeMelody(a.doc);
    await waitFor(() => readNotes(a.doc).length === 16, 10_000, 'the melody');
    const p = await newParticipant(web(0).url!, id);
    const slow = { model: 'gan', task: 'accompany', sourceTrackId: melody, debug: { spinMs: 1500 } };

    const first = await ask(web(0).url!, id, { ...slow, candidates: 2 }, p.participantToken);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const second = await ask(web(1).url!, id, slow, p.participantToken);
    expect(second.status, JSON.stringify(second.body)).toBe(202);
    // Three waiting or running in this session (the cap), asked through two instances: a fourth is refused on either.
    const full = await ask(web(1).url!, id, slow, p.participantToken);
    expect(full.status).toBe(429);
    expect(full.body.code).toBe('queue_full');

    // One running at a time in this session, though two workers are free.
    const ids = [...first.body.jobIds, ...second.body.jobIds];
    let most = 0;
    await waitFor(
      () => {
        most = Math.max(most, ids.filter((j) => statusIn(a, j) === 'running').length);
        return ids.every((j) => statusIn(a, j) === 'done');
      },
      60_000,
      'the three jobs done',
    );
    expect(most).toBe(1);

    // The participant's rate limit (4 per window) counted the three requests above on both instances.
    expect((await ask(web(0).url!, id, { model: 'gan', task: 'accompany', sourceTrackId: melody }, p.participantToken)).status).toBe(202);
    const limited = await ask(web(1).url!, id, { model: 'gan', task: 'accompany', sourceTrackId: melody }, p.participantToken);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
  }, 90_000);

  it('kill -9 of a worker mid-job: the other worker runs the job again, and the session is intact', async () => {
    const id = await createSession(web(0).url!);
    const a = await connect(`ws://127.0.0.1:${web(0).port}/sync`, id);
    const b = await connect(`ws://127.0.0.1:${web(1).port}/sync`, id);
    const melody = writeMelody(a.doc);
    await waitFor(() => readNotes(b.doc).length === 16, 10_000, 'the melody on B');

    const r = await ask(web(1).url!, id, { model: 'gan', task: 'accompany', sourceTrackId: melody, debug: { spinMs: 2500 } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const jobId = r.body.jobIds[0]!;
    await waitFor(() => statusIn(a, jobId) === 'running', 30_000, 'the job running');
    // Which worker has it: the one reporting a running job.
    const victim = await workerRunningAJob(procs);
    expect(victim, 'a worker reporting the running job').toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');
    await waitFor(() => !alive(victim!.pid), 5000, 'the worker gone');
    procs.splice(procs.indexOf(victim!), 1);

    // Retried on the surviving worker (TUTTI_JOB_MAX_RETRIES=1): done, for both clients.
    await waitFor(() => !!getSuggestion(a.doc, jobId) && !!getSuggestion(b.doc, jobId), 60_000, 'the retried job’s suggestion on both clients');
    expect(statusIn(b, jobId)).toBe('done');
    expect((await finalRow(jobId))?.status).toBe('done');
    expect(cluster.output()).toMatch(/its worker stopped mid-job; queued again|running it again/);
    expect(readNotes(a.doc).length).toBe(16);
    expect(readNotes(b.doc).length).toBe(16);
  }, 90_000);

  it('kill -9 of a web instance: its client reconnects to the other through the balancer and nothing is lost', async () => {
    const id = await createSession(web(0).url!);
    const a = await connect(`ws://127.0.0.1:${web(0).port}/sync`, id);
    const b = await connect(`ws://127.0.0.1:${lb.port}/sync`, id); // lands on web 1
    const track = readTracks(a.doc)[0]!.id as TrackId;
    const add = (c: Client, pitch: number, n: number) =>
      addNotes(c.doc, Array.from({ length: n }, (_, i) => ({ trackId: track, pitch, start: i * 240, duration: 240, velocity: 80 })));
    add(b, 60, 10);
    add(a, 64, 10);
    await waitFor(() => readNotes(a.doc).length === 20 && readNotes(b.doc).length === 20, 10_000, 'both ways through Redis');

    const killed = web(1);
    process.kill(killed.pid, 'SIGKILL');
    await waitFor(() => !alive(killed.pid), 5000, 'web 1 gone');
    // Edits while B is cut off: B's are sent when it reconnects (now to web 0), A's reach it there.
    add(b, 67, 5);
    add(a, 72, 5);
    await waitFor(() => readNotes(a.doc).length === 30 && readNotes(b.doc).length === 30, 30_000, 'B reconnected to web 0 and both converged');
    expect(new Set(readNotes(a.doc).map((n) => n.id))).toEqual(new Set(readNotes(b.doc).map((n) => n.id)));
    // And in the database (web 0 persists within its batch window).
    let stored = 0;
    const end = Date.now() + 10_000;
    while (stored !== 30 && Date.now() < end) {
      stored = readNotes(docFromRows(await readStoredPg(schema.url, id))).length;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(stored).toBe(30);
  }, 60_000);

  it('SIGTERM: the worker finishes its running job, every process exits 0', async () => {
    const id = await createSession(web(0).url!);
    const a = await connect(`ws://127.0.0.1:${web(0).port}/sync`, id);
    const melody = writeMelody(a.doc);
    await waitFor(() => readNotes(a.doc).length === 16, 10_000, 'the melody');
    const r = await ask(web(0).url!, id, { model: 'gan', task: 'accompany', sourceTrackId: melody, debug: { spinMs: 1500 } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const jobId = r.body.jobIds[0]!;
    await waitFor(() => statusIn(a, jobId) === 'running', 30_000, 'the job running');

    expect(await cluster.stop(), cluster.output().slice(-3000)).toBe(0);
    for (const p of procs) expect(alive(p.pid), `${p.name} still running`).toBe(false);
    expect((await jobRow(jobId))?.status).toBe('done');
    const stored = docFromRows(await readStoredPg(schema.url, id));
    expect(getSuggestion(stored, jobId)?.notes.length).toBeGreaterThan(0);
  }, 90_000);
});
