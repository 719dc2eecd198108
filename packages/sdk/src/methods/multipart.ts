/**
 * Low-level multipart methods: multipartInit, multipartUpload, uploadPartCopy, multipartListPart,
 * multipartComplete, multipartAbort, multipartList.
 */
import { buildXml } from '@cosbox/protocol';
import { method, statusOnly, withStatus, type GeneralResult } from '../api.js';
import type { Query } from '../auth.js';
import type { OnProgress } from '../progress.js';
import { asList, child } from '../xml.js';
import type { BucketParams, Owner } from './bucket.js';
import {
  addBodyMd5,
  blankStoredHeaders,
  COPY,
  objectLocation,
  type CopySourceParams,
  type ObjectParams,
  type StoredObjectHeaders,
  type UploadBody,
} from './object.js';

export interface MultipartInitParams extends ObjectParams, StoredObjectHeaders {
  Query?: Query;
}
export interface MultipartInitResult extends GeneralResult {
  Bucket: string;
  Key: string;
  UploadId: string;
}

export interface MultipartUploadParams extends ObjectParams {
  UploadId: string;
  PartNumber: number | string;
  Body: UploadBody;
  ContentLength?: number;
  ContentMD5?: string;
  Expect?: string;
  ServerSideEncryption?: string;
  onProgress?: OnProgress;
}
export interface MultipartUploadResult extends GeneralResult {
  ETag: string;
}

export interface UploadPartCopyParams extends ObjectParams, CopySourceParams {
  UploadId: string;
  PartNumber: number | string;
  /** `bytes=first-last` of the source. */
  CopySourceRange?: string;
  VersionId?: string;
}
export interface UploadPartCopyResult extends GeneralResult {
  ETag: string;
  LastModified: string;
  CRC64?: string;
}

export interface MultipartListPartParams extends ObjectParams {
  UploadId: string;
  MaxParts?: number | string;
  PartNumberMarker?: number | string;
  EncodingType?: 'url' | string;
}
export interface MultipartListPartResult extends GeneralResult {
  Bucket: string;
  Key: string;
  UploadId: string;
  EncodingType?: string;
  Initiator: Owner;
  Owner: Owner;
  StorageClass: string;
  PartNumberMarker: string;
  NextPartNumberMarker?: string;
  MaxParts: string;
  IsTruncated: 'true' | 'false';
  Part: { PartNumber: string; LastModified: string; ETag: string; Size: string }[];
}

export interface MultipartCompleteParams extends ObjectParams {
  UploadId: string;
  /** ETags as returned by multipartUpload (quoted; bare ones are quoted for you). */
  Parts: { PartNumber: number | string; ETag: string }[];
}
export interface MultipartCompleteResult extends GeneralResult {
  Location: string;
  Bucket: string;
  Key: string;
  ETag: string;
  VersionId?: string;
}

export interface MultipartAbortParams extends ObjectParams {
  UploadId: string;
}
export type MultipartAbortResult = GeneralResult;

export interface MultipartListParams extends BucketParams {
  Prefix?: string;
  Delimiter?: string;
  MaxUploads?: number | string;
  KeyMarker?: string;
  UploadIdMarker?: string;
  EncodingType?: 'url' | string;
}
export interface MultipartUpload {
  Key: string;
  UploadId: string;
  StorageClass: string;
  Initiator: Owner;
  Owner: Owner;
  Initiated: string;
}
export interface MultipartListResult extends GeneralResult {
  Bucket: string;
  Prefix?: string;
  Delimiter?: string;
  KeyMarker: string;
  UploadIdMarker: string;
  NextKeyMarker?: string;
  NextUploadIdMarker?: string;
  MaxUploads: string;
  IsTruncated: 'true' | 'false';
  EncodingType?: string;
  Upload: MultipartUpload[];
  /** Spelled so by COS. */
  CommonPrefixs?: { Prefix: string } | { Prefix: string }[];
}

