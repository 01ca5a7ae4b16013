// The AI's presence on the roll, drawn on the overlay layer for everyone in the session:
//  - ghost notes of each request's previewed candidate over its bars (dashed outlines in the
//    candidate's colour; the notes it would replace, as they are now, crossed out in red);
//  - a progress band over the bars of every queued or running job (label, percentage);
//  - the "where did this come from" tooltip on notes an accepted suggestion wrote.
// Reads app/editor/ai/ai-view.ts; writes nothing.
import { pitchToY, tickToX, visiblePitches, visibleTicks, xToTick, yToPitch } from '@/lib/editing';
import type { Editor } from '../editor';
import { aiView, MODEL_LABEL } from '../ai/ai-view';
import { participantName } from '../ai/identity';

/** One colour per candidate slot (cards use the same, so card and ghost notes read as one). */
export const CANDIDATE_COLOURS = ['#f5b544', '#4fd1c5', '#e879f9', '#a3e635'] as const;
export const candidateColour = (index: number) => CANDIDATE_COLOURS[((index % 4) + 4) % 4]!;

/** Counts from the last frame (the e2e test reads them through window.__tuttiAi). */
export const overlayStats = { ghostNotes: 0, crossedOut: 0, bands: 0 };

export function drawSuggestionOverlay(ctx: CanvasRenderingContext2D, ed: Editor): void {
  const v = ed.view;
  const view = aiView(ed);
  const [t0, t1] = visibleTicks(v);
  const [pLow, pHigh] = visiblePitches(v);
  const rh = v.rowHeight;
  let ghosts = 0;
  let crossed = 0;

  for (const s of view.previews()) {
    const colour = candidateColour(s.index);
    const [a, b] = view.span(s);
    // A faint wash over the suggestion's bars, so it is clear where it would land.
    ctx.fillStyle = `${colour}14`;
    ctx.fillRect(tickToX(v, a), 0, (b - a) * v.pxPerTick, v.height);
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = colour;
    ctx.fillStyle = `${colour}40`;
    for (const n of s.notes) {
      if (n.start > t1 || n.start + n.duration < t0 || n.pitch < pLow || n.pitch > pHigh) continue;
      const x = tickToX(v, n.start);
      const y = pitchToY(v, n.pitch) + 1;
      const w = Math.max(3, n.duration * v.pxPerTick - 1);
      ctx.fillRect(x, y, w, rh - 3);
      ctx.strokeRect(x + 0.5, y + 0.5, w - 1, rh - 4);
      ghosts++;
    }
    ctx.setLineDash([]);
    // What it would replace, against the notes as they are now (deleted since: nothing to show).
    if (s.remove.length) {
      ctx.strokeStyle = '#f87171';
      ctx.lineWidth = 1.5;
      for (const id of s.remove) {
        const n = ed.store.notes.get(id as never);
        if (!n) continue;
        const x = tickToX(v, n.start);
        const y = pitchToY(v, n.pitch) + 1;
        const w = Math.max(3, n.duration * v.pxPerTick - 1);
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + w, y + rh - 3);
        ctx.moveTo(x, y + rh - 3);
        ctx.lineTo(x + w, y);
        ctx.stroke();
        crossed++;
      }
    }
  }

  const bands = view.bands();
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  for (const band of bands) {
    const x0 = Math.max(0, tickToX(v, band.fromTick));
    const x1 = Math.min(v.width, tickToX(v, band.toTick));
    if (x1 <= x0) continue;
    ctx.fillStyle = 'rgba(91, 141, 239, 0.10)';
    ctx.fillRect(x0, 0, x1 - x0, v.height);
    const y = 4 + band.row * 20;
    ctx.fillStyle = 'rgba(14, 16, 22, 0.85)';
    ctx.fillRect(x0, y, x1 - x0, 16);
    ctx.fillStyle = 'rgba(91, 141, 239, 0.55)';
    ctx.fillRect(x0, y, (x1 - x0) * band.progress, 16);
    ctx.fillStyle = '#e6e9f0';
    ctx.fillText(band.label, x0 + 4, y + 2, Math.max(10, x1 - x0 - 8));
  }
  overlayStats.ghostNotes = ghosts;
  overlayStats.crossedOut = crossed;
  overlayStats.bands = bands.length;
}

/** "From GAN v3, seed 12, accepted by Alice" for a note an accepted suggestion wrote, else null. */
export function provenanceOf(ed: Editor, noteId: string): string | null {
  const sid = ed.store.notes.get(noteId as never)?.suggestionId;
  if (!sid) return null;
  const s = aiView(ed).suggestion(sid);
  if (!s) return 'From an AI suggestion no longer in this session’s list';
  const who = s.decidedBy ? participantName(ed, s.decidedBy) : null;
  const version = s.modelVersion ? ` ${s.modelVersion}` : '';
  return `From ${MODEL_LABEL[s.model] ?? s.model}${version}, seed ${s.seed}, ${s.task}; asked by ${s.requesterName}${who ? `, accepted by ${who}` : ''}`;
}

/** The note under a point of the roll (any track, topmost = latest start). */
function noteAt(ed: Editor, x: number, y: number): string | null {
  const v = ed.view;
  const tick = xToTick(v, x);
  const pitch = yToPitch(v, y);
  let hit: string | null = null;
  ed.store.noteIndex().forEachInRange(tick - 1, tick + 1, (n) => {
    if (n.pitch === pitch && n.start <= tick && tick < n.start + n.duration) hit = n.id;
  }, pitch, pitch);
  return hit;
}

/** Shows the provenance of the note under the pointer as the roll's tooltip. Returns an uninstaller. */
export function installProvenanceTooltip(ed: Editor, canvas: HTMLCanvasElement): () => void {
  let last: string | null = null;
  const move = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    const id = noteAt(ed, e.clientX - r.left, e.clientY - r.top);
    const text = id ? provenanceOf(ed, id) : null;
    if (text === last) return;
    last = text;
    if (text) canvas.title = text;
    else canvas.removeAttribute('title');
  };
  canvas.addEventListener('pointermove', move);
  return () => canvas.removeEventListener('pointermove', move);
}
