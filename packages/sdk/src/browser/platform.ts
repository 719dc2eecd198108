/**
 * Browsers: the XMLHttpRequest transport and the pure-JS hashes of @cosbox/protocol (signing is
 * synchronous, so WebCrypto's async digests cannot serve it; and WebCrypto has no MD5). No local
 * files: uploads take a File or Blob as Body.
 */
import { pureCrypto } from '@cosbox/protocol';
import type { Platform } from '../transport.js';
import { createBrowserTransport } from './transport.js';

declare const location: { protocol: string } | undefined;

export const browserPlatform: Platform = {
  // The page's protocol, as cos-js-sdk-v5 does: http: pages talk to http:, anything else to https:.
  defaultProtocol: () => (typeof location === 'object' && location?.protocol === 'http:' ? 'http:' : 'https:'),
  createTransport: createBrowserTransport,
  crypto: pureCrypto,
  setsContentLength: true,
  responseBody(bytes, dataType, contentType) {
    if (dataType === 'blob') return new Blob([bytes], contentType ? { type: contentType } : {});
    if (dataType === 'arraybuffer') return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    return new TextDecoder().decode(bytes);
  },
};
