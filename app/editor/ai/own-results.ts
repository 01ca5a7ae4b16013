// Puts the results of MY AI jobs on MY undo stack, so Ctrl/Cmd+Z removes a whole result in one
// step. The server writes a result as one transaction whose origin names the job, but origins do
// not cross the wire: here it arrives as one remote transaction (origin = the websocket provider).
// Just before observers run we can see that this transaction turned one of my pending jobs "done";
// for exactly that transaction the undo manager is told to track its origin, and the next
// afterTransaction handler (ours runs after the undo manager's) stops tracking it again.
// Only jobs requested from this page are captured, and only while the connection is synced: the
// catch-up transaction after a reconnect may also carry other people's edits, which my undo must
// never revert (for those results the job list's "Undo result" button remains).
import * as Y from 'yjs';
import { jobsMap } from '@/lib/score';
import type { Editor } from '../editor';

const requestedHere = new WeakMap<Editor, Set<string>>();

/** Records a job this page asked for (its result may go on this user's undo stack). */
export function noteRequested(editor: Editor, jobId: string): void {
  let s = requestedHere.get(editor);
  if (!s) requestedHere.set(editor, (s = new Set()));
  s.add(jobId);
}

export function trackOwnResults(editor: Editor, me: string): () => void {
  const doc = editor.conn.doc;
  const undo = editor.conn.undo;
  const pending = new Set<string>();
  let added: unknown = undefined;
  let capturing = false;

  const scan = () => {
    jobsMap(doc).forEach((y, id) => {
      if (!(y instanceof Y.Map) || y.get('requesterId') !== me) return; // skip entries that are not jobs
      const s = y.get('status');
      if (s === 'queued' || s === 'running') pending.add(id);
      else pending.delete(id);
    });
  };

  const before = (tr: Y.Transaction) => {
    if (!pending.size || undo.trackedOrigins.has(tr.origin) || !editor.conn.synced()) return;
    const jobs = jobsMap(doc);
    const mine = requestedHere.get(editor);
    for (const id of pending) {
      const job: unknown = jobs.get(id);
      if (!mine?.has(id) || !(job instanceof Y.Map) || job.get('status') !== 'done') continue;
      added = tr.origin;
      capturing = true;
      undo.stopCapturing(); // never merge the result into an earlier edit of mine
      undo.trackedOrigins.add(tr.origin);
      return;
    }
  };

  const after = () => {
    if (capturing) {
      undo.trackedOrigins.delete(added);
      undo.stopCapturing(); // nor a later edit into the result
      capturing = false;
      added = undefined;
    }
    scan();
  };

  scan();
  doc.on('beforeObserverCalls', before);
  doc.on('afterTransaction', after);
  return () => {
    doc.off('beforeObserverCalls', before);
    doc.off('afterTransaction', after);
  };
}
