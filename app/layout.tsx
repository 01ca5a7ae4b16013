// Root layout for every page. No web fonts from a CDN (nothing may be fetched at build or run
// time); the system font stack is set in globals.css.
import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Tutti — compose together',
  description: 'Draw notes together on a shared piano roll, hear them play, and ask an AI for accompaniment.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#14161c' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
