/**
 * @cosbox/sdk for Node: the COS JavaScript SDK's API over node:http/https.
 *
 *   import COS from '@cosbox/sdk';
 *   const cos = new COS({ SecretId, SecretKey });
 *   const { ETag } = await cos.putObject({ Bucket, Region, Key, Body: 'hello' });
 *
 * Bundlers and runtimes that pick the `browser` export condition get browser/index.ts instead.
 */
import { installDownloadFiles } from './methods/download.js';
import { nodeDownloadFiles } from './node/download.js';
import { nodePlatform } from './node/platform.js';
import { installPlatform } from './transport.js';

installPlatform(nodePlatform);
installDownloadFiles(nodeDownloadFiles);

export * from './exports.js';
export { default } from './exports.js';
