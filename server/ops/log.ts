// Structured JSON logs (pino), one object per line on stdout. The server's modules log through a
// plain function `(msg, err?, fields?)` (so tests can pass a no-op); this adapts it to pino: the
// "[component]" prefix of a message becomes a `component` field, `fields` (e.g. sessionId,
// connection, jobId) are merged in, and an error is serialised under `err` at level error.
import pino, { type Logger } from 'pino';

export type LogFn = (msg: string, err?: unknown, fields?: Record<string, unknown>) => void;

export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

const PREFIX = /^\[([a-z-]+)\]\s*/;

export function logFn(logger: Logger): LogFn {
  return (msg, err, fields) => {
    const m = PREFIX.exec(msg);
    const obj: Record<string, unknown> = { ...(m ? { component: m[1] } : {}), ...fields };
    const text = m ? msg.slice(m[0].length) : msg;
    if (err !== undefined) logger.error({ ...obj, err: err instanceof Error ? err : { message: String(err) } }, text);
    else logger.info(obj, text);
  };
}
