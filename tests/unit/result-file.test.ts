// Runs leave the checkout clean (issue 14): without --write, result files go to a temporary
// folder and committed ones are put back, even when the run fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { keepCommitted, withoutWrite, writeResult } from '@/models/cli/result-file';

let dir: string;
let printed: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-committed-'));
  printed = [];
  vi.spyOn(console, 'error').mockImplementation((m: string) => void printed.push(m));
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const movedTo = (name: string): string => {
  const line = printed.find((l) => l.includes(`${path.sep}${name} `))!;
  return /wrote (\S+)/.exec(line)![1]!;
};

it('writeResult writes the committed file only with --write, else a temporary one it prints', () => {
  const committed = path.join(dir, 'bench.json');
  expect(writeResult(committed, '{"a":1}\n', true)).toBe(committed);
  expect(fs.readFileSync(committed, 'utf8')).toBe('{"a":1}\n');
  const other = writeResult(committed, '{"a":2}\n', false);
  expect(other).not.toBe(committed);
  expect(fs.readFileSync(other, 'utf8')).toBe('{"a":2}\n');
  expect(fs.readFileSync(committed, 'utf8')).toBe('{"a":1}\n');
  expect(printed.join('\n')).toContain(other);
});

it('keepCommitted moves what a run changed or created aside and restores the committed files, even when it throws', async () => {
  fs.writeFileSync(path.join(dir, 'eval-results.json'), 'committed\n');
  fs.writeFileSync(path.join(dir, 'weights.bin'), 'binary');
  const run = async () => {
    fs.writeFileSync(path.join(dir, 'eval-results.json'), 'new figures\n');
    fs.writeFileSync(path.join(dir, 'plot.svg'), '<svg/>');
    throw new Error('eval failed halfway');
  };
  await expect(keepCommitted([dir], run, false)).rejects.toThrow('halfway');
  expect(fs.readdirSync(dir).sort()).toEqual(['eval-results.json', 'weights.bin']);
  expect(fs.readFileSync(path.join(dir, 'eval-results.json'), 'utf8')).toBe('committed\n');
  expect(fs.readFileSync(movedTo('eval-results.json'), 'utf8')).toBe('new figures\n');
  expect(fs.readFileSync(movedTo('plot.svg'), 'utf8')).toBe('<svg/>');

  // The model card and the training log are not eval output: an edit made while an eval runs stays.
  fs.writeFileSync(path.join(dir, 'MODEL_CARD.md'), 'old card\n');
  fs.writeFileSync(path.join(dir, 'train-log.json'), '{}\n');
  await keepCommitted(
    [dir],
    async () => {
      fs.writeFileSync(path.join(dir, 'MODEL_CARD.md'), 'card edited during the eval\n');
      fs.writeFileSync(path.join(dir, 'train-log.json'), '{"steps":1}\n');
    },
    false,
  );
  expect(fs.readFileSync(path.join(dir, 'MODEL_CARD.md'), 'utf8')).toBe('card edited during the eval\n');
  expect(fs.readFileSync(path.join(dir, 'train-log.json'), 'utf8')).toBe('{"steps":1}\n');

  await keepCommitted([dir], async () => fs.writeFileSync(path.join(dir, 'eval-results.json'), 'kept\n'), true);
  expect(fs.readFileSync(path.join(dir, 'eval-results.json'), 'utf8')).toBe('kept\n');
  expect(withoutWrite(['arcnn', '--write', '--json'])).toEqual(['arcnn', '--json']);
});
