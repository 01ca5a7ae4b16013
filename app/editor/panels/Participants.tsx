'use client';
// Who is in the session: everyone's name and colour; your own name is editable and remembered.
import { useState } from 'react';
import type { Editor } from '../editor';
import { usePeers } from '../hooks';

export function Participants({ ed }: { ed: Editor }) {
  const peers = usePeers(ed);
  const me = peers.find((p) => p.isLocal);
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <section className="tt-people" data-testid="participants" data-count={peers.length}>
      <div className="tt-panel-head">
        <h2>In this session</h2>
        <span className="tt-badge" data-testid="participant-count">{peers.length}</span>
      </div>
      <label className="tt-me">
        <span className="tt-dot" style={{ background: me?.color }} />
        <input
          data-testid="my-name"
          value={draft ?? me?.name ?? ''}
          maxLength={40}
          aria-label="Your name"
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => {
            if (draft !== null) ed.presence.setName(draft);
            setDraft(null);
          }}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
        <span className="tt-you">you</span>
      </label>
      <ul>
        {peers.filter((p) => !p.isLocal).map((p) => (
          <li key={p.clientId} data-testid="participant" data-name={p.name}>
            <span className="tt-dot" style={{ background: p.color }} />
            <span className="tt-peer-name">{p.name}</span>
            {p.selection.length > 0 && <span className="tt-peer-sel">{p.selection.length} selected</span>}
          </li>
        ))}
        {peers.length <= 1 && <li className="tt-empty">Nobody else yet. Use “Copy link” to invite.</li>}
      </ul>
    </section>
  );
}
