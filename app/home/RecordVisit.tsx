'use client';
// Keeps this session's entry in "My sessions" (recent.ts) up to date while the editor is open:
// on open, after score changes (at most every few seconds) and when the page is hidden.
import { useEffect } from 'react';
import type { Editor } from '../editor/editor';
import { recordVisit, thumbnailOf } from './recent';

const EVERY_MS = 3000;

export function RecordVisit({ ed }: { ed: Editor }) {
  useEffect(() => {
    let people = 1;
    let lastEdit: number | undefined;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const opened = Date.now();
    const save = () => {
      timer = null;
      people = Math.max(people, ed.presence.peers().length);
      recordVisit({ id: ed.sessionId, title: ed.store.meta.title.trim() || 'Untitled session', noteCount: ed.store.notes.size, people, thumb: thumbnailOf(ed.store.notes.values()), lastEdit });
    };
    const soon = () => (timer ??= setTimeout(save, EVERY_MS));
    // Changes in the first moments are the document arriving (IndexedDB, sync), not edits.
    const onScore = () => {
      if (Date.now() - opened > 2000) lastEdit = Date.now();
      soon();
    };
    const onHide = () => document.visibilityState === 'hidden' && save();
    save();
    // The server's last write time, until this page sees an edit itself.
    void fetch(`/api/sessions/${encodeURIComponent(ed.sessionId)}`, { headers: ed.authHeaders(), cache: 'no-store' })
      .then((r) => (r.ok ? (r.json() as Promise<{ updatedAt?: string; participants?: number }>) : null))
      .then((info) => {
        if (!info) return;
        people = Math.max(people, info.participants ?? 0);
        if (lastEdit === undefined && info.updatedAt) lastEdit = Date.parse(info.updatedAt) || undefined;
        save();
      })
      .catch(() => {});
    const unsubs = [ed.store.subscribe(onScore), ed.presence.subscribe(soon)];
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', save);
    return () => {
      if (timer) clearTimeout(timer);
      save();
      unsubs.forEach((u) => u());
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', save);
    };
  }, [ed]);
  return null;
}
