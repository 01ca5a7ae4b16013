// Several instances on one PostgreSQL: each appends to a session's log and compacts it on its own.
// Two stores on two separate connection pools (as two server processes would have) append and
// compact the same session concurrently, round after round; every appended update must still be
// in the stored document. PostgreSQL being unreachable fails this suite; it never skips.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database } from '@/server/db/client';
import { PrismaDocStore } from '@/server/persistence/prisma-store';
import { initialState, newSessionId } from '@/server/sessions';
import { docFromRows, keyUpdate, pgSchemaUrl, readStoredPg, requirePostgres } from './sync-helpers';
import { PG_URL } from '../helpers/server';


describe('persistence with several instances on one PostgreSQL', () => {
  const schema = pgSchemaUrl('tutti_scaleout_pers');
  const dbs: Database[] = [];

  beforeAll(async () => {
    await requirePostgres();
    dbs.push(await openDatabase({ dataDir: '/nonexistent', databaseUrl: schema.url }));
    dbs.push(await openDatabase({ dataDir: '/nonexistent', databaseUrl: schema.url }));
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
    await schema.drop();
  });

  it('concurrent appends and compactions by two instances lose no row', async () => {
    const [a, b] = dbs.map((db) => new PrismaDocStore(db.prisma, db.pool)) as [PrismaDocStore, PrismaDocStore];
    const id = newSessionId();
    await a.createSession(id, 'shared', initialState('shared'));
    const written: string[] = [];
    for (let round = 0; round < 15; round++) {
      const keys = Array.from({ length: 6 }, (_, i) => `r${round}-${i}`);
      written.push(...keys);
      // Appends from both instances interleave with two compactions racing each other.
      await Promise.all([
        ...keys.map((k, i) => (i % 2 ? a : b).appendUpdate(id, keyUpdate(k))),
        a.compact(id),
        b.compact(id),
      ]);
    }
    await a.compact(id);
    const rows = await readStoredPg(schema.url, id);
    expect(rows.updates).toHaveLength(0);
    const stored = docFromRows(rows);
    const present = new Set(stored.getMap('log').keys());
    expect(written.filter((k) => !present.has(k))).toEqual([]);
  });

  it('compaction deletes only the rows it folded: a row committed after its read survives', async () => {
    const store = new PrismaDocStore(dbs[0]!.prisma, dbs[0]!.pool);
    const id = newSessionId();
    await store.createSession(id, 'late row', initialState('late row'));
    await store.appendUpdate(id, keyUpdate('early'));
    // Another instance's insert: its id is allocated now, its commit comes after the compaction read.
    const url = new URL(PG_URL);
    const other = new pg.Client({ connectionString: url.toString(), options: `-c search_path="${schema.schema}"` });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`INSERT INTO "DocUpdate" ("sessionId", "data") VALUES ($1, $2)`, [id, Buffer.from(keyUpdate('late'))]);
      await store.appendUpdate(id, keyUpdate('after')); // larger id, committed before the compaction
      const result = await store.compact(id);
      expect(result.merged).toBe(2); // 'early' and 'after'; 'late' is not visible yet
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    const rows = await readStoredPg(schema.url, id);
    expect(rows.updates).toHaveLength(1); // the late row, kept for the next compaction
    expect([...docFromRows(rows).getMap('log').keys()].sort()).toEqual(['after', 'early', 'late']);
  });
});
