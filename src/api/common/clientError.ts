// Requests Node's HTTP parser rejects before any route runs (bad Content-Length, conflicting framing, a
// garbage request line, headers or URL over the size limit, a request that never finishes) still get
// Twilio's error body, written straight to the socket as fastify's own handler would.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from '../../core/errors.ts';
import { twilioErrorBody } from './twilioError.ts';

export function twilioClientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const apiError =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ApiError('requestTimeout')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('headersTooLarge')
        : new ApiError('invalidParameter', 'Malformed HTTP request');
  const body = JSON.stringify(twilioErrorBody(apiError));
  socket.end(
    `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
