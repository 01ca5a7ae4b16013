// The one Tutti process: an HTTP server carrying our API routes, the Yjs sync websocket on
// /sync/<sessionId>, and the Next.js app for everything else — all on one port.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { openDatabase, type Database } from './db/client';
import { closeExplainWorker } from './http/models-explain';
import { handleRoute } from './http/router';
import { readConfig } from './config';
import { PrismaDocStore } from './persistence/prisma-store';
import { DEFAULT_FOLD_RUNNER, FoldRunner } from './persistence/fold-runner';
import { RoomRegistry } from './rooms/registry';
import { isSessionId } from './sessions';
import { handleConnection } from './sync/connection';
import { CLOSE } from './sync/protocol';
import type { NextHandle } from './next-handler';
import { startJobs, type Jobs, type JobsConfig } from './jobs';
import { RedisFanout, type LinkChange } from './scaleout/redis-fanout';
import { SessionAccess } from './auth/access';
import { LiveConnections } from './auth/live';
import { crossOriginWrite, originAllowed, preparePage, setSecurityHeaders, type EdgeConfig } from './http/edge';
import { sendError } from './http/json';
import { startVersions, type VersionsConfig } from './versions';
import { startStudio, type Studio } from './studio';
import { DEFAULT_FANOUT } from './sync/fanout';
import { collectFrom } from './ops/metrics';
import { createLogger, logFn, type LogFn } from './ops/log';

export interface StartOptions {
  port?: number;
  /** PUBLIC_URL: the origin links carry and browsers may act from (unset: the request's own host). */
  publicUrl?: string;
  /** TUTTI_ALLOWED_ORIGINS: more origins allowed to open the websocket and send writes. */
  allowedOrigins?: string[];
  host?: string;
  dataDir?: string;
  /** The model studio's files (TUTTI_MODELS_DIR); default <dataDir>/models. */
  modelsDir?: string;
  /** Model studio: how often an idle training runner looks for queued trainings (tests shorten it). */
  studioPollMs?: number;
  /** Niceness of the studio's training thread (TUTTI_STUDIO_NICE, default 10). */
  studioNice?: number;
  /** TUTTI_METRICS_TOKEN: /metrics answers only this bearer token (unset: open). */
  metricsToken?: string;
  databaseUrl?: string;
  /** Scale-out: redis://… makes rooms fan out to other instances on the same database. */
  redisUrl?: string;
  /** PostgreSQL schema to use (tests give each run its own). */
  schema?: string;
  dev?: boolean;
  /** false: API + websocket only, no Next app (fast tests, benchmarks). */
  next?: boolean;
  /** Start Next before listening instead of on the first page request (always so in dev). */
  nextEager?: boolean;
  maxMessageBytes?: number;
  /** Per-connection token bucket and per-room connection cap (server/config.ts). */
  maxMessagesPerSecond?: number;
  /** Apply-time budget per session (server/sync/rate-limit.ts TimeBudget); 0 turns it off. */
  roomApplyMsPerSecond?: number;
  messageBurst?: number;
  maxConnectionsPerRoom?: number;
  /** Per-session document limits (server/sync/doc-guard.ts); defaults from server/config.ts. */
  maxDocBytes?: number;
  maxNotes?: number;
  maxTracks?: number;
  /** false: participants' updates are applied unchecked (benchmarks measuring the guard only). */
  schemaGuard?: boolean;
  batchMs?: number;
  compactEvery?: number;
  unloadDelayMs?: number;
  pingIntervalMs?: number;
  /** Fan-out coalescing: the longest tick of a room (server/sync/fanout.ts). */
  fanoutMaxTickMs?: number;
  /** Backpressure: unsent bytes a socket may hold for longer than sendBufferGraceMs (then closed, 1013). */
  sendBufferBytes?: number;
  sendBufferGraceMs?: number;
  /** Default: structured JSON logs on stdout (pino) at logLevel. */
  log?: LogFn;
  logLevel?: string;
  /** AI job limits (server/jobs/config.ts); defaults from TUTTI_JOB_* env. */
  jobs?: Partial<JobsConfig>;
  /** Checkpoint timing (server/versions/config.ts); defaults from TUTTI_CHECKPOINT_* env. */
  versions?: Partial<VersionsConfig>;
}

