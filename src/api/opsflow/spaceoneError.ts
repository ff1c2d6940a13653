// The Opsflow face's error body, as SpaceONE's python-core answers over HTTP (its FastAPI `_raise_exception`
// raises HTTPException(detail={code, message})): `{"detail": {"code": "ERROR_...", "message": "..."}}`, which
// the Cloudforet console reads as `response.data.detail.code` / `.message`. Switchboard's structured facts (the
// offending key, the value not found) stay inside `detail`, as `details`.
import { type ApiError, spaceoneCode } from '../../core/errors.ts';

export interface SpaceoneErrorBody {
  detail: { code: string; message: string; details?: Record<string, string>[] };
}

export function spaceoneErrorBody(err: ApiError): SpaceoneErrorBody {
  return { detail: { code: spaceoneCode(err.kind), message: err.message, ...(err.details.length ? { details: err.details } : {}) } };
}
