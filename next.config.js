// Next only builds the browser app; the custom server in server/ hosts it.
// Server-only packages stay out of the bundle: lib/ never imports them, and this list is a guard.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // No X-Powered-By: it only tells an attacker what to try (server/http/edge.ts sets the other headers).
  poweredByHeader: false,
  // The web build type-checks only what it bundles (app/ and lib/); `npm run typecheck` covers the rest,
  // so a model script in progress can never break `npm start`.
  typescript: { tsconfigPath: 'tsconfig.next.json' },
  serverExternalPackages: ['@prisma/client', '@electric-sql/pglite', '@tensorflow/tfjs-node', 'pg'],
};
export default nextConfig;
