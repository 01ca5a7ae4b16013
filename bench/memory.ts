// `npm run bench:memory`: how much memory a Tutti server holds at rest, embedded (PGlite) and on
// PostgreSQL, with the stock @y/websocket-server measured in the same run as the peer.
//
// Each server runs as a child process. Its memory is that of its whole process tree (the server,
// its threads, and any child process it keeps): the sum of VmRSS, and the sum of PSS (shared
// pages such as the node binary split between the processes that map them). Two moments:
//   idle          — started, no session ever opened (settled SETTLE_MS, then the median of samples);
//   after session — one session created, a y-websocket client synced, added a note and left, the
//                   room unloaded (TUTTI_UNLOAD_DELAY_MS=200) and written; settled again.
// Embedded is measured on its first start (a new data directory: what a new user runs) and on a
// restart on that directory. Tutti runs the way `npm start` runs it: scripts/start.mjs (which
// compiles the server to plain JS and builds the Next app when stale) serving the Next app, which
// starts on the first page request; `--no-next` runs API + websocket only. For comparison,
// `embedded_tsx` runs the TypeScript sources through the tsx loader (`--import tsx server/main.ts`,
// as `npm run dev` and the tests do), and, with Next, `afterPage` is measured once a page was served.
// PostgreSQL: TUTTI_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test).
// Results: bench/results/memory.json with --write (else a temporary file, named on stderr).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnOnFreePort, spawnStock, type SpawnedServer } from './support/spawn-server';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { addNotes, readNotes, readTracks } from '@/lib/score';
import { writeResult } from '../models/cli/result-file';

const ROOT = path.resolve(import.meta.dirname, '..');
const PG_URL = process.env.TUTTI_BENCH_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/test';
const SETTLE_MS = Number(process.env.TUTTI_BENCH_SETTLE_MS ?? 10_000);
/** `npm start` serves the Next app; `--no-next` measures API + websocket only. (`--next`: the default, kept for old command lines.) */
const WITH_NEXT = !process.argv.includes('--no-next');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pid and every descendant process of it (threads are part of their process). */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

const kb = (text: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);

/** Memory of a process tree in MB: summed RSS and PSS, and how many processes. */
function treeMemory(pid: number): { rssMb: number; pssMb: number; processes: number } {
  let rss = 0;
  let pss = 0;
  const pids = tree(pid);
  for (const p of pids) {
    try {
      rss += kb(fs.readFileSync(`/proc/${p}/status`, 'utf8'), 'VmRSS');
      pss += kb(fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      // exited meanwhile
    }
  }
  return { rssMb: +(rss / 1024).toFixed(1), pssMb: +(pss / 1024).toFixed(1), processes: pids.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Settles, then samples for 3 s: the median of RSS and PSS (a GC in between moves a single sample). */
async function settledMemory(pid: number) {
  await sleep(SETTLE_MS);
  const samples: ReturnType<typeof treeMemory>[] = [];
  for (let i = 0; i < 7; i++) {
    samples.push(treeMemory(pid));
    await sleep(500);
  }
  return {
    rssMb: median(samples.map((s) => s.rssMb)),
    pssMb: median(samples.map((s) => s.pssMb)),
    processes: Math.max(...samples.map((s) => s.processes)),
    loadavg1: +os.loadavg()[0]!.toFixed(2),
  };
}

type Server = SpawnedServer & { name: string; port: number };

/** start.mjs may build the Next app first (minutes on a busy machine). */
const START_TIMEOUT_MS = 900_000;

async function startTutti(name: string, env: Record<string, string>, entry: 'npm start' | 'tsx' = 'npm start'): Promise<Server> {
  const args = [...(entry === 'tsx' ? ['--import', 'tsx', 'server/main.ts'] : ['scripts/start.mjs']), ...(WITH_NEXT ? [] : ['--no-next'])];
  const s = await spawnOnFreePort(name, args, {
    cwd: ROOT,
    env: { TUTTI_UNLOAD_DELAY_MS: '200', CHECKPOINT_DISABLE: '1', LOG_LEVEL: 'info', ...env },
    ready: /listening on/,
    timeoutMs: START_TIMEOUT_MS,
  });
  return { name, ...s };
}

const startStock = async (): Promise<Server> => ({ name: 'stock', ...(await spawnStock('stock', ROOT, START_TIMEOUT_MS)) });

/** One participant's visit: create the session (Tutti), sync, add a note, see it echoed by a second client, leave. */
async function visit(s: Server): Promise<void> {
  let room = `bench-${Math.random().toString(36).slice(2)}`;
  let params: Record<string, string> = {};
  if (s.name !== 'stock') {
    const res = await fetch(`http://127.0.0.1:${s.port}/api/sessions`, { method: 'POST' });
    const { id, editToken } = (await res.json()) as { id: string; editToken: string };
    room = id;
    params = { token: editToken };
  }
  const open = () => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`ws://127.0.0.1:${s.port}/sync`, room, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true, params });
    return { doc, provider };
  };
  const a = open();
  const b = open();
  const deadline = Date.now() + 30_000;
  while (!(a.provider.synced && b.provider.synced)) {
    if (Date.now() > deadline) throw new Error(`${s.name}: clients did not sync`);
    await sleep(20);
  }
  addNotes(a.doc, [{ trackId: (readTracks(a.doc)[0]?.id ?? 'bench') as never, pitch: 60, start: 0, duration: 480, velocity: 90 }]);
  while (readNotes(b.doc).length === 0) {
    if (Date.now() > deadline) throw new Error(`${s.name}: the note did not reach the second client`);
    await sleep(20);
  }
  for (const c of [a, b]) {
    c.provider.destroy();
    c.doc.destroy();
  }
}

