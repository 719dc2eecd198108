/**
 * The ciphers of encryption at rest: AES-256-CTR for blob bytes and AES-256-GCM to seal data keys.
 *
 * CTR because it is a stream cipher that can start anywhere: byte `n` of a blob is keystream block
 * `n / 16` (the IV plus `n / 16` as a 128-bit counter), so a Range read decrypts from its first
 * byte without touching the bytes before it, and ciphertext is exactly as long as plaintext (blob
 * sizes, offsets and manifests stay the same). CTR has no integrity of its own; the object's MD5 and
 * CRC-64 are of the plaintext and the disk is trusted not to be rewritten, only not to be read.
 *
 * GCM seals a data key: its tag fails when the key it is opened with is not the one it was sealed
 * with, which is how a wrong SSE-C customer key is told apart without storing anything of that key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const BLOCK = 16;
const NONCE = 12;
const TAG = 16;

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function newIv(): Buffer {
  return randomBytes(BLOCK);
}

/** `iv + blocks` as a 128-bit big-endian counter, wrapping as OpenSSL's CTR mode does. */
export function counterAt(iv: Buffer, blocks: number): Buffer {
  const out = Buffer.from(iv);
  let carry = BigInt(blocks);
  for (let i = BLOCK - 1; i >= 0 && carry > 0n; i--) {
    const sum = BigInt(out[i]) + (carry & 0xffn);
    out[i] = Number(sum & 0xffn);
    carry = (carry >> 8n) + (sum >> 8n);
  }
  return out;
}

/** Encrypts or decrypts (the same in CTR) chunk by chunk, from byte `offset` of a blob on. */
export interface CtrStream {
  update(chunk: Uint8Array): Buffer;
}

export function ctrAt(key: Buffer, iv: Buffer, offset: number): CtrStream {
  const cipher = createCipheriv('aes-256-ctr', key, counterAt(iv, Math.floor(offset / BLOCK)));
  const skip = offset % BLOCK;
  if (skip > 0) cipher.update(Buffer.alloc(skip));
  return cipher;
}

/** Seals a data key with `kek`: base64 of nonce, ciphertext and GCM tag. */
export function sealKey(kek: Buffer, dataKey: Buffer): string {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  const sealed = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64');
}

/** The data key `sealKey` sealed, or undefined when `kek` is not the key it was sealed with. */
export function openKey(kek: Buffer, sealed: string): Buffer | undefined {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length !== NONCE + KEY_BYTES + TAG) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, NONCE));
  decipher.setAuthTag(bytes.subarray(NONCE + KEY_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(NONCE, NONCE + KEY_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}
