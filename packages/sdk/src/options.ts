/**
 * The constructor options of `new COS(options)`, with the official SDK's names and defaults
 * (cos-nodejs-sdk-v5 sdk/cos.js). Options of the official SDK that this SDK does not act on are not
 * declared, so a caller is never led to believe they work.
 */
import type { AuthorizationSource, GetAuthorizationOptions, TemporaryCredentials } from './auth.js';

export type Protocol = 'http' | 'http:' | 'https' | 'https:';

/** Parses `sourcebucket-1250000000.cos.ap-guangzhou.myqcloud.com/key` for the copy methods. */
export type CopySourceParser = (source: string) => null | { Bucket: string; Region: string; Key: string };

export interface COSOptions {
  /** Permanent or temporary key pair; leave both out to send anonymous requests or use getAuthorization. */
  SecretId?: string;
  SecretKey?: string;
  /** Lower-case forms (as Tencent Cloud API SDKs spell them): used when SecretId/SecretKey are not given. */
  secretId?: string;
  secretKey?: string;
  /**
   * Keys read at every request (the official SDK watches this object): change `secretId` and
   * `secretKey` in place to rotate them. Takes precedence over SecretId/SecretKey when both are set.
   */
  Credentials?: { secretId?: string; secretKey?: string; securityToken?: string };
  /** Asked for temporary keys `{ TmpSecretId (or SecretId), TmpSecretKey (or SecretKey), SecurityToken, ExpiredTime }` (cached until they expire); getAuthorization wins when both are given. */
  getSTS?: (options: { Bucket: string; Region: string }, callback: (keys: Partial<TemporaryCredentials> & { SecretId?: string; SecretKey?: string }) => void) => void;
  /** Not supported by COS any more: the constructor throws, as the official SDK's does. */
  ForcePathStyle?: boolean;
  /** An HTTP proxy URL for every request (Node); without it HTTP_PROXY / HTTPS_PROXY / NO_PROXY apply. */
  Proxy?: string;
  /** Session token of a temporary key pair, sent as x-cos-security-token. */
  SecurityToken?: string;
  /** Same as SecurityToken (older name). */
  XCosSecurityToken?: string;
  /**
   * Asked for credentials before each request: answer with an `Authorization` string, with
   * `{ Authorization, SecurityToken? }`, or with temporary keys `{ TmpSecretId, TmpSecretKey,
   * SecurityToken, StartTime?, ExpiredTime, ScopeLimit? }` (cached until a minute before they expire).
   */
  getAuthorization?: (options: GetAuthorizationOptions, callback: (source: AuthorizationSource) => void) => void;
  /** 'https:' by default. */
  Protocol?: Protocol;
  /** Endpoint template for bucket requests, e.g. '{Bucket}.cos.{Region}.myqcloud.com'; also {BucketName}, {AppId}. */
  Domain?: string;
  /** Endpoint of getService, e.g. 'service.cos.myqcloud.com'; {Region} and {AppId} templates. */
  ServiceDomain?: string;
  /** Send every request to this `host[:port]` with the bucket's Host header (how tests reach cosbox). */
  Ip?: string;
  /** Milliseconds of socket inactivity before a request fails (and is retried); 0 = none. */
  Timeout?: number;
  /** Keep connections alive between requests (default true). */
  KeepAlive?: boolean;
  /** Verify TLS certificates (default true). */
  StrictSsl?: boolean;
  UserAgent?: string;
  /** Sign the Host header (default true): a signature then only works for its own bucket. */
  ForceSignHost?: boolean;
  /** Correct SystemClockOffset when COS says the signature time is off by 30 s or more (default true). */
  CorrectClockSkew?: boolean;
  /** Milliseconds added to the local clock when signing. */
  SystemClockOffset?: number;
  /** Keep a leading '/' of Key instead of dropping it (default false). */
  UseRawKey?: boolean;
  /** Use the global acceleration endpoint (region 'accelerate'). */
  UseAccelerate?: boolean;
  /** Private deployments: accept regions without a '-'. */
  CompatibilityMode?: boolean;
  /** Refuse getObject keys that simplify to '/' (which would list the bucket instead; default true). */
  ObjectKeySimplifyCheck?: boolean;
  /** Milliseconds between two onProgress calls (default 1000). */
  ProgressInterval?: number;
  /** Send Content-MD5 with putObject and multipartUpload bodies given as Buffer or string. */
  UploadCheckContentMd5?: boolean;
  CopySourceParser?: CopySourceParser | null;
  /** sliceUploadFile part size (default 1 MiB, at least 1 MiB; grown to stay within MaxPartNumber). */
  ChunkSize?: number;
  /** Parts uploaded at once by sliceUploadFile (default 3). */
  ChunkParallelLimit?: number;
  /** Extra attempts of a failed part, and of the Complete, in the advanced methods (default 2). */
  ChunkRetryTimes?: number;
  /** uploadFile / uploadFiles: files larger than this go in parts (default 1 MiB). */
  SliceSize?: number;
  /** Upload tasks (putObject, sliceUploadFile, uploadFile, uploadFiles) running at once per instance (default 3). */
  FileParallelLimit?: number;
  /** Finished tasks are dropped from the task list, oldest first, beyond this many tasks (default 1000, as cos-nodejs-sdk-v5). */
  UploadQueueSize?: number;
  /** sliceCopyFile: sources larger than this are copied in parts (default 10 MiB). */
  CopySliceSize?: number;
  /** sliceCopyFile part size (default 10 MiB, at least 1 MiB). */
  CopyChunkSize?: number;
  /** Parts copied at once by sliceCopyFile (default 20). */
  CopyChunkParallelLimit?: number;
  /** Most parts of one upload, 1024-10000 (default 10000): larger files get larger parts. */
  MaxPartNumber?: number;
  /** Deprecated by COS: appended to Bucket names without an AppId. */
  AppId?: string;
}

