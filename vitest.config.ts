// One test command for the whole repo (`npm test` runs every project). Projects are named for what
// they need, so a run can pick what the machine has:
//   unit         pure TypeScript: no tfjs, weights, data or servers; seconds (`npm run test:unit`)
//   models       model code on tfjs (wasm backend) and the committed weights in models/weights
//   jsb-data     also the JSB Chorales from outside the repository (../shared/data/jsb-chorales,
//                TUTTI_JSB_DIR; without it they fail, or skip loudly with TUTTI_ALLOW_MISSING_DATA=1)
//   integration  real servers, websocket clients and databases (tests/support/services.ts finds or
//                starts the PostgreSQL and Redis they need)
//   e2e          Chromium against the production build
import { defineConfig } from 'vitest/config';
import path from 'node:path';

const alias = { '@': path.resolve(import.meta.dirname) };

/** Model tests that read the JSB Chorales (they call requireJsbForTests). */
const JSB_DATA = ['models/arcnn/train.test.ts', 'models/data/data.test.ts', 'models/gan/train.test.ts', 'models/metrics/metrics.test.ts', 'models/transformer/mel-network.test.ts', 'models/transformer/train.test.ts'];

export default defineConfig({
  test: {
    projects: [
      // Pure tests (no module mocks, globals, env or fake timers): files share their workers' module
      // cache instead of each re-importing lib/ and yjs, which was two thirds of the project's time.
      { resolve: { alias }, test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'lib/**/*.test.ts'], testTimeout: 20_000, isolate: false } },
      { resolve: { alias }, test: { name: 'models', include: ['models/**/*.test.ts', 'tests/models/**/*.test.ts'], exclude: JSB_DATA, testTimeout: 60_000 } },
      { resolve: { alias }, test: { name: 'jsb-data', include: JSB_DATA, testTimeout: 60_000 } },
      { resolve: { alias }, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], globalSetup: ['tests/support/services.ts'], testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false } },
      { resolve: { alias }, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false } },
    ],
  },
});
