// Twilio's error body, parsed by the twilio client into a RestException: {code, message, more_info, status}.
import { z } from 'zod';
import { ApiError } from '../../core/errors.ts';

export const TWILIO_ERROR = z
  .object({ code: z.number().int(), message: z.string(), more_info: z.string(), status: z.number().int() })
  .describe("Twilio's error body (codes in docs/errors.md)");

export type TwilioErrorBody = z.output<typeof TWILIO_ERROR>;

export function twilioErrorBody(err: ApiError): TwilioErrorBody {
  return { code: err.code, message: err.message, more_info: `https://www.twilio.com/docs/errors/${err.code}`, status: err.status };
}

/** Maps framework errors (body parsing, limits) and unexpected exceptions onto the registry. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payloadTooLarge');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupportedMediaType', 'Unsupported Content-Type: send application/x-www-form-urlencoded');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalidParameter', 'Request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('invalidParameter', 'Content-Length does not match the body');
  }
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError('invalidParameter', e.message ?? 'Bad request');
  }
  return new ApiError('internal');
}
