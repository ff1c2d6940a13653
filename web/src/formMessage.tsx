// The outcome of a form's submission, as every form page shows it: the API's refusal as an alert, a success as
// a status line (both announced by screen readers); and a form's submit and Cancel buttons.
import { useState } from 'preact/hooks';

export interface FormOutcome {
  error?: string;
  ok?: string;
}

/** `submit(work, done)` runs `work` (an API call), then shows `done` or the error the API gave. */
export function useFormOutcome(): [FormOutcome, (work: () => Promise<unknown>, done: string) => Promise<void>] {
  const [outcome, setOutcome] = useState<FormOutcome>({});
  const submit = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      setOutcome({ ok: done });
    } catch (err) {
      setOutcome({ error: (err as Error).message });
    }
  };
  return [outcome, submit];
}

export function FormMessage({ outcome }: { outcome: FormOutcome }) {
  return (
    <>
      {outcome.error ? (
        <p role="alert" class="error">
          {outcome.error}
        </p>
      ) : null}
      {outcome.ok ? <p role="status">{outcome.ok}</p> : null}
    </>
  );
}

/** A form's submit button and, beside it, Cancel. */
export function SubmitOrCancel({ label, disabled = false, cancel }: { label: string; disabled?: boolean; cancel: () => void }) {
  return (
    <div class="actions">
      <button type="submit" disabled={disabled}>
        {label}
      </button>
      <button type="button" class="secondary" onClick={cancel}>
        Cancel
      </button>
    </div>
  );
}
