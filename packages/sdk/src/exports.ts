/**
 * The public API of @cosbox/sdk, the same on every platform: the entry points (index.ts for Node,
 * browser/index.ts for browsers) install their platform and re-export this.
 */
export { COS, COS as default, type GetAuthParams, type GetObjectUrlParams, type GetObjectUrlResult } from './cos.js';
export { VERSION } from './version.js';
export type { COSOptions, Protocol, CopySourceParser } from './options.js';
export type {
  AuthorizationSource,
  ExternalAuthorization,
  GetAuthorizationOptions,
  Scope,
  ScopeItem,
  StaticGetAuthorizationOptions,
  TemporaryCredentials,
} from './auth.js';
export { CosSdkError, type CosErrorDocument } from './errors.js';
export type { ApiMethod, Callback, CosError, GeneralResult } from './api.js';
export type { ProgressInfo, OnProgress } from './progress.js';
// One params/result pair per method, with the official SDK's type names.
export type {
  BucketParams, Owner, GetServiceParams, GetServiceResult, PutBucketParams, PutBucketResult,
  HeadBucketParams, HeadBucketResult, DeleteBucketParams, DeleteBucketResult, GetBucketLocationParams,
  GetBucketLocationResult, GetBucketParams, CosObject, GetBucketResult
} from './methods/bucket.js';
export type {
  ObjectParams, MetaHeaders, UploadBody, ObjectACL, StoredObjectHeaders, HeadObjectParams, HeadObjectResult,
  GetObjectParams, GetObjectResult, PutObjectParams, PutObjectResult, AppendObjectParams, AppendObjectResult,
  CopySourceParams, PutObjectCopyParams, PutObjectCopyResult, DeleteObjectParams, DeleteObjectResult,
  DeleteMultipleObjectParams, DeleteMultipleObjectResult
} from './methods/object.js';
export type {
  MultipartInitParams, MultipartInitResult, MultipartUploadParams, MultipartUploadResult,
  UploadPartCopyParams, UploadPartCopyResult, MultipartListPartParams, MultipartListPartResult,
  MultipartCompleteParams, MultipartCompleteResult, MultipartAbortParams, MultipartAbortResult,
  MultipartListParams, MultipartUpload, MultipartListResult
} from './methods/multipart.js';
export type {
  Permission, BucketACL, Grant, AclHeaders, AccessControlPolicy, PutBucketAclParams, PutBucketAclResult,
  GetBucketAclParams, GetBucketAclResult, PutObjectAclParams, PutObjectAclResult, GetObjectAclParams,
  GetObjectAclResult, CORSRule, PutBucketCorsParams, PutBucketCorsResult, GetBucketCorsParams,
  GetBucketCorsResult, DeleteBucketCorsParams, DeleteBucketCorsResult, LifecycleRule,
  PutBucketLifecycleParams, PutBucketLifecycleResult, GetBucketLifecycleParams, GetBucketLifecycleResult,
  DeleteBucketLifecycleParams, DeleteBucketLifecycleResult, PutBucketVersioningParams,
  PutBucketVersioningResult, GetBucketVersioningParams, GetBucketVersioningResult, ListObjectVersionsParams,
  ObjectVersion, DeleteMarker, ListObjectVersionsResult, Tag, PutBucketTaggingParams, PutBucketTaggingResult,
  GetBucketTaggingParams, GetBucketTaggingResult, DeleteBucketTaggingParams, DeleteBucketTaggingResult,
  PutObjectTaggingParams, PutObjectTaggingResult, GetObjectTaggingParams, GetObjectTaggingResult,
  DeleteObjectTaggingParams, DeleteObjectTaggingResult, RestoreObjectParams, RestoreObjectResult,
  OptionsObjectParams, OptionsObjectResult
} from './methods/config.js';
export type {
  SliceUploadFileParams, SliceUploadFileResult, FileFinishCallback, FileInfo, UploadFileParams,
  UploadFileResult, UploadFilesItem, UploadFilesParams, UploadFilesResult, SliceCopyFileParams,
  SliceCopyFileResult
} from './methods/advanced.js';
export type { DownloadFileParams, DownloadFileResult } from './methods/download.js';
export type { TaskInfo, TaskState, QueuedUploadParams } from './queue.js';
export type { Listener } from './events.js';
