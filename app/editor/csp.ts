// The page's CSP has no 'unsafe-eval' (server/http/edge.ts). zod would compile its object parsers
// with `new Function`, and merely probing whether it may do so is a CSP violation; jitless parsing
// is plenty fast for a browser's few validations. Imported before anything that uses zod.
import { z } from 'zod';

z.config({ jitless: true });
