/** Every request method of the SDK, by name: the table the COS class is built from. */
import { bucketMethods } from './bucket.js';
import { bucketConfigMethods } from './bucket-config.js';
import { configMethods } from './config.js';
import { multipartMethods } from './multipart.js';
import { objectMethods } from './object.js';
import { selectMethods } from './select.js';

export const METHODS = {
  ...bucketMethods,
  ...objectMethods,
  ...multipartMethods,
  ...configMethods,
  ...bucketConfigMethods,
  ...selectMethods,
};

export type MethodTable = typeof METHODS;
