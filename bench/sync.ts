// `npm run bench:sync`: how fast an edit reaches the other people in a session, how the server
// copes with many rooms, and how long a big session takes to open — with the stock
// @y/websocket-server measured in the same run as the baseline.
//
// Latency: in each room one writer (a real y-websocket WebsocketProvider on a Y.Doc, adding one
// note per edit through lib/score) edits while the others are protocol-level receivers: they do
// the y-websocket handshake and timestamp each incoming sync-update frame without applying it,
// so the figure is the server's edit→peer delivery, not this process's Yjs work. One edit is in
// flight per room; a sample is (peer receipt time − edit time) for every peer and edit.
// Cold load: a 10,000-note session persisted and unloaded; time from a new client connecting to
// its first completed sync (database → first sync, including the client applying the state),
// median of several runs; separately, the server's part: connect → full state received.
// The servers run as child processes; this process only hosts the clients.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnOnFreePort, spawnStock, type SpawnedServer } from './support/spawn-server';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import { addNotes, readNotes, readTracks } from '@/lib/score';
import { writeResult } from '../models/cli/result-file';

const ROOT = path.resolve(import.meta.dirname, '..');
/** TUTTI_BENCH_DATABASE_URL=postgresql://… runs Tutti on PostgreSQL instead of the embedded database. */
const BENCH_DB = process.env.TUTTI_BENCH_DATABASE_URL || undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

interface ServerProc {
  name: string;
  wsUrl: string;
  httpUrl: string;
  child: ChildProcess;
  rssMb(): number;
  stop(): Promise<void>;
}


