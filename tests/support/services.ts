// vitest globalSetup of the integration project: finds or starts the PostgreSQL and Redis servers
// the suites talk to, so `npm test` passes on a machine that runs neither. For each service:
//   1. TUTTI_TEST_PG_URL / TUTTI_TEST_REDIS_URL set → that server, which must answer (CI, or a
//      developer's own server); unreachable fails the run, it never falls back silently;
//   2. else the usual local server (postgresql://postgres@127.0.0.1:5432/test,
//      redis://127.0.0.1:6379) when it answers, as on CI and the shared dev machine;
//   3. else a throwaway server on a free port in a temporary directory, stopped afterwards.
// TUTTI_TEST_SERVICES=throwaway skips step 2 (a run isolated from the local servers).
// The chosen URLs go to the test workers through the same variables (read by tests/helpers and
// tests/integration/sync-helpers), and through provide() for tests that prefer inject().
// Redis keeps its own variable, not REDIS_URL: test servers inherit the test process's
// environment, and REDIS_URL there would turn every server of every suite into a scale-out one.
import type { TestProject } from 'vitest/node';
import { oneLine } from './one-line-error';
import { pgReachable, redisReachable } from './probe';
import { startThrowawayPostgres, startThrowawayRedis, type Throwaway } from './throwaway';

export const LOCAL_PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    redisUrl: string;
  }
}

interface Service {
  name: string;
  envVar: 'TUTTI_TEST_PG_URL' | 'TUTTI_TEST_REDIS_URL';
  local: string;
  reachable(url: string): Promise<string | null>;
  start(): Promise<Throwaway>;
}

const SERVICES: Service[] = [
  { name: 'PostgreSQL', envVar: 'TUTTI_TEST_PG_URL', local: LOCAL_PG_URL, reachable: pgReachable, start: startThrowawayPostgres },
  { name: 'Redis', envVar: 'TUTTI_TEST_REDIS_URL', local: LOCAL_REDIS_URL, reachable: redisReachable, start: startThrowawayRedis },
];

async function resolveService(s: Service, mode: string): Promise<{ url: string; stop?: () => Promise<void> }> {
  const given = process.env[s.envVar];
  if (given) {
    const problem = await s.reachable(given);
    if (problem)
      throw oneLine(`${s.name}: ${s.envVar}=${given} is unreachable (${problem}); start that server, or unset ${s.envVar} to let the tests find or start one.`);
    return { url: given };
  }
  if (mode !== 'throwaway') {
    const problem = await s.reachable(s.local);
    if (!problem) return { url: s.local };
  }
  const t = await s.start(); // throws a one-line "install …" error when it cannot
  return { url: t.url, stop: t.stop };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mode = process.env.TUTTI_TEST_SERVICES ?? 'auto';
  if (mode !== 'auto' && mode !== 'throwaway') throw oneLine(`TUTTI_TEST_SERVICES must be auto or throwaway, not ${mode}`);
  const stops: Array<() => Promise<void>> = [];
  const urls: string[] = [];
  const teardown = async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
  };
  try {
    for (const s of SERVICES) {
      const { url, stop } = await resolveService(s, mode);
      if (stop) stops.push(stop);
      process.env[s.envVar] = url;
      urls.push(url);
      console.log(`[services] ${s.name}: ${url}${stop ? ' (throwaway, stopped after the run)' : ''}`);
    }
  } catch (err) {
    await teardown();
    throw err;
  }
  const [pgUrl, redisUrl] = urls; // SERVICES order
  project.provide('pgUrl', pgUrl);
  project.provide('redisUrl', redisUrl);
  return teardown;
}