export const multipartMethods = {
  multipartInit: method<MultipartInitParams, MultipartInitResult>({
    cam: 'InitiateMultipartUpload',
    method: 'POST',
    target: 'object',
    action: 'uploads',
    headers: (_p, headers) => blankStoredHeaders(headers, 'Cache-Control', 'Content-Type'),
    query: (p) => p.Query ?? {},
    result: (res) => {
      const init = res.doc.InitiateMultipartUploadResult ? child(res.doc, 'InitiateMultipartUploadResult') : res.doc;
      return withStatus(res, init as unknown as MultipartInitResult);
    },
  }),

  multipartUpload: method<MultipartUploadParams, MultipartUploadResult>({
    cam: 'UploadPart',
    method: 'PUT',
    target: 'object',
    headers: addBodyMd5,
    query: (p) => ({ partNumber: p.PartNumber, uploadId: p.UploadId }),
    body: (p) => p.Body,
    progress: 'upload',
    result: (res) => withStatus(res, { ETag: res.headers.etag ?? '' }),
  }),

  uploadPartCopy: method<UploadPartCopyParams, UploadPartCopyResult>({
    ...COPY,
    query: (p) => ({ partNumber: p.PartNumber, uploadId: p.UploadId, versionId: p.VersionId }),
    result: (res) => withStatus(res, child(res.doc, 'CopyPartResult') as unknown as UploadPartCopyResult),
  }),

  multipartListPart: method<MultipartListPartParams, MultipartListPartResult>({
    cam: 'ListParts',
    method: 'GET',
    target: 'object',
    query: (p) => ({
      uploadId: p.UploadId,
      'encoding-type': p.EncodingType,
      'max-parts': p.MaxParts,
      'part-number-marker': p.PartNumberMarker,
    }),
    result: (res) => {
      const list = child(res.doc, 'ListPartsResult');
      return withStatus(res, {
        ...(list as unknown as MultipartListPartResult),
        Part: asList<MultipartListPartResult['Part'][number]>(list.Part),
      });
    },
  }),

  multipartComplete: method<MultipartCompleteParams, MultipartCompleteResult>({
    cam: 'CompleteMultipartUpload',
    method: 'POST',
    target: 'object',
    query: (p) => ({ uploadId: p.UploadId }),
    xml: (p) =>
      buildXml('CompleteMultipartUpload', {
        Part: (p.Parts ?? []).map((part) => ({
          PartNumber: String(part.PartNumber),
          ETag: part.ETag.startsWith('"') ? part.ETag : `"${part.ETag}"`,
        })),
      }),
    errorIn2xx: true,
    result: (res, p, client) =>
      withStatus(res, {
        ...(child(res.doc, 'CompleteMultipartUploadResult') as unknown as MultipartCompleteResult),
        Location: objectLocation(client, p.Bucket, p.Region, p.Key),
      }),
  }),

  multipartAbort: method<MultipartAbortParams, MultipartAbortResult>({
    cam: 'AbortMultipartUpload',
    method: 'DELETE',
    target: 'object',
    query: (p) => ({ uploadId: p.UploadId }),
    result: statusOnly,
  }),

  multipartList: method<MultipartListParams, MultipartListResult>({
    cam: 'ListMultipartUploads',
    method: 'GET',
    target: 'bucket',
    action: 'uploads',
    resourceKey: (p) => p.Prefix ?? '',
    query: (p) => ({
      delimiter: p.Delimiter,
      'encoding-type': p.EncodingType,
      prefix: p.Prefix ?? '',
      'max-uploads': p.MaxUploads,
      'key-marker': p.KeyMarker,
      'upload-id-marker': p.UploadIdMarker,
    }),
    result: (res) => {
      const list = child(res.doc, 'ListMultipartUploadsResult');
      return withStatus(res, { ...(list as unknown as MultipartListResult), Upload: asList<MultipartUpload>(list.Upload) });
    },
  }),
};
