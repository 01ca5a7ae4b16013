// Gives back the memory a start-up leaves behind. Starting the server (migrations, the Prisma
// client, the embedded database's first queries) allocates tens of MB that are garbage once it
// listens; V8 collects old-generation garbage only when the heap grows again or its memory
// reducer decides to, so an idle server otherwise keeps that garbage resident for as long as it
// stays idle (measured: ~25 MB in the web process). One full collection right after start-up is
// a single pause of a few tens of ms before any client is served.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** A full, compacting garbage collection of this isolate (thread); a no-op if V8 refuses. */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      // --expose-gc only takes effect for contexts created after it is set: a fresh one hands out gc().
      v8.setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
