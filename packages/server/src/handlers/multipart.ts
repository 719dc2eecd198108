/**
 * Initiate, Upload Part, Upload Part - Copy, List Parts, Complete, Abort, List Multipart Uploads
 * (C198-C201, C238-C259), in the element spellings the official SDKs parse.
 */
import { buildXml, CosError, evaluatePreconditions, isoDate, parseXml, xmlChild, xmlList, xmlText } from '@cosbox/protocol';
import { camId } from '../auth/accounts.js';
import { bucketOf, emptyResponse, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import {
  abortUpload,
  completeUpload,
  initiateUpload,
  parsePartNumber,
  requireUpload,
  storePart,
} from '../model/multipart.js';
import { withBucketDefault } from '../model/bucket-encryption.js';
import { copySourceCustomerKey, customerKey, encryptionHeaders, requestedEncryption } from '../model/encryption.js';
import { attributesForNewObject, declaredLength, expectedDigests } from '../model/objects.js';
import { requireReadable } from '../model/restore.js';
import { limitedBody } from '../model/traffic-limit.js';
import type { UploadRecord } from '../storage/metadata/store.js';
import { copySourcePreconditions, copySourceVersionHeader, parseCopySource, readCopySource, sourceBucket } from './copy.js';
import { versionHeader } from './object-headers.js';
import { nameEncoder, pageSize } from './list.js';
import { writerUin } from './writer.js';

function uploadIdOf(ctx: RequestContext): string {
  const id = ctx.query.get('uploadid');
  if (!id) throw new CosError('NoSuchUpload');
  return id;
}

/** `{ ID: qcs::cam::uin/<uin>:uin/<uin>, DisplayName: <uin> }` for Initiator and Owner. */
function principal(uin: string) {
  return { ID: camId({ uin }), DisplayName: uin };
}

/**
 * The upload's data key for a part (undefined when it is not encrypted): an SSE-C upload needs its
 * key with every part, as its object does with every read.
 */
function partKey(ctx: RequestContext, upload: UploadRecord) {
  const customer = customerKey(ctx.header);
  return { encryptionKey: ctx.services.encryption.dataKey(upload.encryption, customer, 'multipart upload'), customer };
}

export async function initiateMultipartUpload(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const encryption = withBucketDefault(requestedEncryption(ctx.header), bucket);
  const key = keyOf(ctx);
  const upload = await initiateUpload(ctx.services, {
    bucket: bucket.name,
    key,
    ownerUin: writerUin(ctx),
    initiatorUin: writerUin(ctx),
    attributes: attributesForNewObject(ctx, key),
    encryption,
    now: ctx.now,
  });
  return xmlResponse(
    buildXml('InitiateMultipartUploadResult', { Bucket: bucket.name, Key: upload.key, UploadId: upload.uploadId }),
    200,
    encryptionHeaders(upload.encryption, encryption?.kind === 'SSE-C' ? encryption : undefined),
  );
}

export async function uploadPart(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const partNumber = parsePartNumber(ctx.query.get('partnumber'));
  const uploadId = uploadIdOf(ctx);
  const size = declaredLength(ctx);
  const { md5Hex } = expectedDigests(ctx);
  // Refuse before reading the body when the upload is already gone (checked again on commit).
  const upload = await requireUpload(ctx.services, bucket.name, key, uploadId);
  const { encryptionKey, customer } = partKey(ctx, upload);
  const part = await storePart(ctx.services, { bucket: bucket.name, key, uploadId, partNumber, body: limitedBody(ctx), size, md5Hex, encryptionKey });
  return emptyResponse(200, { ETag: part.etag, 'x-cos-hash-crc64ecma': part.crc64, ...encryptionHeaders(upload.encryption, customer) });
}

/** `x-cos-copy-source-range: bytes=first-last` within the source, or the whole source. */
function copyRange(value: string | undefined, size: number): { start: number; end: number } {
  if (value === undefined || value.trim() === '') return { start: 0, end: size - 1 };
  const m = /^\s*bytes=(\d+)-(\d+)\s*$/.exec(value);
  if (!m || Number(m[1]) > Number(m[2])) throw new CosError('InvalidArgument', 'x-cos-copy-source-range must be bytes=first-last.');
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end >= size) throw new CosError('InvalidRange', `The range ${value} lies outside the ${size}-byte source.`);
  return { start, end };
}

export async function uploadPartCopy(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const partNumber = parsePartNumber(ctx.query.get('partnumber'));
  const uploadId = uploadIdOf(ctx);
  const source = parseCopySource(ctx.header('x-cos-copy-source') ?? '');
  const upload = await requireUpload(ctx.services, bucket.name, key, uploadId);
  const { encryptionKey, customer } = partKey(ctx, upload);
  const sourceKey = copySourceCustomerKey(ctx.header);
  const from = await sourceBucket(ctx, source);
  const conditions = copySourcePreconditions(ctx);
  let size = 0;
  const { record: src, stream } = await readCopySource(ctx, from, source, (rec) => {
    if (evaluatePreconditions(conditions, rec.etag, rec.lastModified) !== 'ok') throw new CosError('PreconditionFailed');
    requireReadable(rec, ctx.now);
    const range = copyRange(ctx.header('x-cos-copy-source-range'), rec.size);
    size = range.end - range.start + 1;
    return range;
  }, sourceKey);
  if (!stream) throw new Error('copy source opened without a stream');
  const part = await storePart(ctx.services, { bucket: bucket.name, key, uploadId, partNumber, body: stream, size, encryptionKey });
  return xmlResponse(buildXml('CopyPartResult', { ETag: part.etag, CRC64: part.crc64, LastModified: isoDate(part.lastModified) }), 200, {
    'x-cos-hash-crc64ecma': part.crc64,
    ...copySourceVersionHeader(src),
    ...encryptionHeaders(upload.encryption, customer),
  });
}

