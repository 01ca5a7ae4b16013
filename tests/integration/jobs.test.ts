// AI jobs end to end against the real server process: real worker threads running the committed
// weights of all three models, a real y-websocket client watching the document, the embedded
// database, a restart. A finished job lands as a suggestion (issue 13), not as notes. Then the
// failure paths: cancel, timeout, a crashing worker, invalid parameters (refused before queueing)
// and the rate limit — each leaving the server and the other sessions working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSuggestion, jobsMap, readJobs, readNotes, readTracks } from '@/lib/score';
import { createSession, startTestServer, type TestServer } from '../helpers/server';
import { MODELS, api, assertWeights, connect, newParticipant, postJob, waitFor, waitJob, writeMelody, type Client, type JobJson } from './jobs-helpers';

const ENV = {
  NODE_ENV: 'test',
  TUTTI_JOB_WORKERS: '2',
  TUTTI_JOB_RATE_LIMIT: '5',
  TUTTI_JOB_RATE_LIMIT_PER_ADDRESS: '1000',
  // A job left by a killed server is failed once its lease expires: short here, 20 s by default.
  TUTTI_JOB_LEASE_MS: '1500',
};

describe('AI jobs (real workers, committed weights)', () => {
  let server: TestServer;
  let sessionId: string;
  let client: Client;
  let melodyId: string;
  const done: Record<string, JobJson> = {};

  beforeAll(async () => {
    assertWeights();
    server = await startTestServer({ env: ENV });
    sessionId = await createSession(server.url);
    client = await connect(server.wsUrl, sessionId);
    melodyId = writeMelody(client.doc, 4);
    await waitFor(() => client.provider.synced, 5000, 'melody sync');
  });

  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it.each(MODELS)('%s: the result lands as a suggestion for a connected client, with the job record', async (model) => {
    const task = model === 'gan' ? 'accompany' : 'harmonize';
    const before = readNotes(client.doc).length;
    const r = await postJob(server.url, sessionId, { model, task, sourceTrackId: melodyId, bars: [0, 4], seed: 7, requester: { id: `tester-${model}`, name: 'Tester' } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const job = await waitJob(server.url, sessionId, r.body.jobId);
    expect(job.status, job.error ?? '').toBe('done');
    expect(job.timings.inferenceMs).toBeGreaterThan(0);
    // The client sees the suggestion (it arrived in one transaction with the "done" status).
    await waitFor(() => getSuggestion(client.doc, r.body.jobId) !== null, 10_000, 'the suggestion at the client');
    const s = getSuggestion(client.doc, r.body.jobId)!;
    expect(s).toMatchObject({ model, task, requesterName: 'Tester', seed: 7, status: 'pending', bars: [0, 4], sourceTrackId: melodyId, jobId: r.body.jobId });
    expect(s.notes.length).toBeGreaterThan(0);
    for (const n of s.notes) {
      expect(n.trackId).toBeNull(); // new accompaniment voices, never the melody
      expect(n.start).toBeLessThan(4 * 1920);
    }
    expect(readNotes(client.doc)).toHaveLength(before); // a suggestion, not an edit
    expect(readNotes(client.doc).filter((n) => n.trackId === melodyId)).toHaveLength(16);
    const shared = readJobs(client.doc).find((j) => j.id === r.body.jobId)!;
    expect(shared).toMatchObject({ status: 'done', model, task, requesterName: 'Tester', progress: 1, suggestionId: r.body.jobId, seed: 7 });
    done[model] = job;
  });

  it('results and job records survive a crash of the server; a job cut off by it is marked interrupted', async () => {
    expect(Object.keys(done).sort()).toEqual([...MODELS].sort());
    const expected = readNotes(client.doc);
    const hung = await postJob(server.url, sessionId, { model: 'gan', task: 'accompany', sourceTrackId: melodyId, debug: { spinMs: 60_000 }, requester: { id: 'victim' } });
    await waitFor(() => readJobs(client.doc).some((j) => j.id === hung.body.jobId && j.status === 'running'), 20_000, 'job running');
    client.destroy();
    await server.kill(); // kill -9: results were flushed before their job was recorded done
    server = await startTestServer({ dataDir: server.dataDir, env: ENV });
    client = await connect(server.wsUrl, sessionId);
    expect(readNotes(client.doc)).toEqual(expected);
    const cut = await waitJob(server.url, sessionId, hung.body.jobId, 20_000); // once its lease expired
    expect(cut).toMatchObject({ status: 'failed', errorCode: 'interrupted' });
    await waitFor(() => readJobs(client.doc).find((j) => j.id === hung.body.jobId)?.status === 'failed', 5000, 'the shared job list to show it failed');
    const list = await api<{ jobs: JobJson[] }>(`${server.url}/api/sessions/${sessionId}/jobs`, 'GET');
    expect(list.body.jobs.map((j) => j.id)).toEqual(expect.arrayContaining([hung.body.jobId, ...Object.values(done).map((j) => j.id)]));
    for (const job of Object.values(done)) {
      const r = await api<JobJson>(`${server.url}/api/sessions/${sessionId}/jobs/${job.id}`, 'GET');
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('done');
      expect(getSuggestion(client.doc, job.id)?.notes.length).toBeGreaterThan(0); // the suggestion survived
    }
  });

  it('cancel: a running job that ignores its abort has its worker killed; the pool keeps serving', async () => {
    const r = await postJob(server.url, sessionId, { model: 'gan', task: 'accompany', sourceTrackId: melodyId, debug: { spinMs: 60_000 }, requester: { id: 'canceller' } });
    expect(r.status).toBe(202);
    await waitFor(() => readJobs(client.doc).some((j) => j.id === r.body.jobId && j.status === 'running'), 20_000, 'job running');
    const c = await api<JobJson>(`${server.url}/api/sessions/${sessionId}/jobs/${r.body.jobId}`, 'DELETE');
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ status: 'cancelled', errorCode: 'cancelled' });
    await waitFor(() => readJobs(client.doc).find((j) => j.id === r.body.jobId)?.status === 'cancelled', 5000, 'cancel visible to the client');
    const again = await api(`${server.url}/api/sessions/${sessionId}/jobs/${r.body.jobId}/cancel`, 'POST');
    expect(again.status).toBe(409);
    const next = await postJob(server.url, sessionId, { model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, seed: 1, params: { iterations: 20 }, requester: { id: 'canceller' } });
    expect((await waitJob(server.url, sessionId, next.body.jobId)).status).toBe('done');
  });

  it('timeout: a job over its time limit is stopped with a clear reason', async () => {
    const r = await postJob(server.url, sessionId, { model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, debug: { spinMs: 60_000, timeoutMs: 1500 }, requester: { id: 'slowpoke' } });
    const job = await waitJob(server.url, sessionId, r.body.jobId, 30_000);
    expect(job).toMatchObject({ status: 'failed', errorCode: 'timeout' });
    expect(job.error).toMatch(/longer than 2 s|longer than 1 s|and was stopped/);
    await waitFor(() => readJobs(client.doc).find((j) => j.id === r.body.jobId)?.error === job.error, 5000, 'failure visible to the client');
  });

  it('a crashing worker fails only its job: it is replaced, and another session keeps syncing', async () => {
    const other = await createSession(server.url);
    const peer = await connect(server.wsUrl, other);
    try {
      const r = await postJob(server.url, sessionId, { model: 'gan', task: 'accompany', sourceTrackId: melodyId, debug: { crash: true }, requester: { id: 'crasher' } });
      const job = await waitJob(server.url, sessionId, r.body.jobId, 30_000);
      expect(job).toMatchObject({ status: 'failed', errorCode: 'worker_crashed' });
      expect(job.error).toMatch(/crashed/);
      // The other session still syncs through the same server.
      const trackId = readTracks(peer.doc)[0]!.id;
      const watcher = await connect(server.wsUrl, other);
      writeMelody(peer.doc, 1);
      await waitFor(() => readNotes(watcher.doc).filter((n) => n.trackId === trackId).length === 4, 10_000, 'edit in the other session');
      watcher.destroy();
      // And the pool still has its workers: two real jobs in a row succeed.
      for (const seed of [2, 3]) {
        const ok = await postJob(server.url, sessionId, { model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, seed, params: { iterations: 20 }, requester: { id: 'crasher' } });
        expect((await waitJob(server.url, sessionId, ok.body.jobId)).status).toBe('done');
      }
    } finally {
      peer.destroy();
    }
  });

  it('per-session limits: at most 2 run at once, at most 8 pending, the rest refused with 429', async () => {
    const busy = await createSession(server.url);
    const peer = await connect(server.wsUrl, busy);
    try {
      const mel = readTracks(peer.doc)[0]!.id;
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const r = await postJob(server.url, busy, { model: 'gan', task: 'accompany', sourceTrackId: mel, debug: { spinMs: 60_000 }, requester: { id: `queue-${i}` } });
        expect(r.status).toBe(202);
        ids.push(r.body.jobId);
      }
      const refused = await postJob(server.url, busy, { model: 'gan', task: 'accompany', sourceTrackId: mel, requester: { id: 'queue-9' } });
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('queue_full');
      await waitFor(() => readJobs(peer.doc).filter((j) => j.status === 'running').length === 2, 20_000, 'two running');
      await new Promise((r) => setTimeout(r, 300));
      expect(readJobs(peer.doc).filter((j) => j.status === 'running')).toHaveLength(2);
      expect(readJobs(peer.doc).filter((j) => j.status === 'queued')).toHaveLength(6);
      // Cancel the waiting ones first (instant), then the two running.
      for (const id of [...ids].reverse()) expect((await api(`${server.url}/api/sessions/${busy}/jobs/${id}`, 'DELETE')).status).toBe(200);
      await waitFor(() => readJobs(peer.doc).every((j) => j.status === 'cancelled'), 10_000, 'all cancelled');
    } finally {
      peer.destroy();
    }
  });

  it('invalid requests get clear 4xx answers and change nothing', async () => {
    const before = readNotes(client.doc).length;
    const jobsBefore = jobsMap(client.doc).size;
    const cases: [unknown, number, RegExp][] = [
      [{ model: 'wavenet', task: 'accompany', sourceTrackId: melodyId }, 400, /model must be one of/],
      [{ model: 'gan', task: 'accompany' }, 400, /sourceTrackId is required/],
      [{ model: 'gan', task: 'rewrite', sourceTrackId: melodyId }, 400, /does not offer/],
      [{ model: 'gan', task: 'accompany', sourceTrackId: melodyId, bars: [3, 1] }, 400, /to > from/],
      [{ model: 'gan', task: 'accompany', sourceTrackId: 'nosuchtrack' }, 422, /unknown track/],
      [{ model: 'gan', task: 'accompany', sourceTrackId: melodyId, bars: [0, 1000] }, 413, /at most 64 bars/],
      ['{not json', 400, /not valid JSON/],
    ];
    for (const [body, status, msg] of cases) {
      const r = await postJob(server.url, sessionId, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.error).toMatch(msg);
    }
    expect((await postJob(server.url, 'NoSuchSession123', { model: 'gan', task: 'accompany', sourceTrackId: melodyId })).status).toBe(404);
    expect((await api(`${server.url}/api/sessions/${sessionId}/jobs/nosuchjob`, 'GET')).status).toBe(404);
    // Knobs outside the AI contract are refused before queueing (issue 13: they used to get 202 and fail in everyone's list).
    const r = await postJob(server.url, sessionId, { model: 'arcnn', task: 'harmonize', sourceTrackId: melodyId, params: { temperature: -4 }, requester: { id: 'knobs' } });
    expect(r.status).toBe(400);
    expect(r.body.issues).toEqual(['knobs.temperature: temperature must be at least 0.05']);
    const r2 = await postJob(server.url, sessionId, { model: 'transformer', task: 'harmonize', sourceTrackId: melodyId, params: { noSuchKnob: 1 }, requester: { id: 'knobs' } });
    expect(r2.status).toBe(400);
    expect(r2.body.error).toMatch(/noSuchKnob/);
    await new Promise((res) => setTimeout(res, 200));
    expect(readNotes(client.doc)).toHaveLength(before);
    expect(jobsMap(client.doc).size).toBe(jobsBefore);
  });

  it('rate limit: a participant over the limit gets 429 with Retry-After; others are unaffected', async () => {
    const body = { model: 'gan', task: 'accompany', sourceTrackId: 'nosuchtrack' };
    const [greedy, patient] = [await newParticipant(server.url, sessionId), await newParticipant(server.url, sessionId)];
    const as = (p: { participantToken: string }) => ({ authorization: `Bearer ${client.provider.params.token}`, 'x-tutti-participant': p.participantToken });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await postJob(server.url, sessionId, body, as(greedy))).status);
    expect(codes).toEqual([422, 422, 422, 422, 422, 429, 429]);
    const limited = await postJob(server.url, sessionId, body, as(greedy));
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await postJob(server.url, sessionId, body, as(patient))).status).toBe(422);
  });
});
