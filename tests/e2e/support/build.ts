// E2E runs against the production Next build. Build once when .next is missing or older than any
// source the browser bundle depends on; a file lock keeps concurrent e2e files (and other
// helpers' suites) from building at the same time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const LOCK = '/tmp/tutti-next-build.lock';
const SOURCES = ['app', 'lib', 'public', 'next.config.js', 'package.json'];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of fs.readdirSync(p)) if (e !== 'node_modules' && !e.startsWith('.')) m = Math.max(m, newestMtime(path.join(p, e)));
  return m;
}

export function buildIsFresh(): boolean {
  const id = path.join(ROOT, '.next', 'BUILD_ID');
  if (!fs.existsSync(id)) return false;
  const built = fs.statSync(id).mtimeMs;
  return SOURCES.every((s) => newestMtime(path.join(ROOT, s)) <= built);
}

export function ensureNextBuild(): void {
  if (buildIsFresh()) return;
  // flock(1) serialises builds across processes; re-check freshness once we hold the lock.
  execFileSync(
    'flock',
    [LOCK, 'sh', '-c', `cd "${ROOT}" && if [ -f .next/BUILD_ID ] && [ "$(find app lib public next.config.js package.json -newer .next/BUILD_ID 2>/dev/null | head -1)" = "" ]; then echo "next build is fresh"; else npx next build; fi`],
    { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, timeout: 600_000 },
  );
}
