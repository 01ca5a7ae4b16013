// The fold worker thread (./fold-runner.ts): folds one session's stored state per message, in
// order. A large session's fold takes seconds of CPU; here it does not stop the main thread.
import { parentPort } from 'node:worker_threads';
import { foldUpdates } from './fold';
import type { FoldReply, FoldRequest } from './fold-runner';

const port = parentPort!;
port.on('message', (m: FoldRequest) => {
  let reply: FoldReply;
  try {
    const r = foldUpdates(m.snapshot, m.updates);
    reply = { id: m.id, ok: true, snapshot: r.snapshot, title: r.title };
  } catch (err) {
    reply = { id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply, reply.ok ? [reply.snapshot.buffer as ArrayBuffer] : []);
});
port.postMessage({ ready: true });
