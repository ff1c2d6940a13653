// A text filter of a live list: what is typed is kept as it is typed, and applied (trimmed) on change. A list
// that refreshes live re-renders between keystrokes; an input whose value was the applied filter was put back
// to it at such a re-render, and what the user had typed was lost before it could apply.
import { useState } from 'preact/hooks';

export function FilterInput({ placeholder, onApply }: { placeholder: string; onApply: (value: string) => void }) {
  const [typed, setTyped] = useState('');
  return (
    <input
      value={typed}
      placeholder={placeholder}
      onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
      onChange={(e) => onApply((e.target as HTMLInputElement).value.trim())}
    />
  );
}
