// Keyboard shortcuts of the editor. The same table feeds the `?` overlay, so the overlay can never
// drift from what the keys actually do.
import { zoomX } from '@/lib/editing';
import type { Editor } from './editor';
import * as cmd from './commands';
import { setLoop, setMetronome, stop, togglePlay } from './transport';

export const SHORTCUTS: { keys: string; what: string; group: string }[] = [
  { group: 'Edit', keys: 'Click / drag', what: 'Draw a note (drag sets its length)' },
  { group: 'Edit', keys: 'Drag a note', what: 'Move it (snaps to the grid)' },
  { group: 'Edit', keys: 'Drag a note’s right edge', what: 'Resize' },
  { group: 'Edit', keys: 'Shift+click / Shift+drag', what: 'Add to selection / box select' },
  { group: 'Edit', keys: 'Right-click, Delete, Backspace', what: 'Delete' },
  { group: 'Edit', keys: '↑ ↓', what: 'Transpose a semitone (Shift: an octave)' },
  { group: 'Edit', keys: '← →', what: 'Nudge by the grid (Shift: a bar)' },
  { group: 'Edit', keys: 'Ctrl/⌘ C, X, V', what: 'Copy, cut, paste at the playhead' },
  { group: 'Edit', keys: 'Ctrl/⌘ D', what: 'Duplicate after the selection' },
  { group: 'Edit', keys: 'Ctrl/⌘ A', what: 'Select all notes of the track' },
  { group: 'Edit', keys: 'Q', what: 'Quantise selection (or track) to the grid' },
  { group: 'Edit', keys: '[ ]', what: 'Velocity −/+ 8' },
  { group: 'Edit', keys: 'Ctrl/⌘ Z, Ctrl/⌘ Shift Z', what: 'Undo, redo (your own edits only)' },
  { group: 'Tools', keys: 'P / S', what: 'Pencil / select tool' },
  { group: 'Tools', keys: 'Esc', what: 'Clear selection, close dialogs' },
  { group: 'Play', keys: 'Space', what: 'Play / stop' },
  { group: 'Play', keys: 'Enter', what: 'Stop and return to start' },
  { group: 'Play', keys: 'L / M', what: 'Loop on/off, metronome on/off' },
  { group: 'View', keys: 'Wheel, Shift+wheel', what: 'Scroll vertically, horizontally' },
  { group: 'View', keys: 'Ctrl/⌘+wheel, Alt+wheel', what: 'Zoom time, zoom pitch' },
  { group: 'View', keys: '+ / −', what: 'Zoom time in / out' },
  { group: 'View', keys: '?', what: 'This overlay' },
];

// Inputs where keys are text. Anything else that can hold focus (a track, a button, a select, a
// slider, a colour well) leaves the keys to the editor, so Space plays wherever you last clicked.
const TEXT_INPUTS = new Set(['text', 'number', 'search', 'email', 'url', 'password', 'tel']);
export const isTextField = (t: EventTarget | null): t is HTMLElement =>
  t instanceof HTMLElement && (t.isContentEditable || t.tagName === 'TEXTAREA' || (t instanceof HTMLInputElement && TEXT_INPUTS.has(t.type)));

export function handleKey(ed: Editor, e: KeyboardEvent): void {
  if (isTextField(e.target)) {
    // Escape leaves any field (CommitInput also drops its draft on Escape).
    if (e.key === 'Escape') e.target.blur();
    return;
  }
  if (e.target instanceof HTMLSelectElement && e.key === 'Escape') return e.target.blur();
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key;
  const done = () => e.preventDefault();
  if (k === '?') return done(), ed.setUi({ showShortcuts: !ed.ui.showShortcuts });
  if (k === 'Escape') return done(), ed.ui.showShortcuts ? ed.setUi({ showShortcuts: false }) : ed.setSelection([]);
  if (mod) {
    const lk = k.toLowerCase();
    if (lk === 'z') return done(), e.shiftKey ? cmd.redo(ed) : cmd.undo(ed);
    if (lk === 'y') return done(), cmd.redo(ed);
    if (lk === 'c') return done(), cmd.copySelection(ed);
    if (lk === 'x') return done(), cmd.cutSelection(ed);
    if (lk === 'v') return done(), cmd.paste(ed);
    if (lk === 'd') return done(), cmd.duplicateSelection(ed);
    if (lk === 'a') return done(), cmd.selectAll(ed);
    return;
  }
  const g = cmd.grid(ed) || ed.beatTicks / 4;
  switch (k) {
    case 'Delete':
    case 'Backspace':
      return done(), cmd.deleteSelection(ed);
    case 'ArrowUp':
      return done(), cmd.transposeSelection(ed, e.shiftKey ? 12 : 1);
    case 'ArrowDown':
      return done(), cmd.transposeSelection(ed, e.shiftKey ? -12 : -1);
    case 'ArrowLeft':
      return done(), cmd.moveSelection(ed, e.shiftKey ? -ed.barTicks : -g, 0);
    case 'ArrowRight':
      return done(), cmd.moveSelection(ed, e.shiftKey ? ed.barTicks : g, 0);
    case ' ':
      return done(), void togglePlay(ed);
    case 'Enter':
      return done(), stop(ed, true);
    case '[':
      return done(), cmd.nudgeSelectionVelocity(ed, -8);
    case ']':
      return done(), cmd.nudgeSelectionVelocity(ed, 8);
    case '+':
    case '=':
      return done(), ed.setView(zoomX(ed.view, 1.25, ed.view.width / 2));
    case '-':
      return done(), ed.setView(zoomX(ed.view, 0.8, ed.view.width / 2));
  }
  switch (k.toLowerCase()) {
    case 'q':
      return done(), cmd.quantise(ed);
    case 'p':
      return done(), ed.setUi({ tool: 'draw' });
    case 's':
      return done(), ed.setUi({ tool: 'select' });
    case 'l':
      return done(), setLoop(ed, { enabled: !ed.ui.loop.enabled });
    case 'm':
      return done(), setMetronome(ed, !ed.ui.metronome);
  }
}

