'use client';
// "WAV" in the toolbar: renders the whole session or the loop range offline (same instruments,
// mute, solo and volumes as playback), shows progress, and downloads <session title>.wav.
import { useState } from 'react';
import type { Editor } from '../editor';
import { useUi } from '../hooks';
import { downloadBytes, fileBaseName } from '../download';
import { barTick } from '../transport';

export function AudioExport({ ed }: { ed: Editor }) {
  const ui = useUi(ed);
  const [open, setOpen] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);

  const run = async (which: 'session' | 'loop') => {
    setOpen(false);
    setProgress(0);
    try {
      const mod = await import('../audio/export-wav');
      const src = ed.engineSource();
      const range = which === 'loop' ? { fromTick: barTick(ed, ui.loop.startBar), toTick: barTick(ed, ui.loop.endBar), tail: 0 } : mod.sessionRange(src);
      const bytes = await mod.renderWav(src, range, setProgress);
      downloadBytes(bytes, `${fileBaseName(ed.store.meta.title)}.wav`, 'audio/wav');
      ed.toast(`Exported ${which === 'loop' ? `bars ${ui.loop.startBar}–${ui.loop.endBar}` : 'the session'} as WAV`);
    } catch (e) {
      ed.toast(`WAV export failed: ${(e as Error).message}`, 'error');
    } finally {
      setProgress(null);
    }
  };

  if (progress !== null)
    return (
      <span className="tt-progress" data-testid="wav-progress" title="Rendering WAV">
        <span>WAV</span>
        <progress max={1} value={progress} />
      </span>
    );
  return (
    <span className="tt-menu-wrap">
      <button className="tt-btn text" data-testid="export-wav" title="Download audio (WAV) of the session or the loop range" onClick={() => setOpen(!open)} aria-expanded={open}>WAV</button>
      {open && (
        <span className="tt-menu" role="menu">
          <button className="tt-btn text" role="menuitem" data-testid="export-wav-session" onClick={() => void run('session')}>Whole session</button>
          <button className="tt-btn text" role="menuitem" data-testid="export-wav-loop" onClick={() => void run('loop')}>Loop, bars {ui.loop.startBar}–{ui.loop.endBar}</button>
        </span>
      )}
    </span>
  );
}
