/** Service and bucket methods: getService, putBucket, headBucket, deleteBucket, getBucketLocation, getBucket. */
import { buildXml } from '@cosbox/protocol';
import { method, statusOnly, wholeDocument, withStatus, type GeneralResult } from '../api.js';
import type { Headers } from '../auth.js';
import type { Client } from '../request.js';
import { platform } from '../transport.js';
import { endpointUrl, locationOf, normalizeProtocol, serviceEndpoint } from '../url.js';
import { asList, child, type JsonObject } from '../xml.js';

export interface BucketParams {
  /** `<name>-<appid>`, e.g. examplebucket-1250000000. */
  Bucket: string;
  Region: string;
  Headers?: Headers;
  Signal?: AbortSignal;
}

export interface Owner {
  ID: string;
  DisplayName?: string;
}

export interface GetServiceParams {
  /** Only the buckets of this region (and the request goes to cos.<Region>.myqcloud.com). */
  Region?: string;
  AppId?: string;
  TagKey?: string;
  TagValue?: string;
  CreateTime?: number;
  CreateRange?: 'lt' | 'gt' | 'lte' | 'gte' | string;
  Marker?: string;
  MaxKeys?: number;
  Headers?: Headers;
  Signal?: AbortSignal;
}
export interface GetServiceResult extends GeneralResult {
  Buckets: { Name: string; Location: string; CreationDate: string; [field: string]: string }[];
  Owner: Owner;
}

export interface PutBucketParams extends BucketParams {
  ACL?: 'private' | 'public-read' | 'public-read-write' | 'authenticated-read';
  GrantRead?: string;
  GrantWrite?: string;
  GrantReadAcp?: string;
  GrantWriteAcp?: string;
  GrantFullControl?: string;
  /** 'MAZ' for a multi-AZ bucket. */
  BucketAZConfig?: string;
  /** 'OFS' for a bucket with a metadata-accelerated namespace. */
  BucketArchConfig?: string;
}
export interface PutBucketResult extends GeneralResult {
  /** The bucket endpoint without protocol, e.g. examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/ */
  Location: string;
}

export type HeadBucketParams = BucketParams;
export type HeadBucketResult = GeneralResult;
export type DeleteBucketParams = BucketParams;
export type DeleteBucketResult = GeneralResult;
export type GetBucketLocationParams = BucketParams;
export interface GetBucketLocationResult extends GeneralResult {
  LocationConstraint: string;
}

export interface GetBucketParams extends BucketParams {
  Prefix?: string;
  Delimiter?: string;
  Marker?: string;
  MaxKeys?: number | string;
  EncodingType?: 'url' | string;
}
export interface CosObject {
  Key: string;
  LastModified: string;
  ETag: string;
  Size: string;
  Owner: Owner;
  StorageClass: string;
  StorageTier?: string;
}
export interface GetBucketResult extends GeneralResult {
  Name: string;
  Prefix: string;
  Marker: string;
  MaxKeys: string;
  Delimiter?: string;
  IsTruncated: 'true' | 'false';
  NextMarker?: string;
  EncodingType?: string;
  Contents: CosObject[];
  CommonPrefixes: { Prefix: string }[];
}

/** The bucket endpoint as putBucket reports it. */
function bucketLocation(client: Client, bucket: string, region: string): string {
  const protocol = normalizeProtocol(client.options.Protocol, platform().defaultProtocol());
  return locationOf(endpointUrl({ protocol, domain: client.options.Domain, bucket, region }));
}

export const bucketMethods = {
  getService: method<GetServiceParams, GetServiceResult>({
    cam: 'GetService',
    method: 'GET',
    target: 'service',
    endpoint: (p, client) =>
      serviceEndpoint(normalizeProtocol(client.options.Protocol, platform().defaultProtocol()), client.options.ServiceDomain, p.Region, p.AppId),
    query: (p) => ({
      tagkey: p.TagKey,
      tagvalue: p.TagValue,
      'create-time': p.CreateTime,
      range: p.CreateRange,
      marker: p.Marker,
      'max-keys': p.MaxKeys,
    }),
    result: (res) => {
      const list = child(res.doc, 'ListAllMyBucketsResult');
      return withStatus(res, {
        Buckets: asList<GetServiceResult['Buckets'][number]>(child(list, 'Buckets').Bucket),
        Owner: child(list, 'Owner') as unknown as Owner,
      });
    },
  }),

  putBucket: method<PutBucketParams, PutBucketResult>({
    cam: 'PutBucket',
    method: 'PUT',
    target: 'bucket',
    xml: (p) => {
      const conf: JsonObject = {};
      if (p.BucketAZConfig) conf.BucketAZConfig = p.BucketAZConfig;
      if (p.BucketArchConfig) conf.BucketArchConfig = p.BucketArchConfig;
      return Object.keys(conf).length ? buildXml('CreateBucketConfiguration', conf) : undefined;
    },
    result: (res, p, client) => ({
      Location: bucketLocation(client, p.Bucket, p.Region),
      statusCode: res.statusCode,
      headers: res.headers,
    }),
  }),

  headBucket: method<HeadBucketParams, HeadBucketResult>({
    cam: 'HeadBucket',
    method: 'HEAD',
    target: 'bucket',
    result: wholeDocument,
  }),

  deleteBucket: method<DeleteBucketParams, DeleteBucketResult>({
    cam: 'DeleteBucket',
    method: 'DELETE',
    target: 'bucket',
    result: statusOnly,
  }),

  getBucketLocation: method<GetBucketLocationParams, GetBucketLocationResult>({
    cam: 'GetBucketLocation',
    method: 'GET',
    target: 'bucket',
    action: 'location',
    result: (res) => withStatus(res, res.doc as unknown as { LocationConstraint: string }),
  }),

  getBucket: method<GetBucketParams, GetBucketResult>({
    cam: 'GetBucket',
    method: 'GET',
    target: 'bucket',
    resourceKey: (p) => p.Prefix ?? '',
    query: (p) => ({
      prefix: p.Prefix ?? '',
      delimiter: p.Delimiter,
      marker: p.Marker,
      'max-keys': p.MaxKeys,
      'encoding-type': p.EncodingType,
    }),
    result: (res) => {
      const list = child(res.doc, 'ListBucketResult');
      return withStatus(res, {
        ...(list as unknown as Omit<GetBucketResult, 'Contents' | 'CommonPrefixes'>),
        Contents: asList<CosObject>(list.Contents),
        CommonPrefixes: asList<{ Prefix: string }>(list.CommonPrefixes),
      });
    },
  }),
};
