/** DELETE Object (C213, C214) and DELETE Multiple Objects (C215-C220). */
import { buildXml, CosError, parseXml, utf8Length, xmlChild, xmlList, xmlText } from '@cosbox/protocol';
import { bucketOf, emptyResponse, keyOf, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5 } from '../model/objects.js';
import { MAX_KEY_BYTES } from '../routing/address.js';
import type { Services } from '../services.js';

/** At most this many keys per DELETE Multiple Objects (C217). */
export const MAX_DELETE_KEYS = 1000;

async function deleteKey(services: Services, bucket: string, key: string): Promise<void> {
  const blobs = await services.meta.deleteObject(bucket, key);
  void services.blobs.remove(blobs).catch((err: unknown) => services.log.warn({ err }, 'could not remove deleted blobs'));
}

export async function deleteObject(ctx: RequestContext): Promise<ResponseSpec> {
  await deleteKey(ctx.services, bucketOf(ctx).name, keyOf(ctx));
  return emptyResponse(204);
}


export async function deleteMultipleObjects(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(4 * 1024 * 1024);
  checkContentMd5(ctx, body);
  const doc = xmlChild(parseXml(body.toString('utf8')).Delete);
  if (!doc) throw new CosError('MalformedXML');
  const quiet = (xmlText(doc.Quiet) ?? 'false').trim().toLowerCase() === 'true';
  const objects = xmlList(doc.Object);
  if (objects.length === 0) throw new CosError('MalformedXML', 'The request names no object to delete.');
  if (objects.length > MAX_DELETE_KEYS) throw new CosError('MalformedXML', `At most ${MAX_DELETE_KEYS} objects can be deleted at once.`);

  // All deletions are queued in the same turn, so they commit together.
  const results = await Promise.all(
    objects.map(async (entry) => {
      const key = xmlText(xmlChild(entry)?.Key) ?? '';
      try {
        if (key === '') throw new CosError('InvalidArgument', 'The object key is empty.');
        if (utf8Length(key) > MAX_KEY_BYTES) throw new CosError('InvalidURI');
        await deleteKey(ctx.services, bucket.name, key);
        return { Key: key } as const;
      } catch (error) {
        const cos = error instanceof CosError ? error : new CosError('InternalError');
        return { error: { Key: key, Code: cos.code, Message: cos.message } };
      }
    }),
  );
  const deleted = results.filter((r): r is { Key: string } => !('error' in r));
  const errors = results.flatMap((r) => ('error' in r ? [r.error] : []));
  return xmlResponse(buildXml('DeleteResult', { Deleted: quiet ? [] : deleted, Error: errors }));
}
