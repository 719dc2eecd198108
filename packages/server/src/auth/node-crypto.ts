import { createHash, createHmac } from 'node:crypto';
import type { Sha256Crypto, SignatureCrypto, V2Crypto } from '@cosbox/protocol';

/** The signatures' hashing, by node:crypto (the protocol package stays free of Node built-ins). */
export const nodeCrypto: SignatureCrypto & Sha256Crypto & V2Crypto = {
  hmacSha1Hex: (key, message) => createHmac('sha1', key).update(message).digest('hex'),
  sha1Hex: (message) => createHash('sha1').update(message).digest('hex'),
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256: (key, message) => createHmac('sha256', key).update(message).digest(),
  hmacSha1: (key, message) => createHmac('sha1', key).update(message).digest(),
};
