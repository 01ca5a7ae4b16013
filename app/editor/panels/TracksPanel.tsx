'use client';
// Tracks: add, rename, delete, reorder; instrument, colour, role, mute/solo, volume. Clicking a
// track (its name included) makes it the one the roll edits (the others show as ghost notes); the
// name becomes a text field only on double-click or Enter, so a click never traps the keyboard.
import { useState } from 'react';
import { INSTRUMENTS, TRACK_ROLES, type Instrument, type TrackId, type TrackRole } from '@/lib/score';
import type { Editor } from '../editor';
import { useScoreVersion, useUi } from '../hooks';
import * as cmd from '../commands';
import { INSTRUMENT_LABELS } from '../audio/labels';
import { CommitInput } from './CommitInput';

/** A track's name: plain text that selects the track; double-click (or Enter on the track) renames. */
function TrackName({ ed, id, name, editing, setEditing }: { ed: Editor; id: TrackId; name: string; editing: boolean; setEditing(on: boolean): void }) {
  if (editing)
    return <CommitInput className="tt-track-name editing" value={name} maxLength={100} data-testid="track-name" autoFocus onFocus={(e) => e.currentTarget.select()} onCommit={(n) => cmd.editTrack(ed, id, { name: n })} onDone={() => setEditing(false)} aria-label="Track name" onClick={(e) => e.stopPropagation()} />;
  return (
    <span className="tt-track-name" data-testid="track-name" title="Double-click to rename" onDoubleClick={() => setEditing(true)}>
      {name}
    </span>
  );
}

export function TracksPanel({ ed }: { ed: Editor }) {
  useScoreVersion(ed);
  const ui = useUi(ed);
  const counts = new Map<string, number>();
  for (const n of ed.store.notes.values()) counts.set(n.trackId, (counts.get(n.trackId) ?? 0) + 1);
  const tracks = ed.store.tracks;
  const [renaming, setRenaming] = useState<TrackId | null>(null);
  return (
    <aside className="tt-tracks" data-testid="tracks-panel">
      <div className="tt-panel-head">
        <h2>Tracks</h2>
        <button className="tt-btn text" data-testid="add-track" onClick={() => cmd.newTrack(ed)}>+ Add</button>
      </div>
      {tracks.length === 0 && <p className="tt-empty">No tracks yet. Draw on the roll or add a track to start.</p>}
      <ul>
        {tracks.map((t, i) => (
          <li
            key={t.id}
            className={`tt-track ${ui.activeTrackId === t.id ? 'active' : ''}`}
            data-testid="track"
            data-track-id={t.id}
            tabIndex={0}
            aria-selected={ui.activeTrackId === t.id}
            onClick={() => ed.setUi({ activeTrackId: t.id })}
            onKeyDown={(e) => {
              // Enter on the focused track renames it (instead of the global "return to start").
              if (e.key === 'Enter' && e.target === e.currentTarget) {
                e.preventDefault();
                e.stopPropagation();
                setRenaming(t.id);
              }
            }}
            style={{ borderLeftColor: t.color }}
          >
            <div className="tt-track-row">
              <input type="color" className="tt-color" value={t.color} onChange={(e) => cmd.editTrack(ed, t.id, { color: e.target.value })} title="Colour" data-testid="track-color" />
              <TrackName ed={ed} id={t.id} name={t.name} editing={renaming === t.id} setEditing={(on) => setRenaming(on ? t.id : null)} />
              <span className="tt-track-count">{counts.get(t.id) ?? 0}</span>
            </div>
            <div className="tt-track-row">
              <select className="tt-select small" value={t.instrument} data-testid="track-instrument" onChange={(e) => cmd.editTrack(ed, t.id, { instrument: e.target.value as Instrument })} title="Instrument">
                {INSTRUMENTS.map((x) => <option key={x} value={x}>{INSTRUMENT_LABELS[x]}</option>)}
              </select>
              <select className="tt-select small" value={t.role} data-testid="track-role" onChange={(e) => cmd.editTrack(ed, t.id, { role: e.target.value as TrackRole })} title="Role">
                {TRACK_ROLES.map((r) => <option key={r} value={r}>{r === 'melody' ? 'Melody' : 'Accomp.'}</option>)}
              </select>
            </div>
            <div className="tt-track-row">
              <button className={`tt-chip ${t.muted ? 'mute' : ''}`} data-testid="track-mute" onClick={(e) => (e.stopPropagation(), cmd.editTrack(ed, t.id, { muted: !t.muted }))} title="Mute">M</button>
              <button className={`tt-chip ${t.solo ? 'solo' : ''}`} data-testid="track-solo" onClick={(e) => (e.stopPropagation(), cmd.editTrack(ed, t.id, { solo: !t.solo }))} title="Solo">S</button>
              <input type="range" min={0} max={1} step={0.01} value={t.volume} className="tt-vol" data-testid="track-volume" onChange={(e) => cmd.editTrack(ed, t.id, { volume: Number(e.target.value) })} title={`Volume ${Math.round(t.volume * 100)}%`} />
              <button className="tt-icon" disabled={i === 0} onClick={(e) => (e.stopPropagation(), cmd.reorderTrack(ed, t.id, -1))} title="Move up" data-testid="track-up">▲</button>
              <button className="tt-icon" disabled={i === tracks.length - 1} onClick={(e) => (e.stopPropagation(), cmd.reorderTrack(ed, t.id, 1))} title="Move down" data-testid="track-down">▼</button>
              <button className="tt-icon danger" onClick={(e) => { e.stopPropagation(); if (window.confirm(`Delete “${t.name}” and its ${counts.get(t.id) ?? 0} notes? (Undo brings it back.)`)) cmd.removeTrack(ed, t.id); }} title="Delete track" data-testid="track-delete">✕</button>
            </div>
          </li>
        ))}
      </ul>
    </aside>
  );
}
