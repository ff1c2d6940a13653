// The Workflow face's error body, LUSID's problem details (LusidProblemDetails / LusidValidationProblemDetails):
// {name, errorDetails, code, type, title, status, detail, instance}. Errors from the shared registry that have
// no Workflow name (authentication, limits) get one derived from their kind.
import type { ApiError } from '../../core/errors.ts';
import { ERRORS, errorName } from '../../core/errors.ts';

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

export function lusidErrorBody(err: ApiError, requestId: string): LusidProblemDetails {
  return {
    name: errorName(err.kind),
    errorDetails: err.details,
    code: err.code,
    type: `https://github.com/switchboard/switchboard/blob/main/docs/errors.md#${err.code}`,
    title: ERRORS[err.kind].message,
    status: err.status,
    detail: err.message,
    instance: `urn:switchboard:request:${requestId}`,
  };
}
