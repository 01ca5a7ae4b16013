// Restoring a version from the editor: the difference between the live score and the version
// (the whole score, or a range of bars and tracks) is written as ONE transaction with this page's
// own origin, so everyone sees it at once and this person's Ctrl+Z takes the whole restore back.
import type { Score } from '@/lib/score';
import { applyRestorePlan, planRestore, planSize, type RestoreRange } from '@/lib/score/versions';
import type { Editor } from '../editor';

/** Returns the number of changes written (0: the range already matches the version). */
export function restoreLocally(ed: Editor, version: Score, range?: RestoreRange): number {
  if (ed.readOnly) throw new Error('this is a view link: it cannot change the session');
  // The live score as the editor already holds it (parsed and kept up to date incrementally).
  const live: Score = { meta: ed.store.meta, tracks: ed.store.tracks, notes: [...ed.store.notes.values()] };
  const plan = planRestore(live, version, range);
  const n = planSize(plan);
  if (n === 0) return 0;
  // Its own undo step, not merged with an edit made just before or after.
  ed.conn.undo.stopCapturing();
  applyRestorePlan(ed.conn.doc, plan, ed.conn.origin);
  ed.conn.undo.stopCapturing();
  return n;
}
