// For test files that need the JSB Chorales: without the data they fail with a message saying
// where it comes from — unless TUTTI_ALLOW_MISSING_DATA=1, where they are skipped with a loud
// warning. Usage: `const hasJsb = requireJsbForTests('my suite'); describe.skipIf(!hasJsb)(…)`.
import { JsbMissingError, jsbAvailable, jsbDir } from './jsb';
import { readModelsEnv } from '../env';

export function requireJsbForTests(suite: string): boolean {
  if (jsbAvailable()) return true;
  if (readModelsEnv().TUTTI_ALLOW_MISSING_DATA === '1') {
    const bar = '!'.repeat(78);
    console.warn(`\n${bar}\n!! SKIPPING "${suite}": JSB Chorales missing at ${jsbDir()}\n!! (TUTTI_ALLOW_MISSING_DATA=1). These tests did NOT run.\n${bar}\n`);
    return false;
  }
  throw new JsbMissingError(jsbDir());
}
