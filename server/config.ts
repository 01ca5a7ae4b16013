// Every environment variable Tutti reads, in one schema (`configSchema`), validated once at start:
// the server's own settings below, plus the parts declared next to their users and spread in —
// versions (server/versions/config.ts), jobs, and the models' backend and data paths
// (models/env.ts; models/ may not import server/). A bad value stops start-up with a message
// naming the variable (server/main.ts). README "Configuration" lists exactly these keys
// (tests/unit/config-readme.test.ts checks it).
import path from 'node:path';
import { z } from 'zod';
import { MAX_DOC_BYTES, MAX_NOTES, MAX_TRACKS } from '@/lib/score/limits';
import { describeIssues, modelsEnvSchema } from '@/models/env';
import { versionsEnvSchema } from './versions/config';
import { jobsEnvSchema } from './jobs/config'; // declared next to its user, like versions'

const int = (def: number) => z.coerce.number().int().positive().default(def);

const serverEnvSchema = {
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./data'),
  /** The model studio's files (uploaded MIDI, trained versions' weights and checkpoints); unset: <DATA_DIR>/models. */
  TUTTI_MODELS_DIR: z
    .string()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Scheduling niceness (0-19) of the model studio's training thread in the web process: trainings yield the cores to sessions. */
  TUTTI_STUDIO_NICE: z.coerce.number().int().min(0).max(19).default(10),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Scale-out: Redis for cross-instance fan-out (unset: single process, nothing changes). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Where browsers reach Tutti (https://tutti.example.org): copied links carry it, and only it may send writes. */
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+\/?$/, 'PUBLIC_URL must be an origin like https://tutti.example.org (no path)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** More origins (comma-separated) allowed to open the websocket and send state-changing requests. */
  TUTTI_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/?#\s]+$/, 'TUTTI_ALLOWED_ORIGINS entries must be origins like https://a.example'))),
  /** Largest websocket message accepted from a client (a full-document sync can be large). */
  TUTTI_MAX_MESSAGE_BYTES: int(8 * 1024 * 1024),
  /** Token bucket per connection: sustained messages per second, and the burst on top. */
  TUTTI_MAX_MESSAGES_PER_SECOND: int(300),
  /** Main-thread ms per second one session may spend applying its participants' messages (fairness between sessions). */
  TUTTI_ROOM_APPLY_MS_PER_SECOND: int(300),
  TUTTI_MESSAGE_BURST: int(1500),
  TUTTI_MAX_CONNECTIONS_PER_ROOM: int(2000),
  /** Per session: stored document size, notes and tracks (defaults: lib/score/limits.ts); an update past them is refused. */
  TUTTI_MAX_DOC_BYTES: int(MAX_DOC_BYTES),
  TUTTI_MAX_NOTES: int(MAX_NOTES),
  TUTTI_MAX_TRACKS: int(MAX_TRACKS),
  /** `off` only to measure the schema guard's cost (bench:sync); never in production. */
  TUTTI_SCHEMA_GUARD: z.enum(['on', 'off']).default('on'),
  TUTTI_BATCH_MS: int(250),
  TUTTI_COMPACT_EVERY: int(200),
  TUTTI_UNLOAD_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  /** Fan-out (server/sync/fanout.ts): longest a room waits to merge its changes into one frame. */
  TUTTI_FANOUT_MAX_TICK_MS: int(80),
  /** Backpressure: a socket holding more unsent bytes than this for TUTTI_SEND_BUFFER_GRACE_MS is closed (1013). */
  TUTTI_SEND_BUFFER_BYTES: int(8 * 1024 * 1024),
  TUTTI_SEND_BUFFER_GRACE_MS: int(10_000),
  /** When set (16+ characters), /metrics on web instances and workers answers only `Authorization: Bearer <token>`. */
  TUTTI_METRICS_TOKEN: z
    .string()
    .min(16, 'TUTTI_METRICS_TOKEN must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `production` (npm start) warms the AI workers at start; `development` is dev mode (as --dev). */
  NODE_ENV: z.string().optional(),
  /** `1`: the app installs window.__tutti for the e2e tests and benches (app/test-hooks.ts); never in production. */
  TUTTI_TEST_HOOKS: z.enum(['0', '1'], { message: 'TUTTI_TEST_HOOKS must be 0 or 1' }).optional(),
};

/** Every variable: server, versions, jobs, models. The README table is checked against its keys. */
export const configSchema = z.object({ ...serverEnvSchema, ...versionsEnvSchema, ...jobsEnvSchema, ...modelsEnvSchema });

export interface ServerConfig {
  port: number;
  publicUrl?: string;
  allowedOrigins: string[];
  host: string;
  dataDir: string;
  /** The model studio's files: TUTTI_MODELS_DIR, else <dataDir>/models. */
  modelsDir: string;
  /** Niceness of the studio's training thread (TUTTI_STUDIO_NICE). */
  studioNice: number;
  databaseUrl?: string;
  redisUrl?: string;
  maxMessageBytes: number;
  maxMessagesPerSecond: number;
  roomApplyMsPerSecond: number;
  messageBurst: number;
  maxConnectionsPerRoom: number;
  maxDocBytes: number;
  maxNotes: number;
  maxTracks: number;
  schemaGuard: boolean;
  batchMs: number;
  compactEvery: number;
  unloadDelayMs: number;
  fanoutMaxTickMs: number;
  sendBufferBytes: number;
  sendBufferGraceMs: number;
  /** Bearer token /metrics asks for (TUTTI_METRICS_TOKEN); unset: open. */
  metricsToken?: string;
  logLevel: string;
  dev: boolean;
  testHooks: boolean;
}

/** A variable with a bad value; its message names each one (server/main.ts prints it and exits 1). */
export class ConfigError extends Error {
  name = 'ConfigError';
}

export function readConfig(env: Record<string, string | undefined> = process.env, argv: string[] = process.argv): ServerConfig {
  const r = configSchema.safeParse(env);
  if (!r.success) throw new ConfigError(`invalid configuration: ${describeIssues(r.error, env)}`);
  const e = r.data;
  return {
    port: e.PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    allowedOrigins: e.TUTTI_ALLOWED_ORIGINS,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    modelsDir: path.resolve(e.TUTTI_MODELS_DIR ?? path.join(e.DATA_DIR, 'models')),
    studioNice: e.TUTTI_STUDIO_NICE,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    maxMessageBytes: e.TUTTI_MAX_MESSAGE_BYTES,
    maxMessagesPerSecond: e.TUTTI_MAX_MESSAGES_PER_SECOND,
    roomApplyMsPerSecond: e.TUTTI_ROOM_APPLY_MS_PER_SECOND,
    messageBurst: e.TUTTI_MESSAGE_BURST,
    maxConnectionsPerRoom: e.TUTTI_MAX_CONNECTIONS_PER_ROOM,
    maxDocBytes: e.TUTTI_MAX_DOC_BYTES,
    maxNotes: e.TUTTI_MAX_NOTES,
    maxTracks: e.TUTTI_MAX_TRACKS,
    schemaGuard: e.TUTTI_SCHEMA_GUARD === 'on',
    batchMs: e.TUTTI_BATCH_MS,
    compactEvery: e.TUTTI_COMPACT_EVERY,
    unloadDelayMs: e.TUTTI_UNLOAD_DELAY_MS,
    fanoutMaxTickMs: e.TUTTI_FANOUT_MAX_TICK_MS,
    sendBufferBytes: e.TUTTI_SEND_BUFFER_BYTES,
    sendBufferGraceMs: e.TUTTI_SEND_BUFFER_GRACE_MS,
    metricsToken: e.TUTTI_METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    dev: argv.includes('--dev') || e.NODE_ENV === 'development',
    testHooks: e.TUTTI_TEST_HOOKS === '1',
  };
}
