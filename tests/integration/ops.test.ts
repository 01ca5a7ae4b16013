// The operator's view: /metrics exposes the series, /readyz says 503 (with reasons) when the
// database, the configured Redis or the job queue cannot be reached, or a migration is not
// applied, and 200 again when they are back, and
// SIGTERM drains: a note applied just before the signal is in the database afterwards.
import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { addNotes, readNotes, readTracks } from '@/lib/score';
import { PG_URL, createSession, startInProcessServer, startTestServer } from '../helpers/server';
import {
  REDIS_URL,
  connectSynced,
  docFromRows,
  openRaw,
  pgSchemaUrl,
  readStoredEmbedded,
  requirePostgres,
  requireRedis,
  waitFor,
  type Client,
} from './sync-helpers';

/** A TCP relay to host:port that can be cut (every connection dropped, listener closed) and restored on the same port. */
async function relay(target: string): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const u = new URL(target);
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  let port = 0;
  const listen = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(Number(u.port), u.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  };
  const cut = async () => {
    await new Promise<void>((r) => {
      server.close(() => r());
      for (const s of sockets) s.destroy();
    });
  };
  await listen();
  return { port, cut, restore: listen, close: cut };
}

const ready = async (url: string) => {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as { ready: boolean; checks: Record<string, string> } };
};

