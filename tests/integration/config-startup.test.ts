// A bad configuration value stops start-up with one line naming the variable (issue 14): the real
// entry point (server/main.ts) exits 1 before it opens a database or a port.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

it('exits 1 naming every bad variable', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts'), '--no-next'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', TUTTI_BACKEND: 'gpu', TUTTI_JOB_RATE_LIMIT: 'lots', DATABASE_URL: 'mysql://x' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^tutti: invalid configuration: /);
  for (const s of ['TUTTI_BACKEND', '"gpu"', 'TUTTI_JOB_RATE_LIMIT', '"lots"', 'DATABASE_URL must start with postgresql://']) expect(lines[0]).toContain(s);
  expect(r.stdout).not.toMatch(/listening/);
});
