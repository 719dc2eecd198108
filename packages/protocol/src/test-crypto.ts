// node:crypto for the protocol's own tests (the package itself never imports Node built-ins).
import { createHash, createHmac } from 'node:crypto';
import type { SignatureCrypto } from './signature.js';
import type { Sha256Crypto } from './aws-v4.js';
import type { V2Crypto } from './aws-v2.js';

export const testCrypto: SignatureCrypto & Sha256Crypto & V2Crypto = {
  hmacSha1Hex: (key, message) => createHmac('sha1', key).update(message).digest('hex'),
  sha1Hex: (message) => createHash('sha1').update(message).digest('hex'),
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha256: (key, message) => createHmac('sha256', key).update(message).digest(),
  hmacSha1: (key, message) => createHmac('sha1', key).update(message).digest(),
};
