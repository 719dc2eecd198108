/**
 * DELETE Object (C213, C214) and DELETE Multiple Objects (C215-C220), with versioning: without a
 * version id a versioned bucket gets a delete marker; with one, that version goes (§1.8.4).
 */
import { buildXml, CosError, parseXml, utf8Length, xmlChild, xmlList, xmlText } from '@cosbox/protocol';
import { bucketOf, emptyResponse, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5, requestedVersion } from '../model/objects.js';
import { MAX_KEY_BYTES } from '../routing/address.js';
import type { Services } from '../services.js';
import type { DeleteOutcome } from '../storage/metadata/store.js';

/** At most this many keys per DELETE Multiple Objects (C217). */
export const MAX_DELETE_KEYS = 1000;

export async function deleteKey(services: Services, bucket: string, key: string, versionId?: string): Promise<DeleteOutcome> {
  const { meta, blobs } = services;
  let outcome: DeleteOutcome;
  try {
    outcome = await meta.deleteObject(bucket, key, versionId);
  } catch (error) {
    // A full disk: the metadata commit that frees space needs a little space itself. Give back the
    // reserve and try once more.
    if (!isDiskFull(error) || !blobs.freeReserve) throw error;
    services.log.warn({ bucket, key }, 'disk full: deleting with the reserved space');
    await blobs.freeReserve();
    outcome = await meta.deleteObject(bucket, key, versionId);
  }
  void blobs
    .remove(outcome.blobs)
    .then(() => blobs.refillReserve?.())
    .catch((err: unknown) => services.log.warn({ err }, 'could not remove deleted blobs'));
  return outcome;
}

function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

export async function deleteObject(ctx: RequestContext): Promise<ResponseSpec> {
  const outcome = await deleteKey(ctx.services, bucketOf(ctx).name, keyOf(ctx), requestedVersion(ctx));
  const headers: Record<string, string> = {};
  if (outcome.versionId !== undefined) {
    headers['x-cos-version-id'] = outcome.versionId;
    headers['x-cos-delete-marker'] = String(outcome.deleteMarker);
  }
  return emptyResponse(204, headers);
}


export async function deleteMultipleObjects(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  // 1,000 keys of up to 850 bytes make about 1 MB; 2 MB leaves room for escaped characters.
  const body = await ctx.readBody(2 * 1024 * 1024);
  checkContentMd5(ctx, body);
  // Delete, Quiet and Object{Key, VersionId} per key: more elements than that is never a valid request.
  const doc = xmlChild(parseXml(body.toString('utf8'), 'MalformedXML', { maxElements: 3 * MAX_DELETE_KEYS + 2 }).Delete);
  if (!doc) throw new CosError('MalformedXML');
  const quiet = (xmlText(doc.Quiet) ?? 'false').trim().toLowerCase() === 'true';
  const objects = xmlList(doc.Object);
  if (objects.length === 0) throw new CosError('MalformedXML', 'The request names no object to delete.');
  if (objects.length > MAX_DELETE_KEYS) throw new CosError('MalformedXML', `At most ${MAX_DELETE_KEYS} objects can be deleted at once.`);

  // All deletions are queued in the same turn, so they commit together.
  const results = await Promise.all(
    objects.map(async (entry) => {
      const key = xmlText(xmlChild(entry)?.Key) ?? '';
      const versionId = xmlText(xmlChild(entry)?.VersionId) || undefined;
      try {
        if (key === '') throw new CosError('InvalidArgument', 'The object key is empty.');
        if (utf8Length(key) > MAX_KEY_BYTES) throw new CosError('InvalidURI');
        const outcome = await deleteKey(ctx.services, bucket.name, key, versionId);
        return { Key: key, ...deletedFields(outcome, versionId) };
      } catch (error) {
        const cos = error instanceof CosError ? error : new CosError('InternalError');
        return { error: { Key: key, Code: cos.code, Message: cos.message, VersionId: versionId } };
      }
    }),
  );
  const deleted = results.filter((r) => !('error' in r));
  const errors = results.flatMap((r) => ('error' in r ? [r.error] : []));
  return xmlResponse(buildXml('DeleteResult', { Deleted: quiet ? [] : deleted, Error: errors }));
}

/** What a Deleted entry says besides the key: the version removed, or the delete marker added (S3's fields). */
function deletedFields(outcome: DeleteOutcome, requested: string | undefined): Record<string, string> {
  if (outcome.versionId === undefined) return {};
  if (requested !== undefined) {
    return outcome.deleteMarker ? { VersionId: requested, DeleteMarker: 'true', DeleteMarkerVersionId: requested } : { VersionId: requested };
  }
  return { DeleteMarker: 'true', DeleteMarkerVersionId: outcome.versionId };
}
