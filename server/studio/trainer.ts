// Runs the model studio's trainings, one at a time, each in a child process of its own
// (./train-process.ts) at a lowered scheduling priority, so training yields the cores to sessions
// and AI jobs. The database is the queue: a runner claims the oldest queued training
// (./store.ts claim), in this web process (pool mode) or in the `npm run worker` processes (queue
// mode, REDIS_URL) — wherever it runs, its points, checkpoints and outcome go to the row, so every
// instance serves the same live curve. Cancel: the row says so (any instance) and the runner
// kills the process within a heartbeat; the one this runner holds is killed at once.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ProgressPoint, StudioFamily, TrainSettings } from '../../lib/ai/studio';
import type { StudioTrainSpec } from '../../models/studio/train-job';
import { versionPaths } from './paths';
import type { FromTrainThread } from './protocol';
import type { StudioStore, VersionRow } from './store';

const ENTRY = fileURLToPath(new URL('./train-process.ts', import.meta.url));

export interface TrainerOptions {
  modelsDir: string;
  runner: 'pool' | 'queue';
  /** Scheduling niceness of the training process (0-19). */
  nice: number;
  log: (msg: string, err?: unknown) => void;
  /** How often an idle runner looks for queued trainings (a request in this process wakes it at once); default 5 s, queue workers 2 s. */
  pollMs?: number;
  /** Heartbeat and cancel check of the running training. */
  heartbeatMs?: number;
  /** A running training whose heartbeat is older than this was left by a dead process. */
  staleMs?: number;
}

interface Current {
  id: string;
  child: ChildProcess;
  exited: Promise<void>;
  stopping: boolean;
}

export class TrainingRunner {
  private current: Current | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private claiming = false;
  /** A kick arrived: look for work on the next tick whatever the poll interval. */
  private wanted = true;
  private lastClaim = 0;
  private lastSweep = 0;
  /** Training processes started and not yet exited (a test checks that a cancel frees its worker). */
  processes = 0;

  constructor(
    private readonly store: StudioStore,
    private readonly opts: TrainerOptions,
  ) {}

  start(): void {
    // Every heartbeat: a running training's heartbeat and cancel check; an idle runner claims only every pollMs (or when kicked).
    this.timer = setInterval(() => void this.tick(), this.opts.heartbeatMs ?? 1000);
    this.timer.unref();
    void this.tick();
  }

  /** Looks for work now (a training was queued or resumed in this process). */
  kick(): void {
    this.wanted = true;
    void this.tick();
  }

  /** The training running here, if any. */
  runningId(): string | null {
    return this.current?.id ?? null;
  }

  private async tick(): Promise<void> {
    if (this.closed || this.claiming) return;
    this.claiming = true;
    try {
      if (this.current) {
        await this.check(this.current);
        return;
      }
      const now = Date.now();
      const pollMs = this.opts.pollMs ?? (this.opts.runner === 'queue' ? 2000 : 5000);
      if (!this.wanted && now - this.lastClaim < pollMs) return;
      this.wanted = false;
      this.lastClaim = now;
      const staleMs = this.opts.staleMs ?? 30_000;
      if (now - this.lastSweep >= staleMs / 2) {
        this.lastSweep = now;
        await this.store.failStale(staleMs);
      }
      const row = await this.store.claim(this.opts.runner);
      if (row) await this.launch(row);
    } catch (e) {
      this.opts.log('[studio] training runner tick failed', e);
    } finally {
      this.claiming = false;
      // A kick that came while this tick ran is served now rather than at the next poll.
      if (this.wanted && !this.current && !this.closed) void this.tick();
    }
  }

  /** Heartbeat, and stop the process if the row was cancelled or deleted elsewhere. */
  private async check(cur: Current): Promise<void> {
    const row = await this.store.version(cur.id);
    if (!row || row.trainingStatus !== 'running') await this.stop(cur.id);
    else await this.store.heartbeat(cur.id);
  }

