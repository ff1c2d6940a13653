// The Workflow face's error body, LUSID's problem details (LusidProblemDetails / LusidValidationProblemDetails):
// {name, errorDetails, code, type, title, status, detail, instance}. Errors from the shared registry that have
// no Workflow name (authentication, limits) get one derived from their kind.
import type { ApiError } from '../../core/errors.ts';
import { ERRORS } from '../../core/errors.ts';

export interface LusidProblemDetails {
  name: string;
  errorDetails: Record<string, string>[];
  code: number;
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
}

function nameOf(err: ApiError): string {
  const entry = ERRORS[err.kind] as { name?: string };
  return entry.name ?? err.kind.charAt(0).toUpperCase() + err.kind.slice(1);
}

export function lusidErrorBody(err: ApiError, requestId: string): LusidProblemDetails {
  return {
    name: nameOf(err),
    errorDetails: err.details,
    code: err.code,
    type: `https://github.com/switchboard/switchboard/blob/main/docs/errors.md#${err.code}`,
    title: ERRORS[err.kind].message,
    status: err.status,
    detail: err.message,
    instance: `urn:switchboard:request:${requestId}`,
  };
}
