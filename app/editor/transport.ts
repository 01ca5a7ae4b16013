// Transport actions shared by the toolbar and the keyboard shortcuts.
import type { Editor } from './editor';
import { barGridOf } from '@/lib/editing/bar-lines';

/** First tick of a 1-based bar, counted across metre changes (the loop range is in bars). */
export const barTick = (ed: Editor, bar: number): number => barGridOf(ed.store.meta).barStart(bar - 1);

export async function togglePlay(ed: Editor): Promise<void> {
  const engine = await ed.audio();
  if (engine.playing) {
    engine.stop();
    ed.setUi({ playing: false });
    return;
  }
  const { loop } = ed.ui;
  const [loopStart, loopEnd] = [barTick(ed, loop.startBar), barTick(ed, loop.endBar)];
  engine.setLoop(loop.enabled, loopStart, loopEnd);
  const from = loop.enabled && (ed.playheadTick < loopStart || ed.playheadTick >= loopEnd) ? loopStart : ed.playheadTick;
  engine.suggestion = null; // plain playback: no auditioned suggestion (app/editor/ai/audition.ts)
  engine.play(from);
  ed.setUi({ playing: true });
}

export function stop(ed: Editor, rewind = false): void {
  if (ed.engine?.playing) {
    if (!rewind) ed.playheadTick = Math.floor(ed.engine.ticks);
    ed.engine.stop();
  }
  if (rewind) ed.playheadTick = ed.ui.loop.enabled ? barTick(ed, ed.ui.loop.startBar) : 0;
  ed.setUi({ playing: false });
}

export function setLoop(ed: Editor, patch: Partial<Editor['ui']['loop']>): void {
  const loop = { ...ed.ui.loop, ...patch };
  loop.startBar = Math.max(1, Math.round(loop.startBar) || 1);
  loop.endBar = Math.max(loop.startBar + 1, Math.round(loop.endBar) || loop.startBar + 1);
  ed.setUi({ loop });
  ed.engine?.setLoop(loop.enabled, barTick(ed, loop.startBar), barTick(ed, loop.endBar));
}

export function setMetronome(ed: Editor, on: boolean): void {
  ed.setUi({ metronome: on });
  if (ed.engine) ed.engine.metronome = on;
  else if (on) void ed.audio().then((e) => (e.metronome = ed.ui.metronome));
}
