/** POST Object forms written byte by byte: fields in order, the file last. */
import { signedFields } from '../../e2e/form.js';
import { hostOf, type WireRequest } from './live.js';

export const BOUNDARY = '----cosboxFuzzBoundary7MA4YWxkTrZu0gW';

/** A form field: its name and value as text (sent as UTF-8). */
export type Field = [string, string];

/** A multipart/form-data body with `fields` (plus a valid policy and signature first, when `sign`) and one file. */
export function formRequest(bucket: string, fields: Field[], file: { filename: string; content: string }, sign = true): WireRequest {
  const all: Field[] = [...(sign ? Object.entries(signedFields([])) : []), ...fields];
  const parts = all.map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: text/plain\r\n\r\n${file.content}\r\n--${BOUNDARY}--\r\n`);
  return {
    method: 'POST',
    target: '/',
    headers: [
      ['Host', hostOf(bucket)],
      ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`],
    ],
    body: Buffer.from(parts.join(''), 'utf8'),
  };
}
