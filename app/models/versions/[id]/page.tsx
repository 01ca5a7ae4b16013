// /models/versions/<id>: one model version's generated card (a shell; VersionCard reads the studio API).
import Link from 'next/link';
import type { Metadata } from 'next';
import { VersionCard } from './VersionCard';
import '../../models.css';

export const metadata: Metadata = { title: 'Model version — Tutti' };

export default async function VersionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <main className="models-page">
      <nav className="models-nav">
        <Link href="/">← Tutti</Link>
        <Link href="/models">The models</Link>
        <Link href="/models/train">Train your own</Link>
      </nav>
      <VersionCard id={id} />
    </main>
  );
}