/** Serves a page (the Next app starts on the first one) and checks it is one. */
async function page(s: Server): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${s.port}/`);
  const html = await res.text();
  if (res.status !== 200 || !html.includes('<html')) throw new Error(`${s.name}: GET / answered ${res.status}`);
}

async function measure(s: Server, withPage = false) {
  const idle = await settledMemory(s.child.pid!);
  await visit(s);
  const afterSession = await settledMemory(s.child.pid!);
  let afterPage: Awaited<ReturnType<typeof settledMemory>> | undefined;
  if (withPage) {
    await page(s);
    afterPage = await settledMemory(s.child.pid!);
  }
  console.error(
    `[bench] ${s.name}: idle RSS ${idle.rssMb} MB (PSS ${idle.pssMb}, ${idle.processes} process(es), load ${idle.loadavg1}); after a session RSS ${afterSession.rssMb} MB (PSS ${afterSession.pssMb}, load ${afterSession.loadavg1})${afterPage ? `; after a page RSS ${afterPage.rssMb} MB (PSS ${afterPage.pssMb}, load ${afterPage.loadavg1})` : ''}`,
  );
  return { idle, afterSession, ...(afterPage ? { afterPage } : {}) };
}

async function main() {
  const loadBefore = os.loadavg();
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-bench-memory-'));
  const schema = `tutti_bench_memory_${process.pid}`;
  const pgUrl = new URL(PG_URL);
  pgUrl.searchParams.set('schema', schema);
  try {
    // One server at a time: a neighbour's work must not show up in another's figures.
    const runs: [string, () => Promise<Server>][] = [
      ['stock', startStock],
      ['embedded_first_start', () => startTutti('embedded (first start)', { DATA_DIR: dataDir, DATABASE_URL: '' })],
      ['embedded_restart', () => startTutti('embedded (restart)', { DATA_DIR: dataDir, DATABASE_URL: '' })],
      ['postgres', () => startTutti('postgres', { DATA_DIR: dataDir, DATABASE_URL: pgUrl.toString() })],
      ['embedded_tsx', () => startTutti('embedded (restart, through tsx)', { DATA_DIR: dataDir, DATABASE_URL: '' }, 'tsx')],
    ];
    for (const [key, start] of runs) {
      const s = await start();
      try {
        results[key] = await measure(s, WITH_NEXT && key === 'embedded_first_start');
      } finally {
        await s.stop();
      }
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropSchema(schema).catch((err) => console.error(`[bench] could not drop schema ${schema}:`, err));
  }
  const r = (k: string) => results[k]!;
  const summary = {
    idle_rss_mb_embedded: r('embedded_first_start').idle.rssMb,
    idle_rss_mb_embedded_restart: r('embedded_restart').idle.rssMb,
    idle_rss_mb_embedded_after_session: r('embedded_first_start').afterSession.rssMb,
    idle_rss_mb_postgres: r('postgres').idle.rssMb,
    idle_rss_mb_postgres_after_session: r('postgres').afterSession.rssMb,
    stock_idle_rss_mb: r('stock').idle.rssMb,
    stock_idle_rss_mb_after_session: r('stock').afterSession.rssMb,
    idle_pss_mb_embedded: r('embedded_first_start').idle.pssMb,
    idle_pss_mb_postgres: r('postgres').idle.pssMb,
    stock_idle_pss_mb: r('stock').idle.pssMb,
    embedded_vs_stock_idle_rss: +(r('embedded_first_start').idle.rssMb / r('stock').idle.rssMb).toFixed(2),
    idle_rss_mb_embedded_tsx: r('embedded_tsx').idle.rssMb,
    idle_rss_mb_embedded_after_page: r('embedded_first_start').afterPage?.rssMb ?? null,
    entry: 'npm start (node scripts/start.mjs: compiled server, Next started on the first page request)',
    next: WITH_NEXT,
    settle_ms: SETTLE_MS,
    loadavg_before: loadBefore,
    loadavg_after: os.loadavg(),
  };
  const file = WITH_NEXT ? 'memory-next.json' : 'memory.json';
  writeResult(
    path.join(ROOT, 'bench/results', file),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, results, summary }, null, 2) + '\n',
  );
  console.log(JSON.stringify(summary));
}

async function dropSchema(schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
