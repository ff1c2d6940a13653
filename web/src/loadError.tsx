// What a page or panel loads when it opens (a task, the lists its filters offer) may fail: the server may be
// unreachable, the task gone. Each such load says why where it would have shown, instead of leaving a blank
// panel, an empty filter and an unhandled rejection.
import { useEffect, useState } from 'preact/hooks';

/** Runs `load` whenever `deps` change; the message of its failure (only the newest load's counts). */
export function useLoadError(load: () => Promise<unknown>, deps: unknown[]): string | undefined {
  const [error, setError] = useState<string>();
  useEffect(() => {
    let current = true;
    setError(undefined);
    load().catch((err: Error) => current && setError(err.message));
    return () => {
      current = false;
    };
  }, deps);
  return error;
}

/** A load's failure, announced. */
export function LoadError({ error, what }: { error: string | undefined; what: string }) {
  return error ? (
    <p role="alert" class="error">
      {what}: {error}
    </p>
  ) : null;
}