/** The options with every default filled in, as `cos.options` holds them. */
type OptionalOptions = 'getAuthorization' | 'CopySourceParser' | 'Protocol' | 'AppId' | 'secretId' | 'secretKey' | 'Credentials' | 'getSTS' | 'ForcePathStyle';
export type ResolvedOptions = Required<Omit<COSOptions, OptionalOptions>> & Pick<COSOptions, OptionalOptions>;

const MiB = 1024 * 1024;

const DEFAULTS = {
  SecretId: '',
  SecretKey: '',
  SecurityToken: '',
  XCosSecurityToken: '',
  Domain: '',
  ServiceDomain: '',
  Ip: '',
  Proxy: '',
  Timeout: 0,
  KeepAlive: true,
  StrictSsl: true,
  UserAgent: '',
  ForceSignHost: true,
  CorrectClockSkew: true,
  SystemClockOffset: 0,
  UseRawKey: false,
  UseAccelerate: false,
  CompatibilityMode: false,
  ObjectKeySimplifyCheck: true,
  ProgressInterval: 1000,
  UploadCheckContentMd5: false,
  ChunkSize: MiB,
  ChunkParallelLimit: 3,
  ChunkRetryTimes: 2,
  SliceSize: MiB,
  FileParallelLimit: 3,
  UploadQueueSize: 1000,
  CopySliceSize: 10 * MiB,
  CopyChunkSize: 10 * MiB,
  CopyChunkParallelLimit: 20,
  MaxPartNumber: 10000,
} satisfies Partial<ResolvedOptions>;

export function resolveOptions(options: COSOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = { ...DEFAULTS };
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[name] = value;
  }
  // Lower-case keys fill in missing upper-case ones; Credentials with both keys win (cos.js).
  if (options.secretId && !options.SecretId) resolved.SecretId = options.secretId;
  if (options.secretKey && !options.SecretKey) resolved.SecretKey = options.secretKey;
  if (options.Credentials?.secretId && options.Credentials.secretKey) {
    resolved.SecretId = options.Credentials.secretId;
    resolved.SecretKey = options.Credentials.secretKey;
  }
  // The same bounds as the official SDK.
  resolved.Timeout = Math.max(0, resolved.Timeout);
  resolved.FileParallelLimit = Math.max(1, resolved.FileParallelLimit);
  resolved.UploadQueueSize = Math.max(0, resolved.UploadQueueSize);
  resolved.ChunkParallelLimit = Math.max(1, resolved.ChunkParallelLimit);
  resolved.ChunkRetryTimes = Math.max(0, resolved.ChunkRetryTimes);
  resolved.ChunkSize = Math.max(MiB, resolved.ChunkSize);
  resolved.CopyChunkParallelLimit = Math.max(1, resolved.CopyChunkParallelLimit);
  resolved.CopyChunkSize = Math.max(MiB, resolved.CopyChunkSize);
  resolved.CopySliceSize = Math.max(0, resolved.CopySliceSize);
  resolved.MaxPartNumber = Math.max(1024, Math.min(10000, resolved.MaxPartNumber));
  return resolved;
}
