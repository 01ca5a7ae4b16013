// Inline SVG icons for the toolbar: no icon font or CDN, and every glyph renders on every system.
const PATHS: Record<string, string> = {
  play: 'M7 5v14l11-7z',
  stop: 'M6 6h12v12H6z',
  rewind: 'M6 6h2v12H6zm3.5 6 8.5 6V6z',
  loop: 'M7 7h10v3l4-4-4-4v3H5v6h2V7zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2v4z',
  metronome: 'M12 2 7.5 4 4 20a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1l-2.2-10-1.7 1.7L17.7 19H6.3l2.9-13.2L12 4.4l2.6 1.3.5 2.4L17 6.2l-.4-2.2zm6.6 2.6-7.3 7.3 1.4 1.4 7.3-7.3z',
  follow: 'M3 5h2v14H3zm5 6h9.2l-3.6-3.6L15 6l6 6-6 6-1.4-1.4 3.6-3.6H8z',
  pencil: 'M3 17.2V21h3.8L17.8 10 14 6.2zM20.7 7a1 1 0 0 0 0-1.4l-2.3-2.3a1 1 0 0 0-1.4 0l-1.8 1.8 3.7 3.7z',
  select: 'M3 3h4v2H5v2H3zm6 0h6v2H9zm8 0h4v4h-2V5h-2zM3 9h2v6H3zm16 0h2v6h-2zM3 17h2v2h2v2H3zm16 0h2v4h-4v-2h2zM9 19h6v2H9z',
  undo: 'M12.5 8c-2.6 0-5 1-6.9 2.6L2 7v9h9l-3.6-3.6A8 8 0 0 1 20.1 16l2.4-.8A10.5 10.5 0 0 0 12.5 8z',
  redo: 'M18.4 10.6A10.5 10.5 0 0 0 1.5 15.2l2.4.8a8 8 0 0 1 12.7-3.6L13 16h9V7z',
  zoomIn: 'M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z',
  zoomOut: 'M5 11h14v2H5z',
  rows: 'M12 3l4 4h-3v10h3l-4 4-4-4h3V7H8z',
  help: 'M11 18h2v-2h-2zm1-16a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm0-14a4 4 0 0 0-4 4h2a2 2 0 1 1 4 0c0 2-3 1.8-3 5h2c0-2.3 3-2.5 3-5a4 4 0 0 0-4-4z',
  history: 'M13 3a9 9 0 0 0-9 9H1l3.9 3.9L9 12H6a7 7 0 1 1 2.1 5l-1.4 1.4A9 9 0 1 0 13 3zm-1 5v5l4.3 2.5.7-1.2-3.5-2.1V8z',
  link: 'M10.6 13.4a1 1 0 0 0 1.4 0l4-4a3 3 0 1 0-4.2-4.2l-1.5 1.5 1.4 1.4 1.5-1.5a1 1 0 1 1 1.4 1.4l-4 4a1 1 0 0 0 0 1.4zm2.8-2.8a1 1 0 0 0-1.4 0l-4 4a3 3 0 1 0 4.2 4.2l1.5-1.5-1.4-1.4-1.5 1.5a1 1 0 1 1-1.4-1.4l4-4a1 1 0 0 0 0-1.4z',
};

export function Icon({ name, size = 16 }: { name: keyof typeof PATHS | string; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" fill="currentColor" style={{ display: 'block' }}>
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}
