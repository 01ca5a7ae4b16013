// Entry point: read the configuration once, start the server, shut down cleanly on signals
// (flushing and compacting every open session before the database closes).
import { ConfigError, readConfig, type ServerConfig } from './config';
import { startServer } from './app';
import { installProcessGuards } from './process-guards';
import { createLogger, logFn } from './ops/log';
import { releaseStartupMemory } from './ops/memory';

// A bad variable stops start-up with one line naming it, not a stack trace.
let config: ServerConfig;
try {
  config = readConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`tutti: ${err.message}`);
  process.exit(1);
}
const logger = createLogger(config.logLevel);
const log = logFn(logger);
// Before anything can fail asynchronously: a stray rejection is logged, never fatal.
installProcessGuards(log);

const server = await startServer({
  log,
  port: config.port,
  host: config.host,
  publicUrl: config.publicUrl,
  allowedOrigins: config.allowedOrigins,
  dataDir: config.dataDir,
  modelsDir: config.modelsDir,
  studioNice: config.studioNice,
  databaseUrl: config.databaseUrl,
  redisUrl: config.redisUrl, // scale-out mode
  dev: config.dev,
  next: !process.argv.includes('--no-next'),
  maxMessageBytes: config.maxMessageBytes,
  maxMessagesPerSecond: config.maxMessagesPerSecond,
  roomApplyMsPerSecond: config.roomApplyMsPerSecond,
  messageBurst: config.messageBurst,
  maxConnectionsPerRoom: config.maxConnectionsPerRoom,
  maxDocBytes: config.maxDocBytes,
  maxNotes: config.maxNotes,
  maxTracks: config.maxTracks,
  schemaGuard: config.schemaGuard,
  batchMs: config.batchMs,
  compactEvery: config.compactEvery,
  unloadDelayMs: config.unloadDelayMs,
  fanoutMaxTickMs: config.fanoutMaxTickMs,
  sendBufferBytes: config.sendBufferBytes,
  sendBufferGraceMs: config.sendBufferGraceMs,
  metricsToken: config.metricsToken,
});
releaseStartupMemory(); // start-up's garbage, before the server idles (server/ops/memory.ts)
log(`Tutti listening on http://localhost:${server.port} (${server.db.mode} database${server.db.mode === 'embedded' ? ` in ${config.dataDir}` : ''})`);
if (server.fanout) log(`[scaleout] fan-out through Redis as instance ${server.fanout.instanceId}`);

// Graceful shutdown (server.close): /readyz answers 503 and new sockets are refused, open sockets
// are closed with 1001 going-away (clients reconnect, to another instance behind a balancer),
// every room is flushed and compacted into the database, then the process exits 0. A second
// signal, or a drain that hangs for 60 s, exits 1 at once.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`${signal}: saving sessions and shutting down`);
    setTimeout(() => {
      log('[shutdown] did not finish in 60 s; exiting', new Error('shutdown timeout'));
      process.exit(1);
    }, 60_000).unref();
    server.close().then(
      () => {
        log('[shutdown] every session saved; exiting');
        process.exit(0);
      },
      (err) => {
        log('[shutdown] failed', err);
        process.exit(1);
      },
    );
  });
}
