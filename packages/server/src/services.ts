import type { Logger } from 'pino';
import type { Accounts } from './auth/accounts.js';
import type { TemporaryKeys } from './auth/temporary-keys.js';
import type { ServerSideEncryption } from './model/encryption.js';
import type { BlobStore } from './storage/blob/store.js';
import type { MetadataStore } from './storage/metadata/store.js';
import type { FinishedRequest } from './workers/access-log.js';

/** Settings the handlers consult. */
export interface ServiceConfig {
  /** The region of buckets addressed without one (path style, --domain). */
  region: string;
  /** Extra domain for virtual-hosted addressing (`<bucket>.<domain>`). */
  domain?: string;
  /** Buckets per account (TooManyBucket beyond; C309). */
  maxBucketsPerOwner: number;
  /**
   * How many times faster than real time lifecycle days, restore durations and restore expiry run
   * (1: real time; 86400: a day lasts a second).
   */
  timeScale: number;
  /** The largest object, part or append in bytes; default 5 GB (lowered by tests of the limit). */
  maxObjectSize?: number;
  /** Hosts back-to-origin rules may fetch from (`--origin-allow`; `*`: any); empty or absent: loopback only. */
  originAllow?: string[];
  /** How long an origin may take to answer, in ms (default 10 s). */
  originTimeoutMs?: number;
}

/** Everything a handler may use besides its request. */
export interface Services {
  meta: MetadataStore;
  blobs: BlobStore;
  accounts: Accounts;
  temporaryKeys: TemporaryKeys;
  /** The SSE master key: seals and opens the data keys of encrypted objects. */
  encryption: ServerSideEncryption;
  config: ServiceConfig;
  log: Logger;
  /** Bucket access logs: told of every finished request (the pipeline's end of request). */
  accessLogs?: { record(done: FinishedRequest): Promise<void> };
  /** Intelligent tiering: told of reads of INTELLIGENT_TIERING objects (batched, never a write per read). */
  tiering?: { touch(bucket: string, key: string, time: number): void };
}
