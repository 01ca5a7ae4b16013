// Snap grid: the note values a user can snap to, and rounding ticks onto that grid.
import { PPQ } from '../score';

export const SNAP_OPTIONS = [
  { id: '1/4', label: '1/4', ticks: PPQ },
  { id: '1/8', label: '1/8', ticks: PPQ / 2 },
  { id: '1/16', label: '1/16', ticks: PPQ / 4 },
  { id: '1/32', label: '1/32', ticks: PPQ / 8 },
  { id: 'off', label: 'Off', ticks: 0 },
] as const;
export type SnapId = (typeof SNAP_OPTIONS)[number]['id'];

export function snapTicks(id: SnapId): number {
  return SNAP_OPTIONS.find((o) => o.id === id)?.ticks ?? 0;
}

/** Rounds to the nearest grid line (grid 0 = snap off: whole ticks). */
export function snapRound(tick: number, grid: number): number {
  return grid > 0 ? Math.round(tick / grid) * grid : Math.round(tick);
}

/** The grid line at or before the tick: where a click inside a cell places a note. */
export function snapFloor(tick: number, grid: number): number {
  return grid > 0 ? Math.floor(tick / grid) * grid : Math.floor(tick);
}

export function snapCeil(tick: number, grid: number): number {
  return grid > 0 ? Math.ceil(tick / grid) * grid : Math.ceil(tick);
}

/** Default length of a newly drawn note: one grid step, or a 16th when snap is off. */
export function defaultNoteLength(grid: number): number {
  return grid > 0 ? grid : PPQ / 4;
}
