export * from './errors.js';
export * from './xml.js';
export * from './signature.js';
export * from './crc64.js';
export * from './headers.js';
export * from './operations.js';
export * from './hash.js';