function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** A process's CPU time (user + system) in ms, from /proc (clock ticks of 1/100 s). */
function cpuOf(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/**
 * Tutti's own view of the fan-out (its /metrics histogram): from the first change of a tick being
 * applied to the frame written to every socket. Set against the probe's figure, it tells the
 * server's share of the latency from the clients' share (the probe's own CPU on the same cores).
 */
async function fanoutView(s: ServerProc): Promise<{ count: number; sumS: number; within100ms: number }> {
  const text = await (await fetch(`${s.httpUrl}/metrics`)).text();
  const read = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
  return {
    count: read(/^tutti_fanout_latency_seconds_count (\S+)$/m),
    sumS: read(/^tutti_fanout_latency_seconds_sum (\S+)$/m),
    within100ms: read(/^tutti_fanout_latency_seconds_bucket\{le="0.1"\} (\S+)$/m),
  };
}

const asServerProc = (name: string, s: SpawnedServer & { port: number }): ServerProc => ({
  name,
  wsUrl: `ws://127.0.0.1:${s.port}/sync`,
  httpUrl: `http://127.0.0.1:${s.port}`,
  rssMb: () => rssOf(s.child.pid!),
  ...s,
});

async function startTutti(dataDir: string, env: Record<string, string> = {}): Promise<ServerProc> {
  // TUTTI_BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (--cpu-prof).
  const prof = process.env.TUTTI_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.TUTTI_BENCH_CPU_PROF)}`] : [];
  const s = await spawnOnFreePort('tutti', [...prof, '--import', 'tsx', 'server/main.ts', '--no-next'], {
    cwd: ROOT,
    env: { DATA_DIR: dataDir, DATABASE_URL: BENCH_DB ?? '', TUTTI_UNLOAD_DELAY_MS: '200', ...env },
    ready: /listening on/,
    timeoutMs: 120_000,
  });
  return asServerProc('tutti', s);
}

const startBaseline = async (): Promise<ServerProc> => asServerProc('@y/websocket-server', await spawnStock('@y/websocket-server', ROOT, 120_000));

/** Edit tokens of the sessions made here (Tutti refuses a websocket without one: 4401). */
const tokens = new Map<string, string>();
/** The websocket URL parameters for a room: its edit token on Tutti, nothing on the stock server. */
const params = (room: string): Record<string, string> => (tokens.has(room) ? { token: tokens.get(room)! } : {});
const withToken = (url: string, room: string): string => (tokens.has(room) ? `${url}?token=${tokens.get(room)}` : url);

async function newSession(s: ServerProc): Promise<string> {
  if (s.name !== 'tutti') return `bench-${Math.random().toString(36).slice(2)}`; // the stock server makes rooms on demand
  const res = await fetch(`${s.httpUrl}/api/sessions`, { method: 'POST' });
  const { id, editToken } = (await res.json()) as { id: string; editToken: string };
  tokens.set(id, editToken);
  return id;
}

/** A receiver: handshake like y-websocket, then timestamp every sync-update frame. */
class Receiver {
  ws: WebSocket;
  onUpdate: ((t: number) => void) | null = null;
  open: Promise<void>;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'nodebuffer';
    this.open = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        const e = encoding.createEncoder();
        encoding.writeVarUint(e, 0); // sync
        encoding.writeVarUint(e, 0); // step 1
        encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
        this.ws.send(encoding.toUint8Array(e));
        resolve();
      });
      this.ws.once('error', reject);
    });
    this.ws.on('message', (d: Buffer) => {
      if (d[0] === 0 && d[1] === 2) this.onUpdate?.(now());
    });
  }
  close() {
    this.ws.terminate();
  }
}

class Writer {
  doc = new Y.Doc();
  provider: WebsocketProvider;
  trackId = '';
  i = 0;
  constructor(wsUrl: string, room: string) {
    this.provider = new WebsocketProvider(wsUrl, room, this.doc, { WebSocketPolyfill: WebSocket as never, disableBc: true, params: params(room) });
  }
  async ready() {
    while (!this.provider.synced) await sleep(10);
    this.trackId = readTracks(this.doc)[0]?.id ?? 'bench';
  }
  edit() {
    const i = this.i++;
    addNotes(this.doc, [{ trackId: this.trackId as never, pitch: 36 + (i % 48), start: i * 120, duration: 120, velocity: 90 }]);
  }
  close() {
    this.provider.destroy();
    this.doc.destroy();
  }
}

/** One room: a writer and `peers` receivers. run(edits) returns latency samples in ms. */
async function openRoom(s: ServerProc, peers: number) {
  const id = await newSession(s);
  const writer = new Writer(s.wsUrl, id);
  const receivers = Array.from({ length: peers }, () => new Receiver(withToken(`${s.wsUrl}/${id}`, id)));
  await Promise.all(receivers.map((r) => r.open));
  await writer.ready();
  await sleep(100);
  return {
    async run(edits: number, warmup: number, gapMs: number, samples: number[]) {
      for (let k = 0; k < edits + warmup; k++) {
        let got = 0;
        let t0 = 0;
        const done = new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000); // a lost update shows up as a missing sample
          for (const r of receivers)
            r.onUpdate = (t) => {
              r.onUpdate = null;
              if (k >= warmup) samples.push(t - t0);
              if (++got === receivers.length) {
                clearTimeout(timer);
                resolve();
              }
            };
        });
        t0 = now();
        writer.edit();
        await done;
        if (got < receivers.length) throw new Error(`${receivers.length - got} peers never received edit ${k}`);
        await sleep(gapMs);
      }
    },
    close() {
      writer.close();
      for (const r of receivers) r.close();
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2) : NaN;
};

async function latency(s: ServerProc, clients: number, edits: number) {
  const room = await openRoom(s, clients - 1);
  const samples: number[] = [];
  await room.run(edits, 10, 5, samples);
  room.close();
  await sleep(300);
  return { p50: pct(samples, 50), p99: pct(samples, 99), samples: samples.length };
}

async function manyRooms(s: ServerProc, rooms: number, perRoom: number, edits: number) {
  const idleRss = s.rssMb(); // before the rooms open: the process (and, for Tutti, its embedded database) at rest
  const rs = [];
  for (let i = 0; i < rooms; i += 10) rs.push(...(await Promise.all(Array.from({ length: Math.min(10, rooms - i) }, () => openRoom(s, perRoom - 1)))));
  const samples: number[] = [];
  let peakRss = s.rssMb();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, s.rssMb())), 100);
  // Every room edits at once (each its own sequence, ~20 edits/s per room).
  await Promise.all(
    rs.map(async (r, i) => {
      await sleep((i * 7) % 50);
      await r.run(edits, 3, 50, samples);
    }),
  );
  clearInterval(sampler);
  const rss = s.rssMb();
  peakRss = Math.max(peakRss, rss);
  for (const r of rs) r.close();
  await sleep(500);
  return {
    p50: pct(samples, 50),
    p99: pct(samples, 99),
    samples: samples.length,
    idleRssMb: +idleRss.toFixed(1),
    rssMb: +rss.toFixed(1),
    peakRssMb: +peakRss.toFixed(1),
  };
}

async function coldLoad(s: ServerProc, notes: number, runs: number) {
  const id = await newSession(s);
  const w = new Writer(s.wsUrl, id);
  await w.ready();
  for (let i = 0; i < notes; i += 500)
    addNotes(
      w.doc,
      Array.from({ length: Math.min(500, notes - i) }, (_, j) => ({
        trackId: w.trackId as never,
        pitch: 36 + ((i + j) % 48),
        start: (i + j) * 120,
        duration: 120,
        velocity: 1 + ((i + j) % 127),
      })),
    );
  const info = async () =>
    (await (await fetch(`${s.httpUrl}/api/sessions/${id}`, { headers: { authorization: `Bearer ${tokens.get(id)}` } })).json()) as {
      participants: number;
      storedBytes: number;
    };
  w.close();
  const times: number[] = [];
  const serverTimes: number[] = [];
  // Wait until the room has unloaded (persisted and compacted) so the load comes from the database.
  const waitUnloaded = async () => {
    await sleep(400);
    for (let t = 0; t < 100 && (await info()).participants > 0; t++) await sleep(100);
    await sleep(600);
  };
  for (let r = 0; r < runs; r++) {
    // The server's share: connect → the full state (sync step 2) has arrived, before any client work.
    await waitUnloaded();
    const raw = new Receiver(withToken(`${s.wsUrl}/${id}`, id));
    const t1 = now();
    await new Promise<void>((resolve) => raw.ws.on('message', (d: Buffer) => d[0] === 0 && d[1] === 1 && resolve()));
    serverTimes.push(now() - t1);
    raw.close();
    await waitUnloaded();
    const doc = new Y.Doc();
    const t0 = now();
    const p = new WebsocketProvider(s.wsUrl, id, doc, { WebSocketPolyfill: WebSocket as never, disableBc: true, params: params(id) });
    while (!p.synced) await sleep(1);
    times.push(now() - t0);
    const n = readNotes(doc).length;
    if (n !== notes) throw new Error(`cold load saw ${n} notes, expected ${notes}`);
    p.destroy();
    doc.destroy();
  }
  await sleep(1500);
  const stored = (await info()).storedBytes;
  return {
    medianMs: pct(times, 50),
    runs: times.map((t) => +t.toFixed(1)),
    serverMedianMs: pct(serverTimes, 50),
    serverRuns: serverTimes.map((t) => +t.toFixed(1)),
    storedBytes: stored,
  };
}

/**
 * `--guard`: only the schema guard's cost — 200 clients in a room on Tutti with the guard and on a
 * second Tutti with TUTTI_SCHEMA_GUARD=off, interleaved `rounds` times so background load hits both.
 */
async function guardCost(rounds: number, edits: number) {
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-bench-')));
  const guarded = await startTutti(dirs[0]!);
  const unguarded = await startTutti(dirs[1]!, { TUTTI_SCHEMA_GUARD: 'off' });
  const p99 = { guarded: [] as number[], unguarded: [] as number[] };
  // Server CPU time (user + system) per run: far less sensitive to other load on the machine than latency.
  const cpuMs = { guarded: [] as number[], unguarded: [] as number[] };
  try {
    for (let r = 0; r < rounds; r++)
      for (const [key, s] of (r % 2
        ? [
            ['unguarded', unguarded],
            ['guarded', guarded],
          ]
        : [
            ['guarded', guarded],
            ['unguarded', unguarded],
          ]) as ['guarded' | 'unguarded', ServerProc][]) {
        const cpu0 = cpuOf(s.child.pid!);
        const res = await latency(s, 200, edits);
        const cpu = cpuOf(s.child.pid!) - cpu0;
        console.error(`[bench] ${key} 200 clients, round ${r + 1}: p50 ${res.p50} ms, p99 ${res.p99} ms (${res.samples} samples), server CPU ${cpu} ms`);
        p99[key].push(res.p99);
        cpuMs[key].push(cpu);
      }
  } finally {
    await guarded.stop();
    await unguarded.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
  // A true median (mean of the middle two for an even count), and the median of each round's own
  // ratio: the two servers run back to back within a round, so a ratio cancels most machine noise.
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const pairedPct = (g: number[], u: number[]) => +(100 * (med(g.map((x, i) => x / u[i]!)) - 1)).toFixed(1);
  const summary = {
    p99_ms_200_clients_guarded: p99.guarded,
    p99_ms_200_clients_unguarded: p99.unguarded,
    median_p99_guarded: med(p99.guarded),
    median_p99_unguarded: med(p99.unguarded),
    guard_overhead_pct: +((100 * (med(p99.guarded) - med(p99.unguarded))) / med(p99.unguarded)).toFixed(1),
    server_cpu_ms_guarded: cpuMs.guarded,
    server_cpu_ms_unguarded: cpuMs.unguarded,
    guard_cpu_overhead_pct: +((100 * (med(cpuMs.guarded) - med(cpuMs.unguarded))) / med(cpuMs.unguarded)).toFixed(1),
    guard_overhead_pct_paired: pairedPct(p99.guarded, p99.unguarded),
    guard_cpu_overhead_pct_paired: pairedPct(cpuMs.guarded, cpuMs.unguarded),
    loadavg: os.loadavg(),
  };
  writeResult(path.join(ROOT, 'bench/results', 'sync-guard.json'), JSON.stringify({ date: new Date().toISOString(), summary }, null, 2) + '\n');
  console.log(JSON.stringify(summary));
}

/**
 * `--flood`: does a flood in one room slow another? Room A (a writer and 49 receivers) measures its
 * edit→peer p99 while quiet, then while 10 hostile sockets in room B send valid note updates as
 * fast as their sockets drain, reconnecting whenever the server closes them (rate limit, size
 * limit). Quiet and flooded rounds alternate so machine noise hits both alike.
 */
async function floodCost(rounds: number, edits: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-bench-flood-'));
  const s = await startTutti(dir);
  const p99 = { quiet: [] as number[], flooded: [] as number[] };
  const closes: Record<string, number> = {};
  let frames = 0;
  try {
    const a = await openRoom(s, 49);
    const b = await newSession(s);
    for (let r = 0; r < rounds; r++) {
      for (const mode of ['quiet', 'flooded'] as const) {
        let stop = false;
        const flooders: Promise<void>[] = [];
        if (mode === 'flooded')
          for (let f = 0; f < Number(process.env.TUTTI_BENCH_FLOODERS ?? 10); f++)
            flooders.push(
              (async () => {
                while (!stop) {
                  const ws = new WebSocket(withToken(`${s.wsUrl}/${b}`, b));
                  await new Promise<void>((resolve) => {
                    ws.once('close', (code) => {
                      closes[code] = (closes[code] ?? 0) + 1;
                      resolve();
                    });
                    ws.once('error', () => undefined);
                    ws.once('open', async () => {
                      while (!stop && ws.readyState === ws.OPEN) {
                        const d = new Y.Doc();
                        const ups: Uint8Array[] = [];
                        d.on('update', (u: Uint8Array) => ups.push(u));
                        addNotes(
                          d,
                          Array.from({ length: 50 }, (_, i) => ({
                            trackId: 'flood' as never,
                            pitch: 40 + (i % 40),
                            start: i * 60,
                            duration: 60,
                            velocity: 64,
                          })),
                        );
                        const e = encoding.createEncoder();
                        encoding.writeVarUint(e, 0);
                        encoding.writeVarUint(e, 2);
                        encoding.writeVarUint8Array(e, Y.mergeUpdates(ups));
                        ws.send(encoding.toUint8Array(e));
                        frames++;
                        while (ws.bufferedAmount > 64 * 1024 && ws.readyState === ws.OPEN) await sleep(1);
                        await new Promise((r) => setImmediate(r));
                      }
                      if (ws.readyState === ws.OPEN) ws.close();
                    });
                  });
                }
              })(),
            );
        await sleep(mode === 'flooded' ? 500 : 0);
        const samples: number[] = [];
        await a.run(edits, 5, 5, samples);
        stop = true;
        await Promise.all(flooders);
        console.error(`[bench] room A while room B is ${mode}: p50 ${pct(samples, 50)} ms, p99 ${pct(samples, 99)} ms`);
        p99[mode].push(pct(samples, 99));
        await sleep(300);
      }
    }
    a.close();
  } finally {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  const summary = {
    p99_ms_quiet: p99.quiet,
    p99_ms_flooded: p99.flooded,
    median_p99_quiet: med(p99.quiet),
    median_p99_flooded: med(p99.flooded),
    flooded_over_quiet: +(med(p99.flooded) / med(p99.quiet)).toFixed(2),
    flood_frames_sent: frames,
    flood_closes_by_code: closes,
    loadavg: os.loadavg(),
  };
  writeResult(path.join(ROOT, 'bench/results', 'sync-flood.json'), JSON.stringify({ date: new Date().toISOString(), summary }, null, 2) + '\n');
  console.log(JSON.stringify(summary));
}

/**
 * The issue-17 probe: one room of `connections`; 20 writers (y-websocket docs) each add a note
 * every 100 ms for 8 s; the other connections listen passively, 20 of them as y-websocket docs
 * (they must converge) and the rest as plain sockets. A plain socket only stores each sync-update
 * frame with its arrival time; which edits a frame carried is worked out after the run (each
 * distinct frame decoded once with Y.parseUpdateMeta), so the probe does the same small work per
 * frame whichever server it measures, and a server that merges edits into fewer frames is credited
 * for each edit the frame carries at the frame's arrival. Latency = arrival − the writer's edit
 * time, for every (edit, plain socket); an edit not received within 5 s after the last edit
 * (or 1 s of silence after it) is undelivered.
 */
async function probe(s: ServerProc, connections: number) {
  const WRITERS = 20;
  const DOC_LISTENERS = 20;
  const id = await newSession(s);
  const plain: { ws: WebSocket; frames: [number, Buffer][] }[] = [];
  let lastFrameAt = 0;
  let recording = false;
  const plainCount = connections - WRITERS - DOC_LISTENERS;
  for (let i = 0; i < plainCount; i += 100) {
    const batch = Array.from({ length: Math.min(100, plainCount - i) }, () => {
      const r = new Receiver(withToken(`${s.wsUrl}/${id}`, id));
      const entry = { ws: r.ws, frames: [] as [number, Buffer][] };
      r.ws.on('message', (d: Buffer) => {
        if (recording && d[0] === 0 && d[1] === 2) {
          const t = now();
          entry.frames.push([t, d]);
          lastFrameAt = t;
        }
      });
      plain.push(entry);
      return r.open;
    });
    await Promise.all(batch);
  }
  const writers = Array.from({ length: WRITERS }, () => new Writer(s.wsUrl, id));
  const listeners = Array.from({ length: DOC_LISTENERS }, () => new Writer(s.wsUrl, id));
  await Promise.all([...writers, ...listeners].map((w) => w.ready()));
  await sleep(500);
  // Edits: [client, end clock, time].
  const edits: [number, number, number][] = [];
  recording = true;
  const t0 = now();
  await Promise.all(
    writers.map(async (w, k) => {
      await sleep((k * 100) / WRITERS); // spread the writers over the 100 ms period
      for (let n = 0; now() - t0 < 8000; n++) {
        w.edit();
        edits.push([w.doc.clientID, Y.getState(w.doc.store, w.doc.clientID), now()]);
        const next = t0 + (k * 100) / WRITERS + (n + 1) * 100;
        await sleep(Math.max(0, next - now()));
      }
    }),
  );
  const lastEdit = now();
  while (now() - lastEdit < 5000 && !(lastFrameAt < now() - 1000 && now() - lastEdit > 1000)) await sleep(100);
  recording = false;
  const expectedNotes = readNotes(writers[0]!.doc).length;
  const converged = listeners.filter((l) => readNotes(l.doc).length === expectedNotes).length;
  for (const w of [...writers, ...listeners]) w.close();
  for (const p of plain) p.ws.terminate();

  // Per client, its edits sorted by end clock.
  const byClient = new Map<number, { end: number; t: number }[]>();
  for (const [client, end, t] of edits) (byClient.get(client) ?? byClient.set(client, []).get(client)!).push({ end, t });
  for (const list of byClient.values()) list.sort((a, b) => a.end - b.end);
  const metaCache = new Map<string, [number, number, number][]>();
  const metaOf = (d: Buffer): [number, number, number][] => {
    const key = d.toString('latin1');
    let m = metaCache.get(key);
    if (!m) {
      // frame: 0 (sync) | 2 (update) | varUint8Array update
      const dec = decoding.createDecoder(d);
      decoding.readVarUint(dec);
      decoding.readVarUint(dec);
      const meta = Y.parseUpdateMeta(decoding.readVarUint8Array(dec));
      m = [...meta.to].map(([client, to]) => [client, meta.from.get(client) ?? 0, to]);
      metaCache.set(key, m);
    }
    return m;
  };
  const samples: number[] = [];
  let delivered = 0;
  for (const p of plain) {
    const got = new Map<number, Float64Array>();
    for (const [client, list] of byClient) got.set(client, new Float64Array(list.length).fill(-1));
    for (const [t, d] of p.frames) {
      for (const [client, from, to] of metaOf(d)) {
        const list = byClient.get(client);
        if (!list) continue;
        const marks = got.get(client)!;
        // edits whose last struct (end − 1) lies in [from, to)
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (list[mid]!.end - 1 < from) lo = mid + 1;
          else hi = mid;
        }
        for (let j = lo; j < list.length && list[j]!.end - 1 < to; j++) {
          if (marks[j]! < 0) {
            marks[j] = t;
            samples.push(t - list[j]!.t);
            delivered++;
          }
        }
      }
    }
    p.frames.length = 0;
  }
  const expected = edits.length * plain.length;
  await sleep(1000);
  return {
    connections,
    edits: edits.length,
    receivers: plain.length,
    p50: pct(samples, 50),
    p99: pct(samples, 99),
    max: pct(samples, 100),
    delivered: +(delivered / expected).toFixed(4),
    docListenersConverged: `${converged}/${DOC_LISTENERS}`,
    distinctFrames: metaCache.size,
  };
}

/**
 * For profiling one case: TUTTI_BENCH_PROBE_SIZES=1000 and/or TUTTI_BENCH_PROBE_SERVERS=tutti run
 * only those (the summary then has nulls for what did not run). The defaults are the issue's runs.
 */
const PROBE_SIZES = (process.env.TUTTI_BENCH_PROBE_SIZES ?? '200,1000').split(',').map(Number);
const PROBE_SERVERS = (process.env.TUTTI_BENCH_PROBE_SERVERS ?? 'tutti,stock').split(',');

async function probeRuns(tutti: ServerProc, baseline: ServerProc, results: Record<string, unknown>) {
  for (const n of PROBE_SIZES) {
    for (const s of [tutti, baseline]) {
      if (!PROBE_SERVERS.includes(s === tutti ? 'tutti' : 'stock')) continue;
      const load = os.loadavg()[0]!;
      const isTutti = s === tutti;
      const before = { server: cpuOf(s.child.pid!), probe: process.cpuUsage(), fanout: isTutti ? await fanoutView(s) : null };
      const r0 = await probe(s, n);
      const probeCpu = process.cpuUsage(before.probe);
      // CPU over the whole run (connecting, the 8 s of edits, the wait for the last frames).
      const cpu = {
        server_cpu_s: +((cpuOf(s.child.pid!) - before.server) / 1000).toFixed(2),
        probe_cpu_s: +((probeCpu.user + probeCpu.system) / 1e6).toFixed(2),
      };
      let fanout: { server_fanout_frames?: number; server_fanout_mean_ms?: number; server_fanout_share_within_100ms?: number } = {};
      if (before.fanout) {
        const after = await fanoutView(s);
        const count = after.count - before.fanout.count;
        fanout = {
          server_fanout_frames: count,
          server_fanout_mean_ms: +((1000 * (after.sumS - before.fanout.sumS)) / count).toFixed(1),
          server_fanout_share_within_100ms: +((after.within100ms - before.fanout.within100ms) / count).toFixed(4),
        };
      }
      const r = { ...r0, ...cpu, ...fanout };
      console.error(
        `[bench] probe ${s.name} ${n} connections: p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, delivered ${(100 * r.delivered).toFixed(2)} % of ${r.edits} edits x ${r.receivers} sockets, docs converged ${r.docListenersConverged}, ${r.distinctFrames} distinct frames, load ${load.toFixed(2)}; CPU server ${r.server_cpu_s} s, probe ${r.probe_cpu_s} s${r.server_fanout_mean_ms !== undefined ? `; server fan-out mean ${r.server_fanout_mean_ms} ms, ${(100 * r.server_fanout_share_within_100ms!).toFixed(1)} % of frames within 100 ms` : ''}`,
      );
      results[`probe_${s.name === 'tutti' ? 'tutti' : 'baseline'}_${n}`] = { ...r, loadavg1: load };
    }
  }
}

const probeSummary = (r: Record<string, unknown>) => {
  const g = (k: string) => (r[k] ?? { p99: null, delivered: null }) as { p99: number | null; delivered: number | null };
  return {
    probe_p99_ms_200_clients: g('probe_tutti_200').p99,
    delivered_200_clients: g('probe_tutti_200').delivered,
    stock_p99_ms_200_clients: g('probe_baseline_200').p99,
    stock_delivered_200_clients: g('probe_baseline_200').delivered,
    p99_ms_1000_clients: g('probe_tutti_1000').p99,
    delivered_1000_clients: g('probe_tutti_1000').delivered,
    stock_p99_ms_1000_clients: g('probe_baseline_1000').p99,
    stock_delivered_1000_clients: g('probe_baseline_1000').delivered,
  };
};

/** `--probe`: only the issue-17 probe (200 and 1,000 connections, Tutti and stock), `TUTTI_BENCH_ROUNDS` times. */
async function probeOnly() {
  const rounds = Number(process.env.TUTTI_BENCH_ROUNDS ?? 1);
  const results: Record<string, unknown> = { date: new Date().toISOString(), host: { cpus: os.cpus().length, loadavg: os.loadavg() }, node: process.version };
  const baseline = await startBaseline();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-bench-'));
  const tutti = await startTutti(dataDir);
  const each: Record<string, unknown>[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const round: Record<string, unknown> = {};
      await probeRuns(tutti, baseline, round);
      each.push(round);
    }
  } finally {
    await tutti.stop();
    await baseline.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  // One round: its figures. Several: each figure is the median over the rounds, and the rounds'
  // own p99s are listed beside it.
  const summaries = each.map(probeSummary);
  const median = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
    if (!v.length) return null;
    const m = v.length >> 1;
    return v.length % 2 ? v[m]! : +((v[m - 1]! + v[m]!) / 2).toFixed(2);
  };
  const keys = Object.keys(summaries[0]!) as (keyof ReturnType<typeof probeSummary>)[];
  const summary = {
    ...Object.fromEntries(keys.map((k) => [k, median(summaries.map((x) => x[k]))])),
    ...(rounds > 1
      ? {
          rounds,
          p99_ms_1000_clients_each: summaries.map((x) => x.p99_ms_1000_clients),
          stock_p99_ms_1000_clients_each: summaries.map((x) => x.stock_p99_ms_1000_clients),
        }
      : {}),
    loadavg_before: (results.host as { loadavg: number[] }).loadavg,
    loadavg_after: os.loadavg(),
  };
  const detail = rounds > 1 ? { rounds: each } : each[0];
  writeResult(path.join(ROOT, 'bench/results', 'sync-probe.json'), JSON.stringify({ ...results, ...detail, summary }, null, 2) + '\n');
  console.log(JSON.stringify(summary));
}

async function main() {
  if (process.argv.includes('--probe')) return probeOnly();
  if (process.argv.includes('--guard')) return guardCost(Number(process.env.TUTTI_BENCH_ROUNDS ?? 3), 100);
  if (process.argv.includes('--flood')) return floodCost(Number(process.env.TUTTI_BENCH_ROUNDS ?? 3), 100);
  const quick = process.argv.includes('--quick');
  const sizes = [10, 50, 200];
  const edits = quick ? 30 : 100;
  const results: Record<string, unknown> = { date: new Date().toISOString(), host: { cpus: os.cpus().length, loadavg: os.loadavg() }, node: process.version };

  const baseline = await startBaseline();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-bench-'));
  const tutti = await startTutti(dataDir);
  try {
    // Interleave the two servers per size so background load hits both alike.
    for (const n of sizes) {
      for (const s of [tutti, baseline]) {
        const r = await latency(s, n, edits);
        console.error(`[bench] ${s.name} ${n} clients: p50 ${r.p50} ms, p99 ${r.p99} ms (${r.samples} samples)`);
        results[`${s.name === 'tutti' ? 'tutti' : 'baseline'}_${n}`] = r;
      }
    }
    for (const s of [tutti, baseline]) {
      const r = await manyRooms(s, quick ? 20 : 100, 10, quick ? 10 : 20);
      console.error(`[bench] ${s.name} 100 rooms x 10 clients: p50 ${r.p50} ms, p99 ${r.p99} ms, RSS ${r.rssMb} MB (peak ${r.peakRssMb})`);
      results[`${s.name === 'tutti' ? 'tutti' : 'baseline'}_rooms`] = r;
    }
    await probeRuns(tutti, baseline, results);
    const load = await coldLoad(tutti, 10_000, quick ? 3 : 5);
    console.error(
      `[bench] cold load of 10k notes: median ${load.medianMs} ms (${load.runs.join(', ')}); server part (to step 2 received) median ${load.serverMedianMs} ms (${load.serverRuns.join(', ')}); stored ${load.storedBytes} bytes`,
    );
    results.cold_load = load;
  } finally {
    await tutti.stop();
    await baseline.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  const r = results as Record<string, { p50: number; p99: number; rssMb?: number; peakRssMb?: number; medianMs?: number; storedBytes?: number }>;
  const summary = {
    p50_ms_10_clients: r.tutti_10!.p50,
    p99_ms_10_clients: r.tutti_10!.p99,
    p50_ms_50_clients: r.tutti_50!.p50,
    p99_ms_50_clients: r.tutti_50!.p99,
    p50_ms_200_clients: r.tutti_200!.p50,
    p99_ms_200_clients: r.tutti_200!.p99,
    baseline_p50_ms_10_clients: r.baseline_10!.p50,
    baseline_p99_ms_10_clients: r.baseline_10!.p99,
    baseline_p50_ms_50_clients: r.baseline_50!.p50,
    baseline_p99_ms_50_clients: r.baseline_50!.p99,
    baseline_p50_ms_200_clients: r.baseline_200!.p50,
    baseline_p99_ms_200_clients: r.baseline_200!.p99,
    p99_ms_100_rooms_x10: r.tutti_rooms!.p99,
    rss_mb_100_rooms_x10: r.tutti_rooms!.peakRssMb,
    rss_mb_before_rooms: (r.tutti_rooms as { idleRssMb?: number }).idleRssMb,
    baseline_p99_ms_100_rooms_x10: r.baseline_rooms!.p99,
    baseline_rss_mb_100_rooms_x10: r.baseline_rooms!.peakRssMb,
    baseline_rss_mb_before_rooms: (r.baseline_rooms as { idleRssMb?: number }).idleRssMb,
    load_ms_10k_notes: r.cold_load!.medianMs,
    load_server_ms_10k_notes: (r.cold_load as { serverMedianMs?: number }).serverMedianMs,
    stored_bytes_10k_notes: r.cold_load!.storedBytes,
    ...probeSummary(results),
    loadavg_before: (results.host as { loadavg: number[] }).loadavg,
    loadavg_after: os.loadavg(),
    database: BENCH_DB ? 'postgres' : 'embedded',
    quick,
  };
  const file = BENCH_DB ? 'sync-postgres.json' : 'sync.json';
  writeResult(path.join(ROOT, 'bench/results', file), JSON.stringify({ ...results, database: BENCH_DB ? 'postgres' : 'embedded', summary }, null, 2) + '\n');
  console.log(JSON.stringify(summary));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
