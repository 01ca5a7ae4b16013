// When automatic checkpoints are taken (issue 16): a stretch of edits is checkpointed
// `afterMs` after its first unsaved edit, at most one automatic checkpoint per `minIntervalMs`,
// and always when the session unloads (the last person left). Tests shrink both to milliseconds.
export interface VersionsConfig {
  /** Time from the first unsaved edit to its checkpoint (default 2 minutes). */
  afterMs: number;
  /** Least time between two automatic checkpoints of a session (default 10 minutes). */
  minIntervalMs: number;
  /** Named versions one session may hold (a bound on storage; automatic ones are thinned). */
  maxNamed: number;
}

const int = (v: string | undefined): number | undefined => {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
};

export function resolveVersionsConfig(overrides: Partial<VersionsConfig> = {}, env: NodeJS.ProcessEnv = process.env): VersionsConfig {
  return {
    afterMs: int(env.TUTTI_CHECKPOINT_AFTER_MS) ?? 120_000,
    minIntervalMs: int(env.TUTTI_CHECKPOINT_INTERVAL_MS) ?? 600_000,
    maxNamed: int(env.TUTTI_MAX_NAMED_VERSIONS) || 500,
    ...overrides,
  };
}