  private async launch(row: VersionRow): Promise<void> {
    const p = versionPaths(this.opts.modelsDir, row.id);
    const prior = await this.store.points(row.id);
    const kept = prior.filter((q) => q.step <= row.checkpointStep);
    const spec: StudioTrainSpec = {
      family: row.family as StudioFamily,
      name: row.name,
      owner: row.owner,
      dataDescription: row.dataDescription,
      settings: row.settings as TrainSettings,
      dataDir: (row.data as { kind: string }).kind === 'upload' ? p.data : null,
      workDir: p.work,
      weightsDir: p.weights,
      priorElapsedMs: kept.at(-1)?.elapsedMs ?? 0,
      priorPoints: kept,
      createdAt: row.createdAt.toISOString(),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: process.env });
    this.processes++;
    const cur: Current = { id: row.id, child, stopping: false, exited: new Promise((resolve) => child.once('close', () => resolve())) };
    this.current = cur;
    try {
      if (child.pid) os.setPriority(child.pid, this.opts.nice);
    } catch {
      /* not permitted here: it runs at the normal priority */
    }
    // The trainers print a few lines of their own; they go to the log, not to stdout.
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (b: Buffer) => this.opts.log(`[studio ${row.id}] ${b.toString('utf8').trimEnd()}`));
    child.send({ type: 'start', spec });
    let pending: ProgressPoint[] = [];
    let lastStep = row.step;
    let outcome: FromTrainThread | null = null;
    let sentFirst = false;
    const flush = async (): Promise<void> => {
      const batch = pending;
      pending = [];
      if (!batch.length) return;
      await this.store.savePoints(row.id, batch, lastStep);
    };
    let writes: Promise<void> = Promise.resolve();
    const enqueue = (f: () => Promise<unknown>): void => {
      writes = writes.then(f).then(
        () => undefined,
        (e) => this.opts.log(`[studio] could not record progress of ${row.id}`, e),
      );
    };
    // Points reach the database once a second (the first at once): few writes next to the training.
    const flushTimer = setInterval(() => enqueue(flush), 1000);
    child.on('message', (m: FromTrainThread) => {
      if (m.type === 'point') {
        // The first point goes out at once (time to first progress point), then in batches.
        pending.push(m.point);
        lastStep = Math.max(lastStep, m.point.step);
        if (!sentFirst) {
          sentFirst = true;
          enqueue(flush);
        }
      } else if (m.type === 'checkpoint') {
        enqueue(flush);
        enqueue(() => this.store.transition(row.id, ['running'], { checkpointStep: m.step }));
      } else outcome = m;
    });
    child.on('error', (e) => (outcome ??= { type: 'failed', error: `training process error: ${e.message}` }));
    await this.store.heartbeat(row.id);
    void cur.exited.then(async () => {
      clearInterval(flushTimer);
      this.processes--;
      enqueue(flush);
      await writes;
      await this.finish(row, cur, outcome).catch((e) => this.opts.log(`[studio] could not record the end of ${row.id}`, e));
      if (this.current === cur) this.current = null;
      this.kick();
    });
    this.opts.log(
      `[studio] training ${row.id} (${row.family} · ${row.name}) started at step ${row.checkpointStep} in process ${child.pid} (${this.opts.runner} runner, nice ${this.opts.nice})`,
    );
  }

  private async finish(row: VersionRow, cur: Current, outcome: FromTrainThread | null): Promise<void> {
    const now = new Date();
    if (outcome?.type === 'done') {
      await this.store.transition(row.id, ['running'], {
        trainingStatus: 'done',
        status: 'ready',
        step: outcome.completedSteps,
        checkpointStep: outcome.completedSteps,
        metrics: outcome.metrics,
        card: outcome.card,
        weightsBytes: outcome.weightsBytes,
        finishedAt: now,
      });
      this.opts.log(`[studio] training ${row.id} done`);
    } else if (!cur.stopping) {
      const error = outcome?.type === 'failed' ? outcome.error : 'the training process stopped unexpectedly';
      await this.store.transition(row.id, ['running'], { trainingStatus: 'failed', status: 'failed', error, finishedAt: now });
      this.opts.log(`[studio] training ${row.id} failed: ${error}`);
    }
    // A version deleted while it trained: whatever the process wrote since goes too.
    if (!(await this.store.version(row.id))) fs.rmSync(versionPaths(this.opts.modelsDir, row.id).root, { recursive: true, force: true });
  }

  /** Kills the process of `id` if it runs here; resolves once it is gone (the runner is free). */
  async stop(id: string): Promise<boolean> {
    const cur = this.current;
    if (!cur || cur.id !== id) return false;
    cur.stopping = true;
    cur.child.kill('SIGKILL');
    await cur.exited;
    // Wait until the runner has recorded the end and let go of it.
    while (this.current === cur) await new Promise((r) => setTimeout(r, 10));
    return true;
  }

  /** Stops looking for work; a training running here is put back in the queue (it resumes from its checkpoint on the next start). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const cur = this.current;
    if (!cur) return;
    cur.stopping = true;
    cur.child.kill('SIGKILL');
    await cur.exited;
    await this.store.transition(cur.id, ['running'], { trainingStatus: 'queued' }).catch(() => false);
  }
}
