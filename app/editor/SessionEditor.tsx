'use client';
// The session page's editor: builds the controller for this session id and lays out the toolbar,
// tracks panel, piano roll and the right sidebar (participants, AI panel slot).
import { useEffect, useState } from 'react';
import './csp';
import { Editor } from './editor';
import { resolveAccess } from './session/access';
import { installDebugHook } from './debug';
import { handleKey } from './shortcuts';
import { Toolbar } from './panels/Toolbar';
import { TracksPanel } from './panels/TracksPanel';
import { Participants } from './panels/Participants';
import { AiSlot } from './panels/AiSlot';
import { ShortcutsOverlay, Toast } from './panels/ShortcutsOverlay';
import { PianoRoll } from './roll/PianoRoll';
import { useConnection, useScoreVersion } from './hooks';
import { destroyMidiKeyboard } from './midi/keyboard';
import { HistoryPanel } from './history/HistoryPanel';
import { RecordVisit } from '../home/RecordVisit';
import './editor.css';

type Drawer = 'tracks' | 'people' | 'ai';

/** Phones and tablets: the roll takes the width and the side panels open as drawers from this bar. */
function PanelTabs({ drawer, setDrawer }: { drawer: Drawer | null; setDrawer(d: Drawer | null): void }) {
  const tab = (d: Drawer, label: string) => (
    <button className={`tt-tab ${drawer === d ? 'on' : ''}`} data-testid={`tab-${d}`} aria-pressed={drawer === d} onClick={() => setDrawer(drawer === d ? null : d)}>
      {label}
    </button>
  );
  return (
    <nav className="tt-tabs" aria-label="Panels">
      {tab('tracks', 'Tracks')}
      {tab('people', 'People')}
      {tab('ai', 'AI')}
    </nav>
  );
}

/** The browser tab shows the session's title, following renames by anyone. */
function TabTitle({ ed }: { ed: Editor }) {
  useScoreVersion(ed);
  const title = ed.store.meta.title.trim();
  useEffect(() => {
    document.title = title ? `${title} — Tutti` : 'Tutti';
  }, [title]);
  return null;
}

/**
 * Shown when the server closed the connection for good (rotated link, deleted session, refused
 * change, ...): the page stops reconnecting (session/close-advice.ts) and says why.
 */
function ClosedBanner({ ed }: { ed: Editor }) {
  const conn = useConnection(ed);
  const advice = conn.closed ? ed.conn.closeAdvice() : null;
  if (!advice) return null;
  return (
    <div className="tt-overlay" data-testid="session-closed" data-code={advice.code}>
      <div className="tt-dialog tt-closed" role="alertdialog" aria-labelledby="tt-closed-title">
        <h2 id="tt-closed-title">{advice.title}</h2>
        <p>{advice.detail}</p>
        {advice.reason && <p>The server said: {advice.reason}</p>}
        <p>
          <button className="tt-btn" data-testid="session-reload" onClick={() => window.location.reload()}>Reload</button> or <a href="/">start a new session</a>
        </p>
      </div>
    </div>
  );
}

export default function SessionEditor({ sessionId }: { sessionId: string }) {
  const [ed, setEd] = useState<Editor | null>(null);
  const [drawer, setDrawer] = useState<Drawer | null>(null);
  useEffect(() => {
    // The server says what this page's link may do before the editor opens (session/access.ts).
    let stop: (() => void) | null = null;
    let cancelled = false;
    void resolveAccess(sessionId).then((access) => {
      if (cancelled) return;
      const editor = new Editor(sessionId, access);
      const unhook = installDebugHook(editor);
      const onKey = (e: KeyboardEvent) => handleKey(editor, e);
      window.addEventListener('keydown', onKey);
      setEd(editor);
      stop = () => {
        window.removeEventListener('keydown', onKey);
        destroyMidiKeyboard(editor);
        unhook();
        editor.destroy();
      };
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, [sessionId]);
  if (!ed) return <div className="tt-app tt-loading">Opening session…</div>;
  return (
    <div className={`tt-app${ed.readOnly ? ' tt-readonly' : ''}`} data-testid="editor" data-role={ed.access.role}>
      <Toolbar ed={ed} />
      <div className="tt-main" data-drawer={drawer ?? 'none'}>
        <TracksPanel ed={ed} />
        <PianoRoll ed={ed} />
        <div className="tt-side">
          <Participants ed={ed} />
          <AiSlot ed={ed} />
        </div>
        {drawer && <div className="tt-scrim" data-testid="drawer-scrim" onClick={() => setDrawer(null)} />}
      </div>
      <PanelTabs drawer={drawer} setDrawer={setDrawer} />
      <TabTitle ed={ed} />
      <ClosedBanner ed={ed} />
      <HistoryPanel ed={ed} />
      <RecordVisit ed={ed} />
      <ShortcutsOverlay ed={ed} />
      <Toast ed={ed} />
    </div>
  );
}
