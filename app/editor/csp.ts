// The page's CSP has no 'unsafe-eval' (server/http/edge.ts). zod compiles its object parsers with
// `new Function`, and merely probing whether it may (which it does when the first object schema is
// built, possibly while zod itself loads) is a CSP violation. jitless parsing is plenty fast for
// the browser's validations. zod reads this global when it loads, so this module imports nothing
// and must be imported before anything that imports zod.
const g = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
g.__zod_globalConfig = { ...g.__zod_globalConfig, jitless: true };

export {};
