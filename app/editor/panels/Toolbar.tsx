'use client';
// The top bar: session title, transport (play/stop, loop range, BPM, time signature, metronome,
// follow), edit tools (pencil/select, snap, quantise, velocity, zoom), MIDI in/out, sharing,
// connection state and the live note count.
import { useRef } from 'react';
import { SNAP_OPTIONS, zoomX, type SnapId } from '@/lib/editing';
import type { Editor } from '../editor';
import { useConnection, useScoreVersion, useUi } from '../hooks';
import * as cmd from '../commands';
import { setLoop, setMetronome, stop, togglePlay } from '../transport';
import { Icon } from './Icon';
import { CommitInput } from './CommitInput';
import { ShareMenu, ViewOnlyBadge } from './ShareMenu';
import { AudioExport } from './AudioExport';
import { MidiControls } from './MidiControls';
import { SampleStatus } from './SampleStatus';
import { HistoryButton } from '../history/HistoryPanel';

const KEYS = [
  ...['C', 'Db', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'].map((t) => `${t} major`),
  ...['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'G#', 'A', 'Bb', 'B'].map((t) => `${t} minor`),
];
const TS_OPTIONS: [number, number][] = [[4, 4], [3, 4], [2, 4], [6, 8], [5, 4], [7, 8], [12, 8]];

export function Toolbar({ ed }: { ed: Editor }) {
  const ui = useUi(ed);
  useScoreVersion(ed);
  const conn = useConnection(ed);
  const meta = ed.store.meta;
  const fileRef = useRef<HTMLInputElement>(null);
  const selNotes = ed.store.notesOf(ui.selection);
  const selVel = selNotes.length ? Math.round(selNotes.reduce((s, n) => s + n.velocity, 0) / selNotes.length) : '';

  const onFile = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    if (f.size > 20 * 1024 * 1024) return ed.toast(`${f.name} is larger than 20 MB; that is not a MIDI file Tutti can import.`, 'error');
    cmd.importMidi(ed, new Uint8Array(await f.arrayBuffer()), f.name);
  };

  const exportFile = () => {
    const { bytes, name } = cmd.exportMidi(ed);
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'audio/midi' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  };

  const connLabel = conn.closed ? 'Closed' : conn.notice ? 'Waiting…' : conn.state === 'online' ? (conn.synced ? 'Online' : 'Syncing…') : conn.state === 'offline' ? 'Offline' : 'Connecting…';
  return (
    // A clicked button gives up focus, so Space afterwards means play/stop, not "press again".
    <header className="tt-toolbar" onClick={(e) => (e.target as HTMLElement).closest('button')?.blur()}>
      <div className="tt-brand">
        <a href="/" className="tt-logo" title="Tutti home">Tutti</a>
        <CommitInput className="tt-title" data-testid="session-title" value={meta.title} maxLength={200} onCommit={(title) => cmd.editMeta(ed, { title })} aria-label="Session title" title={meta.title} />
      </div>

      <div className="tt-group" role="group" aria-label="Transport">
        <button className={`tt-btn tt-play ${ui.playing ? 'on' : ''}`} data-testid="play" onClick={() => void togglePlay(ed)} title="Play / stop (Space)" aria-label="Play"><Icon name={ui.playing ? 'stop' : 'play'} /></button>
        <button className="tt-btn" data-testid="rewind" onClick={() => stop(ed, true)} title="Stop and return to start (Enter)" aria-label="Return to start"><Icon name="rewind" /></button>
        <button className={`tt-btn ${ui.loop.enabled ? 'on' : ''}`} data-testid="loop" onClick={() => setLoop(ed, { enabled: !ui.loop.enabled })} title="Loop (L)" aria-label="Loop"><Icon name="loop" /></button>
        <label className="tt-field" title="Loop range in bars">
          <input type="number" min={1} className="tt-num" data-testid="loop-start" value={ui.loop.startBar} onChange={(e) => setLoop(ed, { startBar: Number(e.target.value) })} />
          <span>–</span>
          <input type="number" min={2} className="tt-num" data-testid="loop-end" value={ui.loop.endBar} onChange={(e) => setLoop(ed, { endBar: Number(e.target.value) })} />
        </label>
        <label className="tt-field" title="Tempo">
          <input type="number" min={20} max={400} className="tt-num wide" data-testid="bpm" value={meta.bpm} onChange={(e) => Number(e.target.value) >= 20 && Number(e.target.value) <= 400 && cmd.editMeta(ed, { bpm: Number(e.target.value) })} />
          <span>BPM</span>
        </label>
        <select className="tt-select" data-testid="time-signature" value={meta.timeSignature.join('/')} onChange={(e) => cmd.editMeta(ed, { timeSignature: e.target.value.split('/').map(Number) as never })} title="Time signature">
          {(TS_OPTIONS.some((t) => t.join('/') === meta.timeSignature.join('/')) ? TS_OPTIONS : [...TS_OPTIONS, meta.timeSignature]).map((t) => (
            <option key={t.join('/')} value={t.join('/')}>{t.join('/')}</option>
          ))}
        </select>
        <select className="tt-select" data-testid="key" value={meta.key} onChange={(e) => cmd.editMeta(ed, { key: e.target.value })} title="Key (note names follow it: flats in flat keys)">
          {(KEYS.includes(meta.key) ? KEYS : [...KEYS, meta.key]).map((k) => <option key={k} value={k}>{k.replace(' major', '').replace(' minor', 'm').replace('#', '♯').replace('b', '♭')}</option>)}
        </select>
        <button className={`tt-btn ${ui.metronome ? 'on' : ''}`} data-testid="metronome" onClick={() => setMetronome(ed, !ui.metronome)} title="Metronome (M)" aria-label="Metronome"><Icon name="metronome" /></button>
        <button className={`tt-btn ${ui.follow ? 'on' : ''}`} data-testid="follow" onClick={() => ed.setUi({ follow: !ui.follow })} title="Follow playhead" aria-label="Follow playhead"><Icon name="follow" /></button>
        <MidiControls ed={ed} />
      </div>

      <div className="tt-group" role="group" aria-label="Edit">
        <button className={`tt-btn ${ui.tool === 'draw' ? 'on' : ''}`} data-testid="tool-draw" onClick={() => ed.setUi({ tool: 'draw' })} title="Pencil: click to draw, drag for length (P)" aria-label="Pencil"><Icon name="pencil" /></button>
        <button className={`tt-btn ${ui.tool === 'select' ? 'on' : ''}`} data-testid="tool-select" onClick={() => ed.setUi({ tool: 'select' })} title="Select: drag a box (S)" aria-label="Select"><Icon name="select" /></button>
        <label className="tt-field" title="Snap to grid">
          <span>Grid</span>
          <select className="tt-select" data-testid="snap" value={ui.snap} onChange={(e) => ed.setUi({ snap: e.target.value as SnapId })}>
            {SNAP_OPTIONS.map((o) => <option key={o.id} value={o.id}>{o.label}</option>)}
          </select>
        </label>
        <button className="tt-btn text" data-testid="quantise" onClick={() => cmd.quantise(ed)} title="Quantise (Q)">Quantise</button>
        <label className="tt-field" title="Velocity of the selected notes">
          <span>Vel</span>
          <input type="number" min={1} max={127} className="tt-num" data-testid="velocity-input" disabled={!selNotes.length} value={selVel} onChange={(e) => cmd.setSelectionVelocity(ed, Number(e.target.value))} />
        </label>
        <button className="tt-btn" onClick={() => ed.setView(zoomX(ed.view, 0.8, ed.view.width / 2))} title="Zoom out (−)" data-testid="zoom-out"><Icon name="zoomOut" /></button>
        <button className="tt-btn" onClick={() => ed.setView(zoomX(ed.view, 1.25, ed.view.width / 2))} title="Zoom in (+)" data-testid="zoom-in"><Icon name="zoomIn" /></button>
      </div>

      <div className="tt-group" role="group" aria-label="File and sharing">
        <button className="tt-btn" onClick={() => cmd.undo(ed)} title="Undo your last edit (Ctrl/⌘+Z)" data-testid="undo"><Icon name="undo" /></button>
        <button className="tt-btn" onClick={() => cmd.redo(ed)} title="Redo (Ctrl/⌘+Shift+Z)" data-testid="redo"><Icon name="redo" /></button>
        <button className="tt-btn text" data-testid="import-midi" title="Import a .mid file into new tracks" onClick={() => fileRef.current?.click()}>Import</button>
        <input ref={fileRef} type="file" accept=".mid,.midi,audio/midi" hidden data-testid="midi-input" onChange={onFile} />
        <button className="tt-btn text" data-testid="export-midi" title="Download the session as a .mid file" onClick={exportFile}>Export</button>
        <AudioExport ed={ed} />
        <HistoryButton ed={ed} />
        <ShareMenu ed={ed} />
        <button className="tt-btn" data-testid="shortcuts" onClick={() => ed.setUi({ showShortcuts: true })} title="Keyboard shortcuts (?)"><Icon name="help" /></button>
      </div>

      <div className="tt-status">
        <ViewOnlyBadge ed={ed} />
        <SampleStatus />
        <span className="tt-count" data-testid="note-count" data-count={ed.store.notes.size}>{ed.store.notes.size.toLocaleString('en')} notes</span>
        <span className={`tt-conn ${conn.state}`} data-testid="connection-state" data-state={conn.state} title={conn.closed ?? conn.notice ?? (conn.state === 'offline' ? 'Edits are kept in this browser and merge when you reconnect' : '')}>
          <i />{connLabel}
        </span>
      </div>
    </header>
  );
}
