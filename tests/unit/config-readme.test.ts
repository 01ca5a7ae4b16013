// One configuration (issue 14): README "Configuration" lists exactly the variables of
// server/config.ts's configSchema, and a bad value is refused with a message naming it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, readConfig } from '@/server/config';
import { resolveVersionsConfig } from '@/server/versions/config';
import { readModelsEnv } from '@/models/env';

/** The variable names in the first column of the README's Configuration table. */
function readmeVariables(): string[] {
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]!.split(/^## /m)[0]!;
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
}

describe('configuration', () => {
  it('README lists every variable of configSchema, and nothing else', () => {
    const inReadme = readmeVariables();
    expect(new Set(inReadme).size).toBe(inReadme.length);
    expect([...inReadme].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('defaults when nothing is set', () => {
    const c = readConfig({}, []);
    expect(c.port).toBe(3000);
    expect(c.testHooks).toBe(false);
    expect(resolveVersionsConfig({}, {})).toEqual({ afterMs: 120_000, minIntervalMs: 600_000, maxNamed: 500 });
  });

  it.each([
    ['PORT', '70000'],
    ['TUTTI_BACKEND', 'gpu'],
    ['TUTTI_JOB_WORKERS', 'many'],
    ['TUTTI_JOB_PRELOAD', 'gan,bert'],
    ['TUTTI_CHECKPOINT_AFTER_MS', '-5'],
    ['TUTTI_TEST_HOOKS', 'yes'],
  ])('a bad %s=%s is refused with a message naming it', (key, value) => {
    let err: unknown;
    try {
      readConfig({ [key]: value }, []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(key);
    expect((err as Error).message).toContain(JSON.stringify(value));
  });

  it('the models read their variables through the same schema', () => {
    expect(readModelsEnv({ TUTTI_BACKEND: 'wasm', TUTTI_JSB_DIR: '' })).toMatchObject({ TUTTI_BACKEND: 'wasm', TUTTI_JSB_DIR: undefined });
    expect(() => readModelsEnv({ TUTTI_BACKEND: 'gpu' })).toThrow(/TUTTI_BACKEND must be tensorflow, wasm or cpu \(got "gpu"\)/);
  });
});
