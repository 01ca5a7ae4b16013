// Prisma CLI configuration. Prisma 6.19 with the JS schema engine (engine "js") and a driver
// adapter works offline; the Rust engines it would otherwise download are unreachable here.
// The CLI is only needed for `prisma generate` and for writing new migrations with
// `prisma migrate diff`; the server applies checked-in migrations itself (server/db/migrate.ts).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { createPool } from './server/db/pool';

process.env.CHECKPOINT_DISABLE ??= '1';
// The schema's datasource url must resolve even for `prisma generate`, which never connects.
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/test';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    const url = process.env.DATABASE_URL!;
    return new PrismaPg(createPool({ connectionString: url, max: 2 }));
  },
});
