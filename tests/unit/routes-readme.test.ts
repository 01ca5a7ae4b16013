// One router table (issue 14): README "HTTP API" lists every route of server/http/router.ts, with
// its summary, in the table's order — and the table's paths are unambiguous per method.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '@/server/http/router';
import { patternOf } from '@/server/http/route';

/** The README block for the table: what the test expects, printed when they differ. */
const routeLines = (): string[] => ROUTES.map((r) => `${r.method.padEnd(7)}${r.path.padEnd(48)} ${r.summary}`.trimEnd());

function readmeBlock(): string[] {
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.split(/^## HTTP API$/m)[1]!.split(/^## /m)[0]!;
  return section.split('```')[1]!.replace(/^text\n/, '').trim().split('\n');
}

describe('HTTP routes', () => {
  it('README "HTTP API" lists exactly the router table', () => {
    expect(readmeBlock(), `README "HTTP API" block should read:\n${routeLines().join('\n')}`).toEqual(routeLines());
  });

  it('no two routes of one method match the same path', () => {
    for (const a of ROUTES)
      for (const b of ROUTES) {
        if (a === b || a.method !== b.method) continue;
        const sample = a.path.replace(/<[a-zA-Z]+>/g, 'x1');
        expect(patternOf(b.path).test(sample), `${a.method} ${a.path} vs ${b.path}`).toBe(false);
      }
  });

  it('path parameters match one segment', () => {
    const m = patternOf('/api/sessions/<id>/versions/<versionId>').exec('/api/sessions/s1/versions/v2/');
    expect(m?.slice(1)).toEqual(['s1', 'v2']);
    expect(patternOf('/api/sessions/<id>').test('/api/sessions/a/b')).toBe(false);
  });
});
