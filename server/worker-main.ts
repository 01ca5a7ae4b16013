// Entry point of a model worker (`npm run worker`): queue mode's other half. Any number of these,
// on any machine that reaches the same PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), take AI
// jobs from the BullMQ queue the web instances fill and run them on their own cores. Each holds
// the sessions it works on as rooms of its own (the same update log and Redis fan-out as a web
// instance), so its progress and results reach every instance's clients like any edit.
// SIGTERM: take no new job, finish the running ones (up to 60 s; beyond, another worker runs them
// again), save the rooms, exit 0. TUTTI_WORKER_PORT: serve /metrics and /healthz there.
// Its model threads run at a lower scheduling priority (TUTTI_WORKER_NICE, default 10).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readConfig } from './config';
import { openDatabase } from './db/client';
import { parseJobsEnv, resolveJobsConfig } from './jobs/config';
import { PrismaJobStore } from './jobs/prisma-store';
import { startQueueWorker } from './jobs/queue-worker';
import { createLogger, logFn } from './ops/log';
import { registry } from './ops/metrics';
import { METRICS_UNAUTHORIZED, metricsAuthorized } from './ops/metrics-access';
import { PrismaDocStore } from './persistence/prisma-store';
import { DEFAULT_FOLD_RUNNER, FoldRunner } from './persistence/fold-runner';
import { installProcessGuards } from './process-guards';
import { RoomRegistry } from './rooms/registry';
import { RedisFanout } from './scaleout/redis-fanout';
import { startStudio } from './studio';

const config = readConfig();
const jobsEnv = parseJobsEnv();
const log = logFn(createLogger(config.logLevel));
installProcessGuards(log);

if (!config.redisUrl || !config.databaseUrl) {
  log(
    '[worker] a model worker needs REDIS_URL (the queue) and DATABASE_URL (PostgreSQL, shared with the web instances)',
    new Error('missing REDIS_URL or DATABASE_URL'),
  );
  process.exit(1);
}

const jobs = resolveJobsConfig();
const name = `worker-${process.pid}`;
const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
db.pool.on('error', (err) => log('[db] lost an idle database connection', err));
const fanout = await RedisFanout.connect({ url: config.redisUrl, log });
const rooms = new RoomRegistry(new PrismaDocStore(db.prisma, db.pool, new FoldRunner({ ...DEFAULT_FOLD_RUNNER, log })), {
  batchMs: config.batchMs,
  compactEvery: config.compactEvery,
  // A worker often gets the next job of the same session: keep its room a little longer.
  unloadDelayMs: Math.max(config.unloadDelayMs, 10_000),
  log,
  fanout,
  docLimits: { maxDocBytes: config.maxDocBytes, maxNotes: config.maxNotes, maxTracks: config.maxTracks, schemaGuard: config.schemaGuard },
});
const worker = await startQueueWorker({ rooms, store: new PrismaJobStore(db.prisma), config: jobs, redisUrl: config.redisUrl, name, log });
// Model-studio trainings (issue 18): in queue mode the workers run them, one at a time per worker, claimed from the database.
const studio = await startStudio({ prisma: db.prisma, modelsDir: config.modelsDir, runner: 'queue', nice: jobs.workerNice, log });

let metricsServer: http.Server | null = null;
if (jobsEnv.TUTTI_WORKER_PORT !== undefined) {
  metricsServer = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/healthz')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, worker: name, running: worker.running() }));
    if (path !== '/metrics') return void res.writeHead(404).end();
    if (!metricsAuthorized(req.headers.authorization, config.metricsToken)) {
      return void res.writeHead(METRICS_UNAUTHORIZED.status, METRICS_UNAUTHORIZED.headers).end(METRICS_UNAUTHORIZED.body);
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => metricsServer!.listen(jobsEnv.TUTTI_WORKER_PORT, config.host, resolve));
}
const metricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : null;
log(
  `Tutti worker ${name} ready (queue "${jobs.queueName}", ${jobs.workerConcurrency} at a time${metricsPort !== null ? `, metrics on port ${metricsPort}` : ''})`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`${signal}: finishing running jobs and shutting down`);
    setTimeout(() => {
      log('[shutdown] did not finish in 90 s; exiting', new Error('shutdown timeout'));
      process.exit(1);
    }, 90_000).unref();
    (async () => {
      await worker.close(60_000);
      await studio.close();
      await rooms.closeAll();
      await fanout.close();
      await db.close();
      metricsServer?.close();
    })().then(
      () => {
        log('[shutdown] worker stopped; exiting');
        process.exit(0);
      },
      (err) => {
        log('[shutdown] failed', err);
        process.exit(1);
      },
    );
  });
}
