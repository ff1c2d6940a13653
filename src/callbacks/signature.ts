// X-Twilio-Signature as Twilio computes it (reference §15.6), so receivers keep using twilio.validateRequest:
// base64(HMAC-SHA1(authToken, url + every parameter as key + value, keys sorted; repeated keys' values sorted)).
import { createHmac } from 'node:crypto';

export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    for (const one of Array.isArray(value) ? [...new Set(value)].sort() : [value]) data += key + one;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
