// The explain runner (server/http/models-explain.ts) starts its worker thread on first use. A
// worker that ends before it is ready without an error event (an entry that exits) used to leave
// the start pending forever: that request, and every one queued behind it, never answered.
import { describe, expect, it } from 'vitest';
import { ExplainRunner } from '@/server/http/models-explain';

const job = { model: 'gan', seed: 1 } as unknown as Parameters<ExplainRunner['run']>[0];

describe('explain worker start', () => {
  it('a worker that exits before it is ready fails the request, and the next one too, instead of hanging', async () => {
    const runner = new ExplainRunner(new URL('../fixtures/workers/exits-at-start.mjs', import.meta.url));
    try {
      await expect(runner.run(job)).rejects.toThrow(/exited before it was ready \(exit code 0\)/);
      // The start is forgotten: the next request tries again (and fails the same way), not queued behind a dead start.
      await expect(runner.run(job)).rejects.toThrow(/exited before it was ready/);
    } finally {
      await runner.close();
    }
  }, 30_000);
});
