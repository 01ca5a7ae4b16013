// The decoder-default rule on hand-made sweep rows: more issue-12 targets met wins over a higher
// chord share; among equals the higher chord share, then the higher onset consonance.
import { describe, expect, it } from 'vitest';
import type { HarmonyFigures } from '../metrics/harmony';
import { chooseSetting, type SweepRow } from './calibrate';

const figures = (chord: number, onset: number): HarmonyFigures => ({
  parallels_per_bar: 0,
  onset_consonance: onset,
  bass_consonance: 0.88,
  chord_at_onsets: chord,
  share_16th: 0.02,
  crossings: 0,
  above_melody: 0,
  in_key: 0.95,
});
const row = (temperature: number, penalty: number, met: number, chord: number, onset = 0.88): SweepRow => ({ temperature, penalty, met, figures: figures(chord, onset) });

describe('GAN decoder calibration rule', () => {
  it('prefers targets met, then chord share, then onset consonance', () => {
    expect(chooseSetting([row(0.5, 0.1, 5, 0.95), row(0, 0.1, 6, 0.85)])).toMatchObject({ temperature: 0, penalty: 0.1 });
    expect(chooseSetting([row(0, 0.1, 6, 0.85), row(0, 0.2, 6, 0.9)])).toMatchObject({ penalty: 0.2 });
    expect(chooseSetting([row(0, 0.1, 6, 0.9, 0.87), row(0, 0.2, 6, 0.9, 0.89)])).toMatchObject({ penalty: 0.2 });
    expect(() => chooseSetting([])).toThrow();
  });
});
