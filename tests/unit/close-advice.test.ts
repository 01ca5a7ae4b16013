// What the editor does on each close code of /sync (app/editor/session/close-advice.ts): a
// rotated link, a deleted session or a refused change stop reconnecting and say why; a full
// session or a flood retry slowly with a growing wait; a restart or network drop reconnects.
import { describe, expect, it } from 'vitest';
import { adviceFor, LATER_FIRST_MS, LATER_MAX_MS } from '@/app/editor/session/close-advice';
import { CLOSE } from '@/lib/sync/close-codes';

describe('close advice', () => {
  it('stops on a rotated link, a deleted session, a refused or oversized change', () => {
    expect(adviceFor(CLOSE.unauthorized, 'the edit link was rotated')).toMatchObject({ kind: 'fatal', title: 'This link was rotated or is invalid', reason: 'the edit link was rotated' });
    expect(adviceFor(CLOSE.sessionDeleted, '')).toMatchObject({ kind: 'fatal', title: 'This session was deleted' });
    expect(adviceFor(CLOSE.invalidUpdate, 'refused update: bad pitch')).toMatchObject({ kind: 'fatal', title: 'Your change was refused: refused update: bad pitch' });
    expect(adviceFor(CLOSE.overLimit, 'the limit is 256')).toMatchObject({ kind: 'fatal', title: 'Your change was refused: the limit is 256' });
    expect(adviceFor(CLOSE.tooBig, 'message of 9000000 bytes')).toMatchObject({ kind: 'fatal' });
    for (const code of [CLOSE.invalidUpdate, CLOSE.overLimit, CLOSE.tooBig]) expect((adviceFor(code, 'x') as { detail: string }).detail).toMatch(/kept in this browser/);
  });

  it('retries a full session or a flood slowly, doubling up to the cap', () => {
    expect(adviceFor(CLOSE.roomFull, 'session is full', 0)).toMatchObject({ kind: 'later', title: 'The session is full', retryMs: LATER_FIRST_MS });
    expect(adviceFor(CLOSE.rateLimited, '', 1)).toMatchObject({ kind: 'later', retryMs: 2 * LATER_FIRST_MS });
    expect(adviceFor(CLOSE.roomFull, '', 20)).toMatchObject({ retryMs: LATER_MAX_MS });
  });

  it('reconnects as usual after a restart, a network drop, an internal error or a token check the server could not make', () => {
    for (const code of [1000, CLOSE.goingAway, 1006, CLOSE.internalError, CLOSE.tryAgainLater]) expect(adviceFor(code, '')).toEqual({ kind: 'transient' });
  });
});
