// One test command for the whole repo. Projects split by cost: unit tests are pure and fast;
// integration tests start real servers and databases (tests/support/services.ts finds or starts the
// PostgreSQL and Redis they need); e2e tests drive Chromium.
import { defineConfig } from 'vitest/config';
import path from 'node:path';

const alias = { '@': path.resolve(import.meta.dirname) };

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'lib/**/*.test.ts', 'models/**/*.test.ts'], testTimeout: 60_000 } },
      { resolve: { alias }, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], globalSetup: ['tests/support/services.ts'], testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false } },
      { resolve: { alias }, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false } },
    ],
  },
});
