/** Node: the node:http/https transport, node:crypto hashes, local files. */
import { createHash, createHmac } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Platform } from '../transport.js';
import { nodeFiles } from './files.js';
import { createNodeTransport } from './transport.js';

export const nodePlatform: Platform = {
  defaultProtocol: () => 'https:',
  createTransport: createNodeTransport,
  crypto: {
    hmacSha1Hex: (key, message) => createHmac('sha1', key).update(message).digest('hex'),
    sha1Hex: (message) => createHash('sha1').update(message).digest('hex'),
    md5Base64: (data) => createHash('md5').update(data).digest('base64'),
  },
  files: nodeFiles,
  createPassThrough: () => new PassThrough(),
  // The transport's bytes already are a Buffer; anything else is wrapped without copying.
  responseBody: (bytes) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
};