describe('operator view', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  const clients: Client[] = [];
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const f of cleanup.reverse()) await f().catch(() => {});
  });

  it('/metrics exposes rooms, connections, updates, fan-out latency, persistence lag, jobs and rejections', async () => {
    const server = await startInProcessServer();
    cleanup.push(() => server.close());
    const id = await createSession(server.url);
    const a = await connectSynced(server.wsUrl, id);
    const b = await connectSynced(server.wsUrl, id);
    clients.push(a, b);
    addNotes(a.doc, [{ trackId: readTracks(a.doc)[0]!.id, pitch: 60, start: 0, duration: 480, velocity: 90 }]);
    await waitFor(() => readNotes(b.doc).length === 1, 10_000, 'b to see the note');
    // A rejected message: a text frame is not part of the protocol (closed 4400, counted by reason).
    const raw = await openRaw(server.wsUrl, id);
    raw.ws.send('hello');
    expect((await raw.closed).code).toBe(4400);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^tutti_rooms [1-9]/m);
    expect(text).toMatch(/^tutti_connections [2-9]/m);
    expect(text).toMatch(/^tutti_updates_total\{origin="client"\} [1-9]/m);
    expect(text).toMatch(/^tutti_fanout_latency_seconds_count [1-9]/m);
    for (const series of [
      'tutti_persistence_lag_seconds',
      'tutti_persistence_pending_updates',
      'tutti_job_queue_depth',
      'tutti_job_duration_seconds',
      'tutti_rejected_total',
      'tutti_fanout_frames_total',
      'tutti_process_resident_memory_bytes',
    ])
      expect(text).toContain(series);
    // Sane values, not just names.
    const value = (series: string): number => {
      const m = new RegExp(`^${series.replace(/[{}"=.]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
      if (!m) throw new Error(`no sample ${series} in /metrics:\n${text}`);
      return Number(m[1]);
    };
    expect(value('tutti_rejected_total{code="4400",reason="badMessage"}')).toBe(1);
    const lag = value('tutti_persistence_lag_seconds');
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(60);
    expect(value('tutti_persistence_pending_updates')).toBeGreaterThanOrEqual(0);
    expect(value('tutti_job_queue_depth')).toBe(0);
    // Every frame this test caused was fanned out within seconds, and at least one went to b.
    const frames = value('tutti_fanout_latency_seconds_count');
    expect(value('tutti_fanout_latency_seconds_sum') / frames).toBeLessThan(5);
    expect(value('tutti_fanout_sends_total')).toBeGreaterThanOrEqual(frames);
    expect(value('tutti_fanout_frames_total{kind="update"}')).toBeGreaterThanOrEqual(1);
    expect((await ready(server.url)).status).toBe(200);
  });

  it('with TUTTI_METRICS_TOKEN, /metrics answers only that bearer token (401 with the reason otherwise)', async () => {
    const token = 'ops-test-metrics-token';
    const server = await startInProcessServer({ metricsToken: token });
    cleanup.push(() => server.close());
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', token]) {
      const res = await fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
    }
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^tutti_connections \d/m);
    // The rest of the operator's view stays open: balancers probe it without credentials.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await ready(server.url)).status).toBe(200);
  });

  it('/readyz is 503 while the database is unreachable or a migration is not applied, and 200 once they are back', async () => {
    await requirePostgres();
    const pgRelay = await relay(PG_URL);
    cleanup.push(() => pgRelay.close());
    const s = pgSchemaUrl('tutti_ops');
    cleanup.push(() => s.drop());
    const url = new URL(PG_URL);
    url.port = String(pgRelay.port);
    const server = await startInProcessServer({ databaseUrl: url.toString(), schema: s.schema });
    cleanup.push(() => server.close());
    const ok = await ready(server.url);
    expect(ok.status).toBe(200);
    expect(ok.body.checks).toEqual({ database: 'ok', migrations: 'ok' });
    await pgRelay.cut();
    const down = await ready(server.url);
    expect(down.status).toBe(503);
    expect(down.body.checks.database).toMatch(/^unreachable/);
    await pgRelay.restore();
    expect((await ready(server.url)).status).toBe(200);
    // A migration the database does not have (marked rolled back): not ready, and it says which.
    const [{ migration_name: last }] = (await server.db.pool.query(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1`))
      .rows as [{ migration_name: string }];
    await server.db.pool.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [last]);
    const behind = await ready(server.url);
    expect(behind.status).toBe(503);
    expect(behind.body.checks).toEqual({ database: 'ok', migrations: `not applied: ${last}` });
    await server.db.pool.query(`UPDATE "_prisma_migrations" SET rolled_back_at = NULL WHERE migration_name = $1`, [last]);
    expect((await ready(server.url)).status).toBe(200);
  });

  it('/readyz is 503 while the configured Redis, and with it the job queue, is unreachable', async () => {
    await requireRedis();
    const redisRelay = await relay(REDIS_URL);
    cleanup.push(() => redisRelay.close());
    // With REDIS_URL, jobs go through the BullMQ queue (its own connections): checked as well.
    const server = await startInProcessServer({ redisUrl: `redis://127.0.0.1:${redisRelay.port}` });
    cleanup.push(() => server.close());
    expect(server.jobs.runner).toBe('queue');
    expect((await ready(server.url)).body.checks).toEqual({ database: 'ok', migrations: 'ok', redis: 'ok', queue: 'ok' });
    await redisRelay.cut();
    const down = await ready(server.url);
    expect(down.status).toBe(503);
    expect(down.body.checks.redis).toMatch(/^unreachable/);
    expect(down.body.checks.queue).toMatch(/^unreachable/);
    await redisRelay.restore();
    let status = 0;
    // ioredis reconnects with its own backoff.
    for (let i = 0; i < 30 && status !== 200; i++) {
      status = (await ready(server.url)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(200);
  });

  it('SIGTERM drains: a note applied just before the signal is in the database, and the exit code is 0', async () => {
    // A 60 s write batch: only the drain can have written the note.
    const server = await startTestServer({ env: { TUTTI_BATCH_MS: '60000' } });
    cleanup.push(() => server.kill());
    const id = await createSession(server.url);
    const a = await connectSynced(server.wsUrl, id);
    const b = await connectSynced(server.wsUrl, id);
    clients.push(a, b);
    const closes: number[] = [];
    b.provider.on('connection-close', (e: CloseEvent | null) => e && closes.push(e.code));
    addNotes(a.doc, [{ trackId: readTracks(a.doc)[0]!.id, pitch: 67, start: 960, duration: 240, velocity: 70 }]);
    await waitFor(() => readNotes(b.doc).length === 1, 10_000, 'the note to reach the server (and b)');
    a.provider.disconnect();
    b.provider.shouldConnect = false;
    await server.stop(); // SIGTERM; throws unless the exit code is 0
    expect(closes).toContain(1001);
    const doc = docFromRows(await readStoredEmbedded(server.dataDir, id));
    expect(readNotes(doc).map((n) => n.pitch)).toEqual([67]);
  });
});
