// `npm start`: bring the service up from a fresh clone with no other step.
//   1. generate the Prisma client if it is missing or older than the schema
//   2. build the Next app if .next is missing or older than the sources
//   3. compile the server to plain JS if it is missing or older than its sources (build-server.mjs)
//   4. start the server (server/main.ts), which applies migrations and serves on PORT
// Flags after `npm start --` go to the server (e.g. --no-next). Plain JS so it runs before any build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const env = { ...process.env, CHECKPOINT_DISABLE: '1', NEXT_TELEMETRY_DISABLED: '1' };
const args = process.argv.slice(2);

function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, e.name)));
  }
  return newest;
}

function run(cmd, cmdArgs, what) {
  console.log(`[start] ${what}…`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[start] ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

const generated = path.join(root, 'server/db/generated/client.ts');
if (newestMtime(generated) < newestMtime(path.join(root, 'prisma/schema.prisma'))) {
  run(bin('prisma'), ['generate'], 'generating the Prisma client');
}

if (!args.includes('--no-next') && !args.includes('--dev')) {
  const buildId = path.join(root, '.next/BUILD_ID');
  const sources = ['app', 'lib', 'public', 'next.config.js', 'package-lock.json', 'tsconfig.json', 'tsconfig.next.json'].map((p) =>
    newestMtime(path.join(root, p)),
  );
  if (newestMtime(buildId) < Math.max(...sources)) run(bin('next'), ['build'], 'building the web app (first start or sources changed)');
}

// The server runs as compiled JS (scripts/build-server.mjs, rebuilt when a source changed): no
// TypeScript loader thread in the process (~35 MB at rest). `--dev`, or a build that fails, runs
// the TypeScript through tsx as before.
process.env.CHECKPOINT_DISABLE ??= '1';
let entry = null;
if (!args.includes('--dev')) {
  // In a child process, like the other build steps: esbuild keeps a service process alive beside
  // whoever imported it (~30 MB for the life of the server).
  const build = path.join(root, 'scripts/build-server.mjs');
  console.log('[start] compiling the server if its sources changed…');
  const r = spawnSync(process.execPath, [build, '--if-stale'], { cwd: root, env, stdio: 'inherit' });
  if (r.status === 0) entry = (await import('./build-server.mjs')).currentBuild();
  if (!entry) console.error(`[start] could not compile the server (exit ${r.status ?? r.signal}); running it through tsx`);
}
if (entry) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: path.join(root, 'tsconfig.json') });
  await import(path.join(root, 'server/main.ts'));
}
