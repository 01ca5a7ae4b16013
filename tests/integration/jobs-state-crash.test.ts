// Job state after a crash (issue 14, item 3): the database row is the job's source of truth and
// the session document's job list mirrors it (server/jobs/state.ts). A server is kill -9'd while
// one job runs, after another finished; once it restarts on the same PostgreSQL and lease recovery
// (server/jobs/recovery.ts) has run, a real websocket client must see each job exactly as its row
// says — the finished one done with its suggestion, the interrupted one failed with the row's
// error — and every note the session had before the crash. A crash in the one window where the
// document is ahead of the row (result and "done" flushed, row not yet written) ends with the row
// done too. Real child-process server, real worker thread, the committed GAN weights. PostgreSQL unreachable fails the suite; it never skips.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNotes, getSuggestion, jobOrigin, readJobs, readNotes, readTracks, writeJobState, writeSuggestion, type NewSuggestion } from '@/lib/score';
import { createSession, PG_URL, startTestServer, type TestServer } from '../helpers/server';
import { assertWeights, connect, leasedPoolEnv, postJob, waitFor, waitJob, writeMelody, type Client } from './jobs-helpers';
import { craft, docFromRows, pgSchemaUrl, readStoredPg, requirePostgres, sleep } from './sync-helpers';

const LEASE_MS = 1500;
const ENV = leasedPoolEnv(LEASE_MS);

interface Row {
  status: string;
  error: string | null;
  finishedAt: number | null;
}

