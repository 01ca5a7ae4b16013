// The session's job list (lib/score/jobs) as a React value, re-read whenever the shared `jobs` map
// or the notes change (the latter decides whether a result can still be undone).
import { useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import { jobsMap, notesMap, readJobs, type JobState } from '@/lib/score';

const cache = new WeakMap<Y.Doc, { version: number; jobs: JobState[]; read: number }>();

function entry(doc: Y.Doc) {
  let e = cache.get(doc);
  if (!e) cache.set(doc, (e = { version: 0, jobs: [], read: -1 }));
  return e;
}

export function useJobs(doc: Y.Doc): JobState[] {
  return useSyncExternalStore(
    (fn) => {
      const bump = () => {
        entry(doc).version++;
        fn();
      };
      jobsMap(doc).observeDeep(bump);
      notesMap(doc).observe(bump);
      return () => {
        jobsMap(doc).unobserveDeep(bump);
        notesMap(doc).unobserve(bump);
      };
    },
    () => {
      const e = entry(doc);
      if (e.read !== e.version) {
        e.jobs = readJobs(doc);
        e.read = e.version;
      }
      return e.jobs;
    },
    () => [],
  );
}
