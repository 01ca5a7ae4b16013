// Compiles the server (server/main.ts and everything it imports from server/, lib/, models/) into
// one plain-JS module, .server-build/main.mjs, so `npm start` runs without a TypeScript loader:
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
export const OUT_DIR = path.join(root, '.server-build');
export const OUT_FILE = path.join(OUT_DIR, 'main.mjs');
const STAMP = path.join(OUT_DIR, 'stamp.json');
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
  if (!fs.existsSync(OUT_FILE) || !fs.existsSync(STAMP)) return true;
  const sources = Math.max(...SOURCES.map((p) => newestMtime(path.join(root, p))));
  return sources > fs.statSync(STAMP).mtimeMs;
}

/** Rewrites one source file's import.meta.url / import.meta.dirname to its own location. */
const importMetaPlugin = {
  name: 'source-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mts|tsx)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      let text = await fs.promises.readFile(args.path, 'utf8');
      if (text.includes('import.meta.')) {
        const rel = path.relative(OUT_DIR, args.path).split(path.sep).join('/');
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
  fs.mkdirSync(OUT_DIR, { recursive: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'server/main.ts' },
    outdir: OUT_DIR,
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
  fs.writeFileSync(STAMP, JSON.stringify({ builtAt: new Date().toISOString(), ms: Date.now() - t0 }) + '\n');
  return Date.now() - t0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--if-stale') && !serverBuildStale()) process.exit(0);
  const ms = await buildServer();
  console.log(`[build] server compiled to ${path.relative(root, OUT_FILE)} in ${ms} ms`);
}