export interface TuttiServer {
  port: number;
  url: string;
  rooms: RoomRegistry;
  db: Database;
  jobs: Jobs;
  /** The model studio: registry, uploads, trainings. */
  studio: Studio;
  /** Share links: token checks, rotation, deletion. */
  access: SessionAccess;
  /** Open sync connections by session and role. */
  live: LiveConnections;
  /** Present in scale-out mode (redisUrl). */
  fanout?: RedisFanout;
  /** Graceful stop: refuse new work (/readyz 503), close sockets (1001), flush every room, close the database. */
  close(): Promise<void>;
}

/** The checkout (the Next app's directory). */
const ROOT = path.resolve(import.meta.dirname, '..');

// The configuration's defaults, for callers of startServer that leave a limit unset.
const LIMIT_DEFAULTS = readConfig({} as NodeJS.ProcessEnv, []);

export async function startServer(opts: StartOptions = {}): Promise<TuttiServer> {
  const log = opts.log ?? logFn(createLogger(opts.logLevel ?? 'info'));
  const maxMessageBytes = opts.maxMessageBytes ?? 8 * 1024 * 1024;
  const db = await openDatabase({ dataDir: opts.dataDir ?? './data', databaseUrl: opts.databaseUrl, schema: opts.schema });
  // A pooled connection the database drops while idle (restart, network) must not crash the process.
  db.pool.on('error', (err) => log('[db] lost an idle database connection', err));
  // Scale-out (REDIS_URL): several instances share rooms through Redis; refuse to start without it.
  let fanout: RedisFanout | undefined;
  if (opts.redisUrl) {
    try {
      fanout = await RedisFanout.connect({ url: opts.redisUrl, log });
    } catch (err) {
      await db.close();
      throw err;
    }
  }
  const folds = new FoldRunner({ ...DEFAULT_FOLD_RUNNER, log });
  const rooms = new RoomRegistry(new PrismaDocStore(db.prisma, db.pool, folds), {
    batchMs: opts.batchMs ?? 250,
    compactEvery: opts.compactEvery ?? 200,
    unloadDelayMs: opts.unloadDelayMs ?? 2000,
    log,
    fanout,
    docLimits: {
      maxDocBytes: opts.maxDocBytes ?? LIMIT_DEFAULTS.maxDocBytes,
      maxNotes: opts.maxNotes ?? LIMIT_DEFAULTS.maxNotes,
      maxTracks: opts.maxTracks ?? LIMIT_DEFAULTS.maxTracks,
      schemaGuard: opts.schemaGuard ?? true,
    },
    fanoutTick: { ...DEFAULT_FANOUT, maxTickMs: opts.fanoutMaxTickMs ?? LIMIT_DEFAULTS.fanoutMaxTickMs },
  });
  collectFrom({
    rooms: () => rooms.count,
    connections: () => wss.clients.size,
    persistence: () => {
      let pending = 0;
      let lagMs = 0;
      for (const s of rooms.stats()) {
        pending += s.pendingUpdates;
        lagMs = Math.max(lagMs, s.persistLagMs);
      }
      return { pending, oldestAgeSeconds: lagMs / 1000 };
    },
  });
  let draining = false;

  const access = new SessionAccess(db.prisma);
  // The studio starts after the jobs (it needs their runner mode); the jobs reach it through this late binding.
  let studioRef: Studio | null = null;
  const jobs = await startJobs({
    prisma: db.prisma,
    rooms,
    config: opts.jobs,
    redisUrl: opts.redisUrl,
    log,
    access,
    versions: { resolve: (s, f, v) => studioRef?.resolve(s, f, v) ?? Promise.resolve(null) },
  });
  const readiness = { pool: db.pool, redisPing: fanout ? () => fanout!.ping() : undefined, queuePing: jobs.queuePing, draining: () => draining };
  const versions = startVersions({ prisma: db.prisma, rooms, config: opts.versions, log });
  // Trainings run here in pool mode; in queue mode the worker processes run them (server/worker-main.ts).
  const studio = await startStudio({
    prisma: db.prisma,
    modelsDir: path.resolve(opts.modelsDir ?? path.join(opts.dataDir ?? './data', 'models')),
    runner: jobs.runner === 'queue' ? 'none' : 'pool',
    nice: opts.studioNice ?? 10,
    log,
    pollMs: opts.studioPollMs,
  });
  studioRef = studio;

  // Frames up to twice the limit (at least +1 MiB) reach our handler, which closes with a reason
  // naming the limit; ws itself cuts off anything larger (1009, no reason) before buffering it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes + Math.max(maxMessageBytes, 1024 * 1024) });
  const live = new LiveConnections();
  const edge: EdgeConfig = { publicUrl: opts.publicUrl, allowedOrigins: opts.allowedOrigins, dev: !!opts.dev };
  /** Closes what a rotation or deletion made invalid, here and (scale-out) on every other instance. */
  const revoke = (change: LinkChange, fromElsewhere = false): void => {
    access.forget(change.sessionId);
    live.close(change.sessionId, change.code, change.reason, change.roles);
    if (change.deleted) rooms.evict(change.sessionId, change.code, change.reason);
    if (!fromElsewhere) fanout?.publishLinkChange(change);
  };
  fanout?.onLinkChange((change) => revoke(change, true));
  const routeCtx = { rooms, log, access, live, edge, revoke, versions, jobs, studio, readiness, metricsToken: opts.metricsToken };
  // The Next app (pages) starts on the first request that needs it, not at start-up: loading and
  // preparing Next holds ~60 MB that a server nobody has opened a page on does not need (the
  // embedded default idles under 200 MB; bench:memory). Dev mode starts it at once (its file
  // watchers and HMR socket). A production build must exist either way: checked at start-up.
  const nextWanted = opts.next !== false;
  let nextApp: NextHandle | null = null;
  let nextStarting: Promise<NextHandle> | null = null;
  const ensureNext = (): Promise<NextHandle> =>
    (nextStarting ??= import('./next-handler')
      .then(({ startNext }) => startNext({ dev: !!opts.dev, port }))
      .then(
        (app) => (nextApp = app),
        (err) => {
          nextStarting = null; // the next page request tries again
          throw err;
        },
      ));

  const server = http.createServer((req, res) => {
    setSecurityHeaders(res);
    if (crossOriginWrite(req, edge))
      return sendError(
        res,
        403,
        `cross-origin request refused: ${req.headers.origin} is not an allowed origin (see PUBLIC_URL / TUTTI_ALLOWED_ORIGINS)`,
        'cross_origin',
      );
    handleRoute(req, res, routeCtx, !nextWanted)
      .then(async (handled) => {
        if (!handled && nextWanted) {
          const app = nextApp ?? (await ensureNext());
          preparePage(req, res, edge);
          return app.handle(req, res);
        }
      })
      .catch((err) => {
        log('[http] request failed', err);
        if (!res.headersSent) res.writeHead(500).end();
      });
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/sync\/([^/]*)\/?$/.exec(pathname);
    if (m && draining) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 1\r\n\r\n');
      return;
    }
    if (m) {
      // A foreign page must not open a session's socket: refused before any websocket exists.
      if (!originAllowed(req, edge)) {
        socket.end(
          `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\ncross-origin websocket refused: ${String(req.headers.origin).slice(0, 200)} is not an allowed origin\r\n`,
        );
        return;
      }
      void authorizeUpgrade(req, socket, head, m[1]!);
    } else if (nextWanted) {
      // e.g. Next's dev-mode HMR socket
      ensureNext().then(
        (app) => app.upgrade(req, socket, head),
        () => socket.destroy(),
      );
    } else {
      socket.destroy();
    }
  });

  /** The link token (?token=) decides the role before the socket is accepted; a refusal is a 44xx close with a reason. */
  async function authorizeUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, id: string): Promise<void> {
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined;
    const generation = live.generation(id);
    let granted: Awaited<ReturnType<SessionAccess['check']>> | { kind: 'unavailable' };
    try {
      granted = isSessionId(id) ? await access.check(id, token) : { kind: 'unknown' };
    } catch (err) {
      log(`[sync] ${id}: could not check the link token`, err);
      // A database hiccup is not a verdict on the token: the client must retry, not give up.
      granted = { kind: 'unavailable' };
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!isSessionId(id)) return ws.close(CLOSE.unknownSession, 'invalid session id');
      if (granted.kind === 'unavailable') return ws.close(CLOSE.tryAgainLater, 'could not check the link token; try again');
      if (granted.kind === 'unknown') return ws.close(CLOSE.unknownSession, `unknown session ${id}`);
      if (granted.kind === 'denied') return ws.close(CLOSE.unauthorized, granted.reason);
      const forget = live.add(id, granted.role, (code, reason) => ws.close(code, reason));
      ws.once('close', forget);
      // A rotation or deletion while the token was being checked: check it again.
      if (live.generation(id) !== generation && !granted.legacy)
        void access.check(id, token).then(
          (again) =>
            again.kind !== 'granted' &&
            ws.close(
              again.kind === 'unknown' ? CLOSE.sessionDeleted : CLOSE.unauthorized,
              again.kind === 'denied' ? again.reason : 'the session was deleted by its owner',
            ),
          () => ws.close(CLOSE.tryAgainLater, 'could not check the link token; try again'),
        );
      handleConnection(ws, id, rooms, {
        readOnly: granted.role === 'view',
        maxMessageBytes,
        pingIntervalMs: opts.pingIntervalMs ?? 30_000,
        log,
        maxMessagesPerSecond: opts.maxMessagesPerSecond ?? LIMIT_DEFAULTS.maxMessagesPerSecond,
        roomApplyMsPerSecond: opts.roomApplyMsPerSecond ?? LIMIT_DEFAULTS.roomApplyMsPerSecond,
        messageBurst: opts.messageBurst ?? LIMIT_DEFAULTS.messageBurst,
        maxConnectionsPerRoom: opts.maxConnectionsPerRoom ?? LIMIT_DEFAULTS.maxConnectionsPerRoom,
        sendBufferBytes: opts.sendBufferBytes ?? LIMIT_DEFAULTS.sendBufferBytes,
        sendBufferGraceMs: opts.sendBufferGraceMs ?? LIMIT_DEFAULTS.sendBufferGraceMs,
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 3000, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  if (nextWanted) {
    try {
      if (opts.dev || opts.nextEager) await ensureNext();
      else if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID')))
        throw new Error('no production build of the web app in .next: run `npm run build` (npm start does it for you), or start with --no-next');
    } catch (err) {
      server.close();
      await jobs.close();
      await studio.close();
      await rooms.closeAll();
      await fanout?.close();
      await db.close();
      throw err;
    }
  }

  let closing: Promise<void> | null = null;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    rooms,
    db,
    jobs,
    studio,
    access,
    live,
    fanout,
    close() {
      closing ??= (async () => {
        draining = true;
        server.close();
        for (const ws of wss.clients) ws.close(CLOSE.goingAway, 'server shutting down');
        wss.close();
        await jobs.close();
        await studio.close();
        // The explain worker is started on first use; stop it so a drained process exits promptly.
        await closeExplainWorker();
        await rooms.closeAll();
        await folds.close(); // after the rooms' last compactions
        versions.close();
        await fanout?.close();
        await nextStarting?.then((app) => app.close()).catch(() => {});
        await db.close();
        server.closeAllConnections();
        collectFrom(null);
      })();
      return closing;
    },
  };
}