describe('job state after a crash: the row and the document mirror agree', () => {
  const schema = pgSchemaUrl('tutti_jobcrash');
  let server: TestServer | undefined;
  const clients: Client[] = [];
  let db: pg.Client;

  const row = async (jobId: string): Promise<Row> => {
    const r = await db.query<{ status: string; error: string | null; fin: string | null }>(
      `SELECT "status", "error", EXTRACT(EPOCH FROM "finishedAt") * 1000 AS fin FROM "${schema.schema}"."Job" WHERE "id" = $1`,
      [jobId],
    );
    const x = r.rows[0];
    if (!x) throw new Error(`job ${jobId} is not in the database`);
    return { status: x.status, error: x.error, finishedAt: x.fin === null ? null : Number(x.fin) };
  };

  beforeAll(async () => {
    assertWeights(['gan']);
    await requirePostgres();
    db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    server = await startTestServer({ databaseUrl: schema.url, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-jobcrash-')), env: ENV });
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.kill();
    await db?.end();
    await schema.drop();
  });

  /**
   * A session on the current server with a melody, one job finished (its suggestion at the client)
   * and a second one running (a 60 s spin) when this returns.
   */
  const finishedThenRunning = async () => {
    const s = server!;
    const id = await createSession(s.url);
    const client = await connect(s.wsUrl, id);
    clients.push(client);
    const melodyId = writeMelody(client.doc, 2);
    await sleep(300); // the melody reaches the server before the jobs read the score
    const ask = async (seed: number, debug?: { spinMs: number }) => {
      const r = await postJob(s.url, id, {
        model: 'gan',
        task: 'accompany',
        sourceTrackId: melodyId,
        seed,
        ...(debug ? { debug } : {}),
        requester: { id: `p${seed}` },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body.jobId;
    };
    const doneId = await ask(1);
    expect((await waitJob(s.url, id, doneId, 60_000)).status).toBe('done');
    await waitFor(() => getSuggestion(client.doc, doneId) !== null, 10_000, 'the first suggestion at the client');
    const runningId = await ask(2, { spinMs: 60_000 });
    await waitFor(() => readJobs(client.doc).some((j) => j.id === runningId && j.status === 'running'), 20_000, 'the second job running');
    return { id, client, melodyId, doneId, runningId };
  };
  /** kill -9 (nothing records the end of the running job), then a new server on the same database. */
  const crash = async (client: Client, between?: () => Promise<void>) => {
    client.destroy();
    clients.splice(clients.indexOf(client), 1);
    await server!.kill();
    await between?.();
    server = await startTestServer({ databaseUrl: schema.url, dataDir: server!.dataDir, env: ENV });
    return server;
  };

  it('kill -9 mid-job, restart: each job reads the same in its row and in the session document, and no note is lost', async () => {
    const { id, client: before, melodyId, doneId, runningId } = await finishedThenRunning();
    // An edit made while the job runs, on another track: it must survive the crash too.
    const other = readTracks(before.doc).find((t) => t.id !== melodyId) ?? readTracks(before.doc)[0]!;
    addNotes(before.doc, [{ trackId: other.id, pitch: 48, start: 0, duration: 960, velocity: 70 }], 'test-bass');
    await sleep(1000); // past the persister's batch window: acknowledged edits are on disk
    const notesBefore = readNotes(before.doc)
      .map((n) => n.id)
      .sort();
    const s = await crash(before);

    const interrupted = await waitJob(s.url, id, runningId, 30_000);
    expect(interrupted).toMatchObject({ status: 'failed', errorCode: 'interrupted' });
    const after = await connect(s.wsUrl, id);
    clients.push(after);
    const mirrored = (jobId: string) => readJobs(after.doc).find((j) => j.id === jobId);
    await waitFor(() => mirrored(runningId)?.status === 'failed', 10_000, 'the document to show the interrupted job failed');

    // The row and the mirror agree on every job of the session.
    for (const jobId of [doneId, runningId]) {
      const r = await row(jobId);
      const m = mirrored(jobId);
      expect(m, `job ${jobId} in the document`).toBeDefined();
      expect({ status: m!.status, error: m!.error ?? null }, `job ${jobId}`).toEqual({ status: r.status, error: r.error });
      expect(m!.finishedAt, `job ${jobId} finishedAt`).toBe(r.finishedAt);
    }
    expect((await row(doneId)).status).toBe('done');
    expect(getSuggestion(after.doc, doneId)?.notes.length ?? 0).toBeGreaterThan(0);
    // The interrupted job left no suggestion behind.
    expect(getSuggestion(after.doc, runningId)).toBeNull();
    // Nothing else in the session was lost: every note the client had before the crash.
    expect(
      readNotes(after.doc)
        .map((n) => n.id)
        .sort(),
    ).toEqual(notesBefore);
  });

  it('a crash between the flushed "done" document transaction and the row: recovery records the row done, as the document says', async () => {
    const { id, client: c, doneId, runningId: jobId } = await finishedThenRunning();
    await sleep(1000); // "running" is on disk
    const s = await crash(c, async () => {
      // What JobStateWriter.done flushes before it writes the row — the suggestion and "done" in one
      // document transaction — lands in the update log; the row update never happens.
      const stored = docFromRows(await readStoredPg(schema.url, id));
      const { id: _id, status: _status, decidedBy: _by, decidedAt: _at, ...earlier } = getSuggestion(stored, doneId)!;
      const result = { ...earlier, jobId, requestId: jobId, seed: 2 } as unknown as NewSuggestion;
      const finishedAt = Date.now();
      const update = craft(stored, (d) =>
        d.transact(() => {
          writeSuggestion(d, jobId, result);
          writeJobState(d, jobId, { status: 'done', progress: 1, finishedAt, error: null, suggestionId: jobId });
        }, jobOrigin(jobId)),
      );
      await db.query(`INSERT INTO "${schema.schema}"."DocUpdate" ("sessionId", "data") VALUES ($1, $2)`, [id, Buffer.from(update)]);
      stored.destroy();
      expect((await row(jobId)).status).toBe('running');
    });
    const end = Date.now() + 30_000;
    while ((await row(jobId)).status !== 'done') {
      if (Date.now() > end) throw new Error(`the row of a job whose result the document holds is ${(await row(jobId)).status}, not done`);
      await sleep(100);
    }
    const after = await connect(s.wsUrl, id);
    clients.push(after);
    const m = readJobs(after.doc).find((j) => j.id === jobId)!;
    const final = await row(jobId);
    expect({ status: m.status, error: m.error ?? null, finishedAt: m.finishedAt }).toEqual({
      status: final.status,
      error: final.error,
      finishedAt: final.finishedAt,
    });
    expect(getSuggestion(after.doc, jobId)?.notes.length ?? 0).toBeGreaterThan(0);
  });
});
