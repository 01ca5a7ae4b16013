// Root layout for every page. No web fonts from a CDN (nothing may be fetched at build or run
// time); the system font stack is set in globals.css.
import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import './globals.css';
import { TEST_HOOKS_META } from './test-hooks';

export const metadata: Metadata = {
  title: 'Tutti — compose together',
  description: 'Draw notes together on a shared piano roll, hear them play, and ask an AI for accompaniment.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#14161c' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: its scripts carry the CSP nonce the server put in the
  // request's content-security-policy header (server/http/edge.ts). A prerendered page could not.
  await connection();
  // TUTTI_TEST_HOOKS=1 (tests and benches only): the page installs its window.__tutti* hooks.
  const testHooks = process.env.TUTTI_TEST_HOOKS === '1';
  return (
    <html lang="en">
      {testHooks && (
        <head>
          <meta name={TEST_HOOKS_META} content="1" />
        </head>
      )}
      <body>{children}</body>
    </html>
  );
}
