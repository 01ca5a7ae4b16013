// When automatic checkpoints are taken (issue 16): a stretch of edits is checkpointed
// `afterMs` after its first unsaved edit, at most one automatic checkpoint per `minIntervalMs`,
// and always when the session unloads (the last person left). Tests shrink both to milliseconds.
// The variables are declared here, next to their use; server/config.ts lists them with all others.
import { z } from 'zod';
import { describeIssues } from '@/models/env';

export interface VersionsConfig {
  /** Time from the first unsaved edit to its checkpoint (default 2 minutes). */
  afterMs: number;
  /** Least time between two automatic checkpoints of a session (default 10 minutes). */
  minIntervalMs: number;
  /** Named versions one session may hold (a bound on storage; automatic ones are thinned). */
  maxNamed: number;
}

export const versionsEnvSchema = {
  TUTTI_CHECKPOINT_AFTER_MS: z.coerce.number().int().min(0).default(120_000),
  TUTTI_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(0).default(600_000),
  TUTTI_MAX_NAMED_VERSIONS: z.coerce.number().int().positive().default(500),
};

export function resolveVersionsConfig(overrides: Partial<VersionsConfig> = {}, env: Record<string, string | undefined> = process.env): VersionsConfig {
  const r = z.object(versionsEnvSchema).safeParse(env);
  if (!r.success) throw new Error(`invalid configuration: ${describeIssues(r.error, env)}`);
  return {
    afterMs: r.data.TUTTI_CHECKPOINT_AFTER_MS,
    minIntervalMs: r.data.TUTTI_CHECKPOINT_INTERVAL_MS,
    maxNamed: r.data.TUTTI_MAX_NAMED_VERSIONS,
    ...overrides,
  };
}
