// `npm start` runs the server compiled to plain JS (scripts/build-server.mjs), not through tsx.
// The bundle rewrites each source file's import.meta to its own location; a wrong path would
// only show at run time (migrations, the PGlite host, the model workers, the weights). This
// starts the server the way npm start does and uses each of those: readiness (migrations applied),
// an edit between two clients, one AI job in a worker thread with the committed weights, a clean
// SIGTERM that compacts a large session on the fold worker thread, and that session after a restart.
import { afterAll, describe, expect, it } from 'vitest';
import { readNotes, readTracks, addNotes } from '@/lib/score';
import { createSession, startTestServer, type TestServer } from '../helpers/server';
import { assertWeights, connect, postJob, waitFor, waitJob, writeMelody, type Client } from './jobs-helpers';

describe('npm start: the compiled server', () => {
  let server: TestServer | undefined;
  const clients: Client[] = [];
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.kill();
  });

  it('serves sessions, edits and an AI job from the compiled build, and drains on SIGTERM', async () => {
    assertWeights(['gan']);
    server = await startTestServer({ viaStartScript: true, env: { NODE_ENV: 'test', TUTTI_JOB_WORKERS: '1' } });
    expect(server.output()).not.toMatch(/running it through tsx/);
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, checks: { database: 'ok', migrations: 'ok' } });

    const id = await createSession(server.url);
    const a = await connect(server.wsUrl, id);
    const b = await connect(server.wsUrl, id);
    clients.push(a, b);
    addNotes(a.doc, [{ trackId: readTracks(a.doc)[0]!.id, pitch: 64, start: 0, duration: 480, velocity: 80 }]);
    await waitFor(() => readNotes(b.doc).length === 1, 10_000, 'the note to reach the second client');

    const melodyId = writeMelody(a.doc, 2);
    await waitFor(() => readTracks(b.doc).some((t) => t.id === melodyId), 10_000, 'the melody to sync');
    const r = await postJob(server.url, id, {
      model: 'gan',
      task: 'accompany',
      sourceTrackId: melodyId,
      bars: [0, 2],
      seed: 3,
      requester: { id: 'compiled', name: 'Compiled' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const job = await waitJob(server.url, id, r.body.jobId);
    expect(job.status, job.error ?? '').toBe('done');

    // A session past the fold worker's threshold (512 KB stored): the drain compacts it on the fold
    // worker thread, whose entry the bundle must find (a missing one would fall back to the main thread and say so).
    const track = readTracks(a.doc)[0]!.id;
    for (let k = 0; k < 4; k++)
      addNotes(
        a.doc,
        Array.from({ length: 2000 }, (_, i) => ({ trackId: track, pitch: 36 + (i % 48), start: (k * 2000 + i) * 60, duration: 60, velocity: 80 })),
      );
    const notes = readNotes(a.doc).length;
    await waitFor(() => readNotes(b.doc).length === notes, 30_000, 'the big edit to reach the second client');
    for (const c of clients.splice(0)) c.destroy();
    // The room unloads once its clients are gone, and compacts on the way.
    const folded = async () => /^tutti_compaction_folds_total\{where="worker"\} [1-9]/m.test(await (await fetch(`${server!.url}/metrics`)).text());
    for (const end = Date.now() + 30_000; !(await folded()); await new Promise((r) => setTimeout(r, 200)))
      if (Date.now() > end) throw new Error('the big session was not compacted on the fold worker within 30 s');
    await server.stop(); // throws unless the exit code is 0
    expect(server.output()).not.toMatch(/\[fold\]/);
    server = await startTestServer({ viaStartScript: true, dataDir: server.dataDir, env: { NODE_ENV: 'test' } });
    const again = await connect(server.wsUrl, id);
    clients.push(again);
    expect(readNotes(again.doc)).toHaveLength(notes);
  });
});
