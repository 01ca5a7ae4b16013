'use client';
// Sharing: copy the edit link (draw, ask the AI) or the view link (watch and listen, export); the
// owner (the browser that created the session) can also rotate either link, which disconnects
// everyone holding the old one, and delete the session. Links come from the server, so they carry
// PUBLIC_URL when it is set (README "Sharing beyond localhost").
import { useState } from 'react';
import type { Editor } from '../editor';
import { deleteSession, rotateLink } from '../session/access';
import '../share.css';

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
}

/** The links this page knows: from the server, else (offline) built from its own token. */
function knownLinks(ed: Editor): { edit?: string; view?: string } {
  const a = ed.access;
  const own = `${window.location.origin}/s/${ed.sessionId}${a.token ? `#token=${a.token}` : ''}`;
  return {
    edit: a.editUrl ?? (a.role === 'edit' ? own : undefined),
    view: a.viewUrl ?? (a.role === 'view' ? own : undefined),
  };
}

export function ShareMenu({ ed }: { ed: Editor }) {
  const [links, setLinks] = useState(() => knownLinks(ed));
  const [busy, setBusy] = useState(false);
  const owner = ed.access.ownerToken;

  const copy = async (which: 'edit' | 'view') => {
    const url = links[which];
    if (!url) return;
    await copyText(url);
    ed.toast(which === 'edit' ? 'Edit link copied: whoever opens it can draw and ask the AI' : 'View link copied: whoever opens it can watch, listen and export, but not change anything');
  };

  const rotate = async (which: 'edit' | 'view') => {
    if (!owner || busy) return;
    if (!window.confirm(`Make a new ${which} link? Everyone using the current one is disconnected and needs the new link.`)) return;
    setBusy(true);
    try {
      const { url } = await rotateLink(ed.sessionId, owner, which);
      setLinks((l) => ({ ...l, [which]: url }));
      ed.access[which === 'edit' ? 'editUrl' : 'viewUrl'] = url;
      // The address bar may still show the old link: show the one that works now.
      if (window.location.hash && which === 'edit') window.history.replaceState(null, '', `${window.location.pathname}${new URL(url).hash}`);
      ed.toast(`New ${which} link made; the old one no longer works`);
    } catch (e) {
      ed.toast(`Could not rotate the ${which} link: ${(e as Error).message}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!owner || busy) return;
    if (!window.confirm('Delete this session for everyone? Its notes, tracks and AI results are gone for good.')) return;
    setBusy(true);
    try {
      await deleteSession(ed.sessionId, owner);
      window.location.assign('/');
    } catch (e) {
      ed.toast(`Could not delete the session: ${(e as Error).message}`, 'error');
      setBusy(false);
    }
  };

  return (
    <details className="tt-share" data-testid="share-menu">
      <summary className="tt-btn text primary" data-testid="share">Share</summary>
      <div className="tt-share-menu" role="menu">
        <button className="tt-btn text" role="menuitem" data-testid="copy-edit-link" disabled={!links.edit} onClick={() => void copy('edit')} title={links.edit ? 'Anyone with this link can draw and ask the AI' : 'Only editors can hand out the edit link'}>
          Copy edit link
        </button>
        <button className="tt-btn text" role="menuitem" data-testid="copy-view-link" disabled={!links.view} onClick={() => void copy('view')} title="Anyone with this link can watch, listen and export">
          Copy view link
        </button>
        {owner && (
          <>
            <hr />
            <button className="tt-btn text" role="menuitem" data-testid="rotate-edit-link" disabled={busy} onClick={() => void rotate('edit')}>
              Rotate edit link
            </button>
            <button className="tt-btn text" role="menuitem" data-testid="rotate-view-link" disabled={busy} onClick={() => void rotate('view')}>
              Rotate view link
            </button>
            <button className="tt-btn text danger" role="menuitem" data-testid="delete-session" disabled={busy} onClick={() => void remove()}>
              Delete session
            </button>
          </>
        )}
      </div>
    </details>
  );
}

/** Shown to a view-link holder, next to the connection state. */
export function ViewOnlyBadge({ ed }: { ed: Editor }) {
  if (!ed.readOnly) return null;
  return (
    <span className="tt-viewonly" data-testid="view-only" title="You opened a view link: you can watch, listen and export, but not change the session">
      View only
    </span>
  );
}
