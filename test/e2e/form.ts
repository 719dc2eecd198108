/**
 * HTML form uploads (POST Object) sent by Node's fetch: multipart/form-data with the fields in order
 * and the file last, signed as a browser app would sign them (policy + q-sign fields).
 */
import { postPolicySignature } from '@cosbox/protocol';
import { nodeCrypto } from '../../packages/server/src/auth/node-crypto.js';
import { SECRET_ID, SECRET_KEY, type Harness } from './harness.js';
import { nowSeconds } from './raw.js';

/** Policy and q-sign fields for a form, signed with the harness key unless told otherwise. */
export function signedFields(conditions: unknown[], options: { expiresIn?: number; secretKey?: string } = {}): Record<string, string> {
  const policy = JSON.stringify({ expiration: new Date(Date.now() + (options.expiresIn ?? 600) * 1000).toISOString(), conditions });
  const keyTime = `${nowSeconds() - 60};${nowSeconds() + 600}`;
  return {
    policy: Buffer.from(policy).toString('base64'),
    'q-sign-algorithm': 'sha1',
    'q-ak': SECRET_ID,
    'q-key-time': keyTime,
    'q-signature': postPolicySignature(nodeCrypto, options.secretKey ?? SECRET_KEY, keyTime, policy),
  };
}

export interface FormFile {
  name: string;
  content: string | Buffer;
  type?: string;
}

/** POSTs a form (fields in order, the files last) path-style to a bucket. */
export async function postForm(h: Harness, bucket: string, fields: Record<string, string>, files: FormFile[] = [{ name: 'hello.txt', content: 'hello form' }]) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('file', new Blob([f.content], { type: f.type ?? 'text/plain' }), f.name);
  const res = await fetch(`http://127.0.0.1:${h.port}/${bucket}/`, { method: 'POST', body: form, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers) as Record<string, string>, text };
}
