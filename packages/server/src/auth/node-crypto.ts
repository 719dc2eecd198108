import { createHash, createHmac } from 'node:crypto';
import type { SignatureCrypto } from '@cosbox/protocol';

/** The signature's hashing, by node:crypto (the protocol package stays free of Node built-ins). */
export const nodeCrypto: SignatureCrypto = {
  hmacSha1Hex: (key, message) => createHmac('sha1', key).update(message).digest('hex'),
  sha1Hex: (message) => createHash('sha1').update(message).digest('hex'),
};
