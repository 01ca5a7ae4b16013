// Next only builds the browser app; the custom server in server/ hosts it.
// Server-only packages stay out of the bundle: lib/ never imports them, and this list is a guard.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  serverExternalPackages: ['@prisma/client', '@electric-sql/pglite', '@tensorflow/tfjs-node', 'pg'],
};
export default nextConfig;
