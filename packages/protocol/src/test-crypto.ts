// node:crypto for the protocol's own tests (the package itself never imports Node built-ins).
import { createHash, createHmac } from 'node:crypto';
import type { SignatureCrypto } from './signature.js';

export const testCrypto: SignatureCrypto = {
  hmacSha1Hex: (key, message) => createHmac('sha1', key).update(message).digest('hex'),
  sha1Hex: (message) => createHash('sha1').update(message).digest('hex'),
};
