// Compiles the server (server/main.ts and everything it imports from server/, lib/, models/) into
// plain-JS modules, .server-build/build-<time>-<pid>/main.mjs (+ chunks), so `npm start` runs without a TypeScript loader:
// tsx's ESM hooks run in a loader thread of their own (a second V8 isolate) that holds ~35 MB for
// the life of the process (bench:memory). Packages in node_modules stay external (loaded as usual).
//
// Source files find things next to themselves through import.meta.url / import.meta.dirname
// (migrations, the PGlite host, model weights, worker entries, the Next app's directory). In one
// bundle those would all point at the bundle, so each file's import.meta is rewritten to the URL of
// its source file, expressed relative to the bundle (the checkout can move; the paths follow).
// Worker threads (AI jobs, the explain worker) still load their TypeScript entries through tsx
// (server/jobs/worker-boot.mjs): they start on first use, not at rest.
//
// `node scripts/build-server.mjs` builds; `--if-stale` builds only when a source is newer than
// the last build (scripts/start.mjs). Plain JS so it runs before any build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Each build goes to a directory of its own, and current.json (replaced atomically) names the
// newest: a server starting while another start rebuilds never reads a half-written bundle, and a
// running server's lazily loaded chunks (the Next host, queue mode) stay where it expects them.
export const OUT_DIR = path.join(root, '.server-build');
const CURRENT = path.join(OUT_DIR, 'current.json');
/** Builds older than this are removed (the newest few are always kept). */
const KEEP_MS = 24 * 3600_000;
const KEEP_NEWEST = 3;

/** The entry of the newest build, or null. */
export function currentBuild() {
  try {
    const { dir } = JSON.parse(fs.readFileSync(CURRENT, 'utf8'));
    const file = path.join(OUT_DIR, dir, 'main.mjs');
    return fs.existsSync(file) ? file : null;
  } catch {
    return null;
  }
}
/** What the bundle is made of: any change here makes it stale. */
const SOURCES = ['server', 'lib', 'models', 'tsconfig.json', 'package-lock.json', 'scripts/build-server.mjs'];

function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its directory's mtime
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    if (e.isDirectory() || /\.(ts|mts|mjs|js|json|prisma)$/.test(e.name)) newest = Math.max(newest, newestMtime(path.join(p, e.name)));
  }
  return newest;
}

/** True when there is no build, or a source changed since it was made. */
export function serverBuildStale() {
  if (!currentBuild()) return true;
  const sources = Math.max(...SOURCES.map((p) => newestMtime(path.join(root, p))));
  return sources > fs.statSync(CURRENT).mtimeMs;
}

/** Rewrites one source file's import.meta.url / import.meta.dirname to its own location. */
const importMetaPlugin = {
  name: 'source-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mts|tsx)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      let text = await fs.promises.readFile(args.path, 'utf8');
      if (text.includes('import.meta.')) {
        const rel = path.relative(build.initialOptions.outdir, args.path).split(path.sep).join('/');
        const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
        text = text
          .replaceAll('import.meta.url', `(${url})`)
          .replaceAll('import.meta.dirname', `__tuttiDirname(${url})`)
          .replaceAll('import.meta.filename', `__tuttiFilename(${url})`);
      }
      return { contents: text, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
    });
  },
};

export async function buildServer() {
  const esbuild = await import('esbuild');
  const t0 = Date.now();
  const dir = `build-${t0}-${process.pid}`;
  const outdir = path.join(OUT_DIR, dir);
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'server/main.ts' },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true, // dynamic imports (Next, BullMQ mode) stay separate chunks, loaded when used
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [importMetaPlugin],
    banner: {
      js: [
        "import { fileURLToPath as __tuttiFileURLToPath } from 'node:url';",
        "import { dirname as __tuttiPathDirname } from 'node:path';",
        'const __tuttiFilename = (u) => __tuttiFileURLToPath(u);',
        'const __tuttiDirname = (u) => __tuttiPathDirname(__tuttiFileURLToPath(u));',
      ].join('\n'),
    },
  });
  const tmp = `${CURRENT}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ dir, builtAt: new Date().toISOString(), ms: Date.now() - t0 }) + '\n');
  fs.renameSync(tmp, CURRENT);
  prune(dir);
  return { file: path.join(outdir, 'main.mjs'), ms: Date.now() - t0 };
}

function prune(keep) {
  const builds = fs
    .readdirSync(OUT_DIR)
    .filter((d) => d.startsWith('build-') && d !== keep)
    .map((d) => ({ d, t: Number(d.split('-')[1]) }))
    .sort((a, b) => b.t - a.t);
  for (const { d, t } of builds.slice(KEEP_NEWEST - 1)) if (Date.now() - t > KEEP_MS) fs.rmSync(path.join(OUT_DIR, d), { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !serverBuildStale()) process.exit(0);
  const { file, ms } = await buildServer();
  console.log(`[build] server compiled to ${path.relative(root, file)} in ${ms} ms`);
}
