/**
 * @cosbox/sdk for browsers: the same API over XMLHttpRequest, picked by the `browser` export
 * condition (bundlers) or loaded as the single file dist/cos-sdk.browser.js (a script tag: `COS`).
 *
 *   import COS from '@cosbox/sdk';
 *   const cos = new COS({ getAuthorization(options, callback) { ... } });
 *   await cos.uploadFile({ Bucket, Region, Key: file.name, Body: file, onProgress });
 */
import { installPlatform } from '../transport.js';
import { browserPlatform } from './platform.js';

installPlatform(browserPlatform);

export * from '../exports.js';
export { default } from '../exports.js';
