'use client';
// The `?` overlay listing every shortcut, grouped, from the same table the key handler uses.
import type { Editor } from '../editor';
import { useUi } from '../hooks';
import { SHORTCUTS } from '../shortcuts';

export function ShortcutsOverlay({ ed }: { ed: Editor }) {
  const ui = useUi(ed);
  if (!ui.showShortcuts) return null;
  const groups = [...new Set(SHORTCUTS.map((s) => s.group))];
  return (
    <div className="tt-overlay" data-testid="shortcut-overlay" onClick={() => ed.setUi({ showShortcuts: false })}>
      <div className="tt-dialog" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()}>
        <div className="tt-panel-head">
          <h2>Keyboard shortcuts</h2>
          <button className="tt-icon" onClick={() => ed.setUi({ showShortcuts: false })} aria-label="Close">✕</button>
        </div>
        <div className="tt-shortcut-grid">
          {groups.map((g) => (
            <div key={g}>
              <h3>{g}</h3>
              <dl>
                {SHORTCUTS.filter((s) => s.group === g).map((s) => (
                  <div key={s.keys} className="tt-sc">
                    <dt><kbd>{s.keys}</kbd></dt>
                    <dd>{s.what}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}

export function Toast({ ed }: { ed: Editor }) {
  const ui = useUi(ed);
  if (!ui.toast) return null;
  return (
    <div className={`tt-toast ${ui.toast.kind}`} data-testid="toast" data-kind={ui.toast.kind} role={ui.toast.kind === 'error' ? 'alert' : 'status'}>
      {ui.toast.text}
      <button className="tt-icon" onClick={() => ed.setUi({ toast: null })} aria-label="Dismiss">✕</button>
    </div>
  );
}