export async function listParts(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = uploadIdOf(ctx);
  const maxParts = pageSize(ctx.query.get('max-parts'), 'max-parts');
  const markerText = ctx.query.get('part-number-marker') ?? '';
  if (markerText !== '' && !/^\d+$/.test(markerText)) throw new CosError('InvalidArgument', 'part-number-marker must be an integer.');
  const marker = Number(markerText || 0);
  const encodingType = ctx.query.get('encoding-type');
  const encode = nameEncoder(encodingType);
  const upload = await requireUpload(ctx.services, bucket.name, key, uploadId);
  const page = await ctx.services.meta.listParts(bucket.name, key, uploadId, marker, maxParts);
  return xmlResponse(
    buildXml('ListPartsResult', {
      Bucket: bucket.name,
      'Encoding-type': encodingType ? 'url' : undefined,
      Key: encode(key),
      UploadId: uploadId,
      Initiator: principal(upload.initiatorUin),
      Owner: principal(upload.ownerUin),
      PartNumberMarker: marker,
      NextPartNumberMarker: page.nextPartNumberMarker,
      StorageClass: upload.storageClass,
      MaxParts: maxParts,
      IsTruncated: page.isTruncated ? 'true' : 'false',
      Part: page.parts.map((p) => ({ PartNumber: p.partNumber, LastModified: isoDate(p.lastModified), ETag: p.etag, Size: p.size })),
    }),
  );
}

/** The `CompleteMultipartUpload` body: Part{PartNumber, ETag}, at least one (MalformedXML otherwise). */
function requestedParts(xml: string): Array<{ partNumber: number; etag: string }> {
  const doc = xmlChild(parseXml(xml).CompleteMultipartUpload);
  if (!doc) throw new CosError('MalformedXML');
  const parts = xmlList(doc.Part).map((entry) => {
    const part = xmlChild(entry);
    const number = xmlText(part?.PartNumber)?.trim() ?? '';
    const etag = xmlText(part?.ETag)?.trim() ?? '';
    if (!/^\d+$/.test(number) || etag === '') throw new CosError('MalformedXML', 'Every Part needs a PartNumber and an ETag.');
    return { partNumber: Number(number), etag };
  });
  if (parts.length === 0) throw new CosError('MalformedXML', 'The request lists no part.');
  return parts;
}

export async function completeMultipartUpload(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = uploadIdOf(ctx);
  await requireUpload(ctx.services, bucket.name, key, uploadId);
  // 10,000 parts make about 0.9 MB, indented about 1.3 MB.
  const parts = requestedParts((await ctx.readBody(2 * 1024 * 1024)).toString('utf8'));
  const object = await completeUpload(ctx.services, { bucket: bucket.name, key, uploadId, parts, now: ctx.now });
  return xmlResponse(
    buildXml('CompleteMultipartUploadResult', {
      Location: `${bucket.name}.cos.${bucket.region}.myqcloud.com/${encodeURI(key)}`,
      Bucket: bucket.name,
      Key: key,
      ETag: object.etag,
    }),
    200,
    { 'x-cos-hash-crc64ecma': object.crc64, ...versionHeader(object), ...encryptionHeaders(object.encryption) },
  );
}

export async function abortMultipartUpload(ctx: RequestContext): Promise<ResponseSpec> {
  await abortUpload(ctx.services, bucketOf(ctx).name, keyOf(ctx), uploadIdOf(ctx));
  return emptyResponse(204);
}

export async function listMultipartUploads(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const keyMarker = ctx.query.get('key-marker') ?? '';
  // upload-id-marker means nothing without key-marker (C200).
  const uploadIdMarker = keyMarker === '' ? '' : (ctx.query.get('upload-id-marker') ?? '');
  const maxUploads = pageSize(ctx.query.get('max-uploads'), 'max-uploads');
  const encodingType = ctx.query.get('encoding-type');
  const encode = nameEncoder(encodingType);
  const page = await ctx.services.meta.listUploads({ bucket: bucket.name, prefix, delimiter, keyMarker, uploadIdMarker, maxUploads });
  const uploads: UploadRecord[] = [];
  const prefixes: Array<{ Prefix: string }> = [];
  for (const e of page.entries) {
    if ('upload' in e) uploads.push(e.upload);
    else prefixes.push({ Prefix: encode(e.commonPrefix) });
  }
  return xmlResponse(
    buildXml('ListMultipartUploadsResult', {
      Bucket: bucket.name,
      // 004 spells it Encoding-Type; COS and S3 answer EncodingType, which the Python SDK reads
      // before it decodes the keys: both are sent.
      'Encoding-Type': encodingType ? 'url' : undefined,
      EncodingType: encodingType ? 'url' : undefined,
      KeyMarker: encode(keyMarker),
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
      NextUploadIdMarker: page.nextUploadIdMarker,
      MaxUploads: maxUploads,
      IsTruncated: page.isTruncated ? 'true' : 'false',
      Prefix: encode(prefix),
      Delimiter: delimiter === '' ? undefined : encode(delimiter),
      Upload: uploads.map((u) => ({
        Key: encode(u.key),
        UploadId: u.uploadId,
        StorageClass: u.storageClass,
        Initiator: principal(u.initiatorUin),
        Owner: principal(u.ownerUin),
        Initiated: isoDate(u.initiated),
      })),
      // 004 and the JS SDK docs spell it CommonPrefixs; COS today and the other SDKs read
      // CommonPrefixes. Both are sent so that every client finds its element (FEATURES §5 #19).
      CommonPrefixs: prefixes,
      CommonPrefixes: prefixes,
    }),
  );
}
