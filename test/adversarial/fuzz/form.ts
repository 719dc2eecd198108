/** POST Object forms written byte by byte: fields in order, the file last. */
import { postPolicySignature } from '@cosbox/protocol';
import { nodeCrypto } from '../../../packages/server/src/auth/node-crypto.js';
import { CREDENTIALS, hostOf, type WireRequest } from './live.js';

export const BOUNDARY = '----cosboxFuzzBoundary7MA4YWxkTrZu0gW';

/** A form field: its name and value as text (sent as UTF-8). */
export type Field = [string, string];

/** A policy allowing anything for ten minutes, and its q-sign fields. */
export function signedFields(signer: { secretId: string; secretKey: string } = CREDENTIALS): Field[] {
  const now = Math.floor(Date.now() / 1000);
  const policy = JSON.stringify({ expiration: new Date((now + 600) * 1000).toISOString(), conditions: [] });
  const keyTime = `${now - 60};${now + 600}`;
  return [
    ['policy', Buffer.from(policy).toString('base64')],
    ['q-sign-algorithm', 'sha1'],
    ['q-ak', signer.secretId],
    ['q-key-time', keyTime],
    ['q-signature', postPolicySignature(nodeCrypto, signer.secretKey, keyTime, policy)],
  ];
}

/** A multipart/form-data body with `fields` (after a valid policy and signature, unless `signer` is false) and one file. */
export function formRequest(bucket: string, fields: Field[], file: { filename: string; content: string }, signer: false | { secretId: string; secretKey: string } = CREDENTIALS): WireRequest {
  const all: Field[] = [...(signer ? signedFields(signer) : []), ...fields];
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
