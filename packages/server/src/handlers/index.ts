import type { HandlerTable } from '../http/pipeline.js';
import { deleteBucket, getBucketLocation, headBucket, putBucket } from './bucket.js';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './acl.js';
import { appendObject } from './append.js';
import { putObjectCopy } from './copy.js';
import { deleteBucketCors, getBucketCors, optionsObject, putBucketCors } from './cors.js';
import { deleteMultipleObjects, deleteObject } from './delete.js';
import { listObjects } from './list.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  initiateMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './multipart.js';
import { getObject, getObjectAttributes, headObject } from './object-get.js';
import { putObject } from './object-put.js';
import { postObject } from './post-object.js';
import { getService } from './service.js';
import { getSymlink, putSymlink } from './symlink.js';
import { getFederationToken } from './sts.js';
import { deleteBucketLifecycle, getBucketLifecycle, putBucketLifecycle } from './lifecycle.js';
import { restoreObject } from './restore.js';
import { deleteBucketTagging, deleteObjectTagging, getBucketTagging, getObjectTagging, putBucketTagging, putObjectTagging } from './tagging.js';
import { getBucketVersioning, listObjectVersions, putBucketVersioning } from './versioning.js';
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy } from './policy.js';
import { deleteBucketWebsite, getBucketWebsite, putBucketWebsite } from './website.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './bucket-encryption.js';
import { getBucketReferer, putBucketReferer } from './referer.js';
import { getBucketAccelerate, putBucketAccelerate } from './accelerate.js';
import { deleteBucketDomain, getBucketDomain, putBucketDomain } from './domain.js';

import { getBucketLogging, putBucketLogging } from './logging.js';
import { deleteBucketInventory, getBucketInventory, listBucketInventory, putBucketInventory } from './inventory.js';
import { deleteBucketReplication, getBucketReplication, putBucketReplication } from './replication.js';
import { getBucketObjectLock, putBucketObjectLock } from './object-lock.js';
import { getBucketIntelligentTiering, putBucketIntelligentTiering } from './intelligent-tiering.js';
import { deleteBucketOrigin, getBucketOrigin, putBucketOrigin } from './origin.js';

/** Every operation cosbox serves, by name; the router's other operations answer NotImplemented. */
export const handlers: HandlerTable = {
  GetService: getService,
  PutBucket: putBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  ListObjects: listObjects,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  GetObjectAttributes: getObjectAttributes,
  PutObjectCopy: putObjectCopy,
  DeleteObject: deleteObject,
  DeleteMultipleObjects: deleteMultipleObjects,
  InitiateMultipartUpload: initiateMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  ListParts: listParts,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListMultipartUploads: listMultipartUploads,
  AppendObject: appendObject,
  PutSymlink: putSymlink,
  GetSymlink: getSymlink,
  GetBucketAcl: getBucketAcl,
  PutBucketAcl: putBucketAcl,
  GetObjectAcl: getObjectAcl,
  PutObjectAcl: putObjectAcl,
  GetObjectTagging: getObjectTagging,
  PutObjectTagging: putObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  GetBucketTagging: getBucketTagging,
  PutBucketTagging: putBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  GetBucketLifecycle: getBucketLifecycle,
  PutBucketLifecycle: putBucketLifecycle,
  DeleteBucketLifecycle: deleteBucketLifecycle,
  RestoreObject: restoreObject,
  GetBucketCors: getBucketCors,
  PutBucketCors: putBucketCors,
  DeleteBucketCors: deleteBucketCors,
  OptionsObject: optionsObject,
  PostObject: postObject,
  GetFederationToken: getFederationToken,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  ListObjectVersions: listObjectVersions,
  // Bucket configurations of issue 16 (policy, website, encryption, referer, accelerate, domain).
  PutBucketPolicy: putBucketPolicy,
  GetBucketPolicy: getBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  PutBucketWebsite: putBucketWebsite,
  GetBucketWebsite: getBucketWebsite,
  DeleteBucketWebsite: deleteBucketWebsite,
  PutBucketEncryption: putBucketEncryption,
  GetBucketEncryption: getBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  PutBucketReferer: putBucketReferer,
  GetBucketReferer: getBucketReferer,
  PutBucketAccelerate: putBucketAccelerate,
  GetBucketAccelerate: getBucketAccelerate,
  PutBucketDomain: putBucketDomain,
  GetBucketDomain: getBucketDomain,
  DeleteBucketDomain: deleteBucketDomain,

  // Bucket configurations, part 2.
  PutBucketLogging: putBucketLogging,
  GetBucketLogging: getBucketLogging,
  PutBucketInventory: putBucketInventory,
  GetBucketInventory: getBucketInventory,
  ListBucketInventory: listBucketInventory,
  DeleteBucketInventory: deleteBucketInventory,
  PutBucketReplication: putBucketReplication,
  GetBucketReplication: getBucketReplication,
  DeleteBucketReplication: deleteBucketReplication,
  PutBucketObjectLock: putBucketObjectLock,
  GetBucketObjectLock: getBucketObjectLock,
  PutBucketIntelligentTiering: putBucketIntelligentTiering,
  GetBucketIntelligentTiering: getBucketIntelligentTiering,
  PutBucketOrigin: putBucketOrigin,
  GetBucketOrigin: getBucketOrigin,
  DeleteBucketOrigin: deleteBucketOrigin,
};
