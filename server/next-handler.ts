// Hosts the Next.js app inside our HTTP server. Imported lazily so `next: false` servers (API and
// websocket only, used by fast integration tests and benchmarks) never load Next at all.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';

export interface NextHandle {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  close(): Promise<void>;
}

export async function startNext(opts: { dev: boolean; port: number; hostname?: string }): Promise<NextHandle> {
  const { default: next } = await import('next');
  const app = next({ dev: opts.dev, dir: path.resolve(import.meta.dirname, '..'), port: opts.port, hostname: opts.hostname ?? 'localhost' });
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgrade = app.getUpgradeHandler();
  return {
    handle: (req, res) => handle(req, res),
    upgrade: (req, socket, head) => upgrade(req, socket, head),
    close: () => app.close(),
  };
}
