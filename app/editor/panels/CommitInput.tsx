'use client';
// A text field that edits a shared value: typing stays local, the value is written once on Enter
// or blur. Collaborators never see half-typed names and one rename is one undo step.
import { useState } from 'react';

export function CommitInput({ value, onCommit, onDone, ...rest }: { value: string; onCommit(v: string): void; /** After the field is left (committed or not). */ onDone?(): void } & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft !== null && draft.trim() && draft !== value) onCommit(draft.trim());
    setDraft(null);
    onDone?.();
  };
  return (
    <input
      {...rest}
      value={draft ?? value}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
        if (e.key === 'Escape') {
          setDraft(null);
          requestAnimationFrame(() => (e.target as HTMLInputElement).blur());
        }
      }}
    />
  );
}
