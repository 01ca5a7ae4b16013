// Web app manifest: name and icon when the editor is added to a phone's home screen.
import type { MetadataRoute } from 'next';

export default function manifest(): MetadataRoute.Manifest {
  return {
    name: 'Tutti — compose together',
    short_name: 'Tutti',
    start_url: '/',
    display: 'standalone',
    background_color: '#0b0d12',
    theme_color: '#14161c',
    icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' }],
  };
}
