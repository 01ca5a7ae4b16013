'use client';
// MIDI keyboard controls in the toolbar: connect (asks for Web MIDI access), pick the input
// device, and record into the active track from the playhead (one-bar count-in). Browsers without
// Web MIDI get a plain explanation instead of a dead button.
import { useSyncExternalStore } from 'react';
import type { Editor } from '../editor';
import { midiKeyboard } from '../midi/keyboard';

export function MidiControls({ ed }: { ed: Editor }) {
  const kb = midiKeyboard(ed);
  const s = useSyncExternalStore(kb.subscribe, () => kb.state, () => kb.state);
  if (s.status === 'unsupported')
    return (
      <button className="tt-btn text dim" data-testid="midi-unavailable" onClick={() => ed.toast('This browser has no Web MIDI, so a MIDI keyboard cannot be used here. Chrome, Edge, Opera and Firefox support it.', 'error')} title="Web MIDI is not available in this browser">
        No MIDI
      </button>
    );
  if (s.status !== 'ready')
    return (
      <button className="tt-btn text" data-testid="midi-connect" disabled={s.status === 'requesting'} title={s.error ?? 'Play and record with a MIDI keyboard'} onClick={() => void kb.enable()}>
        {s.status === 'denied' ? 'MIDI refused' : 'MIDI'}
      </button>
    );
  return (
    <>
      <select className="tt-select tt-midi-select" data-testid="midi-device" value={s.inputId ?? ''} onChange={(e) => kb.select(e.target.value || null)} title="MIDI input device">
        {s.inputs.length === 0 && <option value="">No MIDI input</option>}
        {s.inputs.map((i) => <option key={i.id} value={i.id}>{i.name}</option>)}
      </select>
      <button
        className={`tt-btn tt-rec ${s.recording !== 'off' ? 'on' : ''}`}
        data-testid="record"
        data-state={s.recording}
        aria-label="Record"
        title={s.recording === 'off' ? 'Record from the playhead into the selected track (one-bar count-in); stop with Space' : 'Recording: stop with Space'}
        onClick={() => void kb.record()}
        disabled={s.recording !== 'off'}
      >
        ●
      </button>
    </>
  );
}
