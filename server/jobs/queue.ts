// Per-session admission and fairness in front of the worker pool: a session may have at most
// `maxRunning` jobs handed to the pool at once and `maxPending` waiting or running in total, so one
// busy session cannot fill the pool's FIFO and starve the others. Pure scheduling: the work itself
// is an async function supplied by the caller.
export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`this session already has ${limit} AI jobs waiting or running; wait for one to finish or cancel one`);
    this.name = 'QueueFullError';
  }
}

interface Entry {
  jobId: string;
  start: () => Promise<void>;
}

interface SessionLine {
  running: Set<string>;
  waiting: Entry[];
}

export class SessionQueue {
  private readonly sessions = new Map<string, SessionLine>();

  constructor(
    readonly maxRunning: number,
    readonly maxPending: number,
  ) {}

  /** Admits a job (throws QueueFullError beyond the session's cap) and starts it when the session has room. */
  enqueue(sessionId: string, jobId: string, start: () => Promise<void>): void {
    const line = this.line(sessionId);
    if (line.running.size + line.waiting.length >= this.maxPending) throw new QueueFullError(this.maxPending);
    line.waiting.push({ jobId, start });
    this.pump(sessionId);
  }

  /** Removes a job that has not started yet; false if it is running or unknown. */
  removeWaiting(sessionId: string, jobId: string): boolean {
    const line = this.sessions.get(sessionId);
    const i = line ? line.waiting.findIndex((e) => e.jobId === jobId) : -1;
    if (i < 0) return false;
    line!.waiting.splice(i, 1);
    this.cleanup(sessionId);
    return true;
  }

  pending(sessionId: string): number {
    const line = this.sessions.get(sessionId);
    return line ? line.running.size + line.waiting.length : 0;
  }

  get totalPending(): number {
    let n = 0;
    for (const l of this.sessions.values()) n += l.running.size + l.waiting.length;
    return n;
  }

  private line(sessionId: string): SessionLine {
    let l = this.sessions.get(sessionId);
    if (!l) this.sessions.set(sessionId, (l = { running: new Set(), waiting: [] }));
    return l;
  }

  private pump(sessionId: string): void {
    const line = this.sessions.get(sessionId);
    if (!line) return;
    while (line.running.size < this.maxRunning && line.waiting.length) {
      const e = line.waiting.shift()!;
      line.running.add(e.jobId);
      // `start` owns its errors; the finally only frees the slot.
      void e
        .start()
        .catch(() => undefined)
        .finally(() => {
          line.running.delete(e.jobId);
          this.pump(sessionId);
          this.cleanup(sessionId);
        });
    }
  }

  private cleanup(sessionId: string): void {
    const l = this.sessions.get(sessionId);
    if (l && l.running.size === 0 && l.waiting.length === 0) this.sessions.delete(sessionId);
  }
}
