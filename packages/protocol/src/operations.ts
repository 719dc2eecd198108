/**
 * Every COS API cosbox knows, with what it addresses and the access it needs. The server's router
 * yields one of these per request; the pipeline checks `access` before any handler runs.
 *
 * access:
 *  - signed: any authenticated caller, never anonymous (GET Service, PUT Bucket; C105)
 *  - read / write: READ or WRITE on the bucket or object (C128)
 *  - owner: the bucket owner only (ACL, CORS, lifecycle, location, ...; C127)
 *  - preflight: no credentials; CORS rules decide (OPTIONS; C223)
 *  - form: credentials travel in the form fields (POST Object; C106)
 */
export type AccessLevel = 'signed' | 'read' | 'write' | 'owner' | 'preflight' | 'form';
export type Target = 'service' | 'bucket' | 'object';

export const OPERATIONS = {
  GetService: { target: 'service', access: 'signed' },
  /** cosbox's STS-like endpoint for temporary keys (`POST /sts`); root keys only, checked by its handler. */
  GetFederationToken: { target: 'service', access: 'signed' },

  PutBucket: { target: 'bucket', access: 'signed' },
  HeadBucket: { target: 'bucket', access: 'read' },
  DeleteBucket: { target: 'bucket', access: 'owner' },
  ListObjects: { target: 'bucket', access: 'read' },
  GetBucketLocation: { target: 'bucket', access: 'owner' },
  GetBucketAcl: { target: 'bucket', access: 'owner' },
  PutBucketAcl: { target: 'bucket', access: 'owner' },
  GetBucketCors: { target: 'bucket', access: 'owner' },
  PutBucketCors: { target: 'bucket', access: 'owner' },
  DeleteBucketCors: { target: 'bucket', access: 'owner' },
  GetBucketLifecycle: { target: 'bucket', access: 'owner' },
  PutBucketLifecycle: { target: 'bucket', access: 'owner' },
  DeleteBucketLifecycle: { target: 'bucket', access: 'owner' },
  GetBucketVersioning: { target: 'bucket', access: 'owner' },
  PutBucketVersioning: { target: 'bucket', access: 'owner' },
  ListObjectVersions: { target: 'bucket', access: 'read' },
  GetBucketTagging: { target: 'bucket', access: 'owner' },
  PutBucketTagging: { target: 'bucket', access: 'owner' },
  DeleteBucketTagging: { target: 'bucket', access: 'owner' },
  ListMultipartUploads: { target: 'bucket', access: 'read' },
  DeleteMultipleObjects: { target: 'bucket', access: 'write' },
  PostObject: { target: 'bucket', access: 'form' },
  // Bucket configurations of issue 16 (policy, website, encryption, referer, accelerate, domain).
  PutBucketPolicy: { target: 'bucket', access: 'owner' },
  GetBucketPolicy: { target: 'bucket', access: 'owner' },
  DeleteBucketPolicy: { target: 'bucket', access: 'owner' },
  PutBucketWebsite: { target: 'bucket', access: 'owner' },
  GetBucketWebsite: { target: 'bucket', access: 'owner' },
  DeleteBucketWebsite: { target: 'bucket', access: 'owner' },
  PutBucketEncryption: { target: 'bucket', access: 'owner' },
  GetBucketEncryption: { target: 'bucket', access: 'owner' },
  DeleteBucketEncryption: { target: 'bucket', access: 'owner' },
  PutBucketReferer: { target: 'bucket', access: 'owner' },
  GetBucketReferer: { target: 'bucket', access: 'owner' },
  PutBucketAccelerate: { target: 'bucket', access: 'owner' },
  GetBucketAccelerate: { target: 'bucket', access: 'owner' },
  PutBucketDomain: { target: 'bucket', access: 'owner' },
  GetBucketDomain: { target: 'bucket', access: 'owner' },
  DeleteBucketDomain: { target: 'bucket', access: 'owner' },

  // Bucket configurations, part 2: access logs, inventory, replication, object lock, intelligent tiering, origin.
  PutBucketLogging: { target: 'bucket', access: 'owner' },
  GetBucketLogging: { target: 'bucket', access: 'owner' },
  PutBucketInventory: { target: 'bucket', access: 'owner' },
  GetBucketInventory: { target: 'bucket', access: 'owner' },
  ListBucketInventory: { target: 'bucket', access: 'owner' },
  DeleteBucketInventory: { target: 'bucket', access: 'owner' },
  PutBucketReplication: { target: 'bucket', access: 'owner' },
  GetBucketReplication: { target: 'bucket', access: 'owner' },
  DeleteBucketReplication: { target: 'bucket', access: 'owner' },
  PutBucketObjectLock: { target: 'bucket', access: 'owner' },
  GetBucketObjectLock: { target: 'bucket', access: 'owner' },
  PutBucketIntelligentTiering: { target: 'bucket', access: 'owner' },
  GetBucketIntelligentTiering: { target: 'bucket', access: 'owner' },
  PutBucketOrigin: { target: 'bucket', access: 'owner' },
  GetBucketOrigin: { target: 'bucket', access: 'owner' },
  DeleteBucketOrigin: { target: 'bucket', access: 'owner' },

  GetObject: { target: 'object', access: 'read' },
  HeadObject: { target: 'object', access: 'read' },
  /** S3's GetObjectAttributes (`GET /<key>?attributes`): what HEAD says, as a document. */
  GetObjectAttributes: { target: 'object', access: 'read' },
  PutObject: { target: 'object', access: 'write' },
  PutObjectCopy: { target: 'object', access: 'write' },
  DeleteObject: { target: 'object', access: 'write' },
  OptionsObject: { target: 'object', access: 'preflight' },
  GetObjectAcl: { target: 'object', access: 'owner' },
  PutObjectAcl: { target: 'object', access: 'owner' },
  GetObjectTagging: { target: 'object', access: 'read' },
  PutObjectTagging: { target: 'object', access: 'write' },
  DeleteObjectTagging: { target: 'object', access: 'write' },
  RestoreObject: { target: 'object', access: 'write' },
  AppendObject: { target: 'object', access: 'write' },
  PutSymlink: { target: 'object', access: 'write' },
  GetSymlink: { target: 'object', access: 'read' },
  InitiateMultipartUpload: { target: 'object', access: 'write' },
  UploadPart: { target: 'object', access: 'write' },
  UploadPartCopy: { target: 'object', access: 'write' },
  ListParts: { target: 'object', access: 'read' },
  CompleteMultipartUpload: { target: 'object', access: 'write' },
  AbortMultipartUpload: { target: 'object', access: 'write' },
} as const satisfies Record<string, { target: Target; access: AccessLevel }>;

export type OperationName = keyof typeof OPERATIONS;

export interface Operation {
  name: OperationName;
  /** `<name>-<appid>`; absent for service operations. */
  bucket?: string;
  /** The decoded object key; absent for service and bucket operations. */
  key?: string;
}
