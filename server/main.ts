// Entry point: read the configuration once, start the server, shut down cleanly on signals
// (flushing and compacting every open session before the database closes).
import { readConfig } from './config';
import { startServer } from './app';
import { installProcessGuards } from './process-guards';

// Before anything can fail asynchronously: a stray rejection is logged, never fatal.
installProcessGuards((msg, err) => console.error(msg, err));

const config = readConfig();
const server = await startServer({
  port: config.port,
  host: config.host,
  publicUrl: config.publicUrl,
  allowedOrigins: config.allowedOrigins,
  dataDir: config.dataDir,
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
});
console.log(`Tutti listening on http://localhost:${server.port} (${server.db.mode} database${server.db.mode === 'embedded' ? ` in ${config.dataDir}` : ''})`);
if (server.fanout) console.log(`scale-out: fan-out through Redis as instance ${server.fanout.instanceId}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`${signal}: saving sessions and shutting down`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error('shutdown failed', err);
        process.exit(1);
      },
    );
  });
}
