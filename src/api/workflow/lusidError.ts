// The Workflow face's error body, LUSID's problem details (LusidProblemDetails / LusidValidationProblemDetails):
// {name, errorDetails, code, type, title, status, detail, instance}. Errors from the shared registry that have
// no Workflow name (authentication, limits) get one derived from their kind.
import { z } from 'zod';
import type { ApiError } from '../../core/errors.ts';
import { ERRORS, errorName } from '../../core/errors.ts';

export const LUSID_ERROR = z
  .object({
    name: z.string(),
    errorDetails: z.array(z.record(z.string(), z.string())),
    code: z.number().int(),
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
  })
  .describe("LUSID's problem details");

export type LusidProblemDetails = z.output<typeof LUSID_ERROR>;

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
