/**
 * Server-side encryption at rest (FEATURES §1.8.5, C155-C157): SSE-COS (`x-cos-server-side-encryption:
 * AES256`, the server's master key) and SSE-C (`x-cos-server-side-encryption-customer-*`, a key the
 * client sends with every request and the server never stores).
 *
 * Envelope encryption: each object (or multipart upload) gets a random data key; its blobs are
 * AES-256-CTR under that key, each blob under its own IV; the data key is stored only sealed, by the
 * master key (SSE-COS) or the customer key (SSE-C). Opening the seal is what checks a customer key.
 *
 * Seed 004 names SSE-COS only; the SSE-C headers are the ones the COS SDKs send, and the errors are
 * S3's for the same mistakes, from the one error table (InvalidArgument for malformed headers,
 * InvalidRequest for missing or inapplicable ones, AccessDenied for a wrong key).
 */
import { createHash } from 'node:crypto';
import { CosError } from '@cosbox/protocol';
import { KEY_BYTES, newDataKey, openKey, sealKey } from '../storage/blob/cipher.js';
import type { EncryptionRecord } from '../storage/metadata/store.js';

export const SSE_HEADER = 'x-cos-server-side-encryption';
const CUSTOMER = 'x-cos-server-side-encryption-customer-';
const COPY_SOURCE_CUSTOMER = 'x-cos-copy-source-server-side-encryption-customer-';

/** An SSE-C key as a request presents it, checked against its MD5. */
export interface CustomerKey {
  key: Buffer;
  /** Base64 MD5 of the key, echoed in responses. */
  keyMd5: string;
}

/** The encryption a write asks for. */
export type SseRequest = { kind: 'SSE-COS' } | ({ kind: 'SSE-C' } & CustomerKey);

type Get = (name: string) => string | undefined;

const given = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * The three SSE-C values under `prefix` (algorithm, key, key-MD5): all or none. InvalidArgument when
 * the algorithm is not AES256, the key not 32 bytes of base64, or the MD5 not the key's.
 */
function customerKeyFrom(get: Get, prefix: string): CustomerKey | undefined {
  const algorithm = get(`${prefix}algorithm`);
  const key = get(`${prefix}key`);
  const keyMd5 = get(`${prefix}key-md5`);
  if (!given(algorithm) && !given(key) && !given(keyMd5)) return undefined;
  if (!given(algorithm) || !given(key) || !given(keyMd5)) {
    throw new CosError('InvalidArgument', `Requests specifying Server Side Encryption with Customer provided keys must provide ${prefix}algorithm, ${prefix}key and ${prefix}key-MD5.`);
  }
  if (algorithm.trim() !== 'AES256') throw new CosError('InvalidArgument', 'The customer-provided encryption algorithm must be AES256.');
  const text = key.trim();
  const bytes = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || bytes.length !== KEY_BYTES) {
    throw new CosError('InvalidArgument', 'The customer-provided encryption key must be 256 bits, base64-encoded.');
  }
  const md5 = createHash('md5').update(bytes).digest('base64');
  if (keyMd5.trim() !== md5) throw new CosError('InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.');
  return { key: bytes, keyMd5: md5 };
}

/** The SSE-C key a request presents for the object it addresses (GET, HEAD, Upload Part). */
export function customerKey(get: Get): CustomerKey | undefined {
  return customerKeyFrom(get, CUSTOMER);
}

/** The SSE-C key of a copy's source (`x-cos-copy-source-server-side-encryption-customer-*`). */
export function copySourceCustomerKey(get: Get): CustomerKey | undefined {
  return customerKeyFrom(get, COPY_SOURCE_CUSTOMER);
}

/** What a write's headers (or form fields) ask for: SSE-COS, SSE-C or nothing. */
export function requestedEncryption(get: Get): SseRequest | undefined {
  const sse = get(SSE_HEADER);
  const customer = customerKey(get);
  if (!given(sse)) return customer && { kind: 'SSE-C', ...customer };
  if (customer) throw new CosError('InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified.');
  const value = sse.trim();
  if (value === 'cos/kms') throw new CosError('NotImplemented', 'SSE-KMS is not offered by this server; use AES256.');
  if (value !== 'AES256') throw new CosError('InvalidArgument', `The encryption method ${value} is not supported; use AES256.`);
  return { kind: 'SSE-COS' };
}

/** A data key to encrypt with and the record that stores it sealed. */
export interface SealedDataKey {
  dataKey: Buffer;
  record: EncryptionRecord;
}

/** The response headers of an object or part stored with `kind` (SSE-C echoes the key's MD5 when known). */
export function encryptionHeaders(encryption: EncryptionRecord | undefined, customer?: CustomerKey): Record<string, string> {
  if (!encryption) return {};
  if (encryption.kind === 'SSE-COS') return { [SSE_HEADER]: 'AES256' };
  const headers: Record<string, string> = { [`${CUSTOMER}algorithm`]: 'AES256' };
  if (customer) headers[`${CUSTOMER}key-MD5`] = customer.keyMd5;
  return headers;
}

/** The server's master key and what it does: sealing new data keys, opening stored ones. */
export class ServerSideEncryption {
  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== KEY_BYTES) throw new Error(`the SSE master key must be ${KEY_BYTES} bytes`);
  }

  /** A fresh data key for a write that asked for `request`; undefined for an unencrypted write. */
  newDataKey(request: SseRequest | undefined): SealedDataKey | undefined {
    if (!request) return undefined;
    const dataKey = newDataKey();
    const kek = request.kind === 'SSE-COS' ? this.masterKey : request.key;
    return { dataKey, record: { kind: request.kind, sealedKey: sealKey(kek, dataKey) } };
  }

  /**
   * The data key of stored bytes, given the SSE-C key the request presents (if any): undefined for
   * unencrypted bytes. An SSE-C object needs its key (InvalidRequest without, AccessDenied with a
   * wrong one); a key presented for bytes that are not SSE-C is InvalidRequest.
   */
  dataKey(encryption: EncryptionRecord | undefined, customer: CustomerKey | undefined, what = 'object'): Buffer | undefined {
    if (encryption?.kind !== 'SSE-C') {
      if (customer) throw new CosError('InvalidRequest', `The encryption parameters are not applicable to this ${what}.`);
      if (!encryption) return undefined;
      const key = openKey(this.masterKey, encryption.sealedKey);
      // Only a changed --sse-master-key gets here: say so in the log, not to the client.
      if (!key) throw new Error(`the data key of this ${what} does not open with the server's SSE master key (was the master key changed?)`);
      return key;
    }
    if (!customer) {
      throw new CosError('InvalidRequest', `The ${what} is encrypted with a customer-provided key (SSE-C): the request must provide that key.`);
    }
    const key = openKey(customer.key, encryption.sealedKey);
    if (!key) throw new CosError('AccessDenied', `The SSE-C key provided is not the key this ${what} was encrypted with.`);
    return key;
  }
}
