/** The test bytes the browser pages generate (page.js, sdk-page.js), and digests to check them by. */
import { createHash } from 'node:crypto';

/** The bytes the pages generate: i % 251 at offset i. */
export function bytesOf(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

export const md5Hex = (body: string | Buffer) => createHash('md5').update(body).digest('hex');
export const sha256Hex = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');
