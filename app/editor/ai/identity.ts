// Who "I" am in a session's AI jobs: a participant token the server issued for this browser's
// link (POST /api/sessions/<id>/participants), kept in localStorage per session. Job requests carry
// the token (X-Tutti-Participant); the server derives the public participant id from it, and that
// id is the requester of the job, the key of the rate limit and the only one allowed "Undo result"
// over the API. A copied id is useless: only the token proves it.
import { useEffect, useState } from 'react';
import type { Editor } from '../editor';
import { aiView } from './ai-view';

export interface Participant {
  id: string;
  token: string;
}

const KEY = (sessionId: string) => `tutti:participant:${sessionId}`;
const pending = new Map<string, Promise<Participant | null>>();

function cached(sessionId: string): Participant | null {
  try {
    const p = JSON.parse(window.localStorage.getItem(KEY(sessionId)) ?? 'null') as Participant | null;
    return p && typeof p.id === 'string' && typeof p.token === 'string' ? p : null;
  } catch {
    return null;
  }
}

/** This browser's participant in the session, asked from the server once (null offline or refused). */
export function participant(editor: Editor): Promise<Participant | null> {
  const id = editor.sessionId;
  const known = cached(id);
  if (known) return Promise.resolve(known);
  let p = pending.get(id);
  if (!p) {
    p = (async () => {
      try {
        const res = await fetch(`/api/sessions/${encodeURIComponent(id)}/participants`, { method: 'POST', headers: editor.authHeaders() });
        if (res.status !== 201) return null;
        const body = (await res.json()) as { participantId: string; participantToken: string };
        const me = { id: body.participantId, token: body.participantToken };
        try {
          window.localStorage.setItem(KEY(id), JSON.stringify(me));
        } catch {
          /* private mode: a new identity per page load */
        }
        return me;
      } catch {
        return null;
      } finally {
        pending.delete(id);
      }
    })();
    pending.set(id, p);
  }
  return p;
}

/** My participant id (null until known): how the job list recognises "my" results. */
export function useParticipantId(editor: Editor): string | null {
  const [me, setMe] = useState<string | null>(() => cached(editor.sessionId)?.id ?? null);
  useEffect(() => {
    let live = true;
    void participant(editor).then((p) => live && setMe(p?.id ?? null));
    return () => {
      live = false;
    };
  }, [editor]);
  return me;
}

/**
 * A participant's display name as far as this page knows it: "you", or the name they gave when
 * they asked the AI for something (jobs and suggestions record it), else a neutral fallback.
 */
export function participantName(editor: Editor, participantId: string): string {
  if (cached(editor.sessionId)?.id === participantId) return 'you';
  const view = aiView(editor);
  const named = view.suggestions.find((s) => s.requesterId === participantId && s.requesterName)?.requesterName ?? view.jobs.find((j) => j.requesterId === participantId)?.requesterName;
  return named ?? 'another participant';
}

/** Headers of an AI request: the link token and this browser's participant token. */
export async function aiAuth(editor: Editor): Promise<Record<string, string>> {
  const p = await participant(editor);
  return { ...editor.authHeaders(), ...(p ? { 'x-tutti-participant': p.token } : {}) };
}
