/** PUT, GET, List and DELETE Bucket inventory (`?inventory&id=`; List without an id). */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import {
  checkInventoryId,
  INVENTORY_PAGE,
  inventoriesOf,
  inventoryDocument,
  inventoryFromXml,
  inventoryListDocument,
  MAX_INVENTORIES,
  MAX_INVENTORY_BYTES,
} from '../model/inventory.js';
import { checkContentMd5 } from '../model/objects.js';

export async function putBucketInventory(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const id = checkInventoryId(ctx.query.get('id'));
  const body = await ctx.readBody(MAX_INVENTORY_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  const config = inventoryFromXml(body.toString('utf8'), id);
  const destination = await ctx.services.meta.getBucket(config.destinationBucket);
  if (!destination || destination.ownerUin !== bucket.ownerUin || !config.destination.startsWith(`qcs::cos:${destination.region}::`)) {
    throw new CosError('InvalidArgument', `The destination bucket ${config.destination} does not exist, is not yours or is in another region.`);
  }
  const all = { ...inventoriesOf(bucket), [id]: config };
  if (Object.keys(all).length > MAX_INVENTORIES) throw new CosError('InvalidArgument', `At most ${MAX_INVENTORIES} inventory configurations per bucket.`);
  await ctx.services.meta.setBucketConfig(bucket.name, 'inventory', all);
  return emptyResponse(200);
}

export async function getBucketInventory(ctx: RequestContext): Promise<ResponseSpec> {
  const config = inventoriesOf(bucketOf(ctx))[checkInventoryId(ctx.query.get('id'))];
  if (!config) throw new CosError('NoSuchInventoryConfiguration');
  return xmlResponse(inventoryDocument(config));
}

/** Pages of INVENTORY_PAGE in id order; the continuation token is the last id of the page before. */
export async function listBucketInventory(ctx: RequestContext): Promise<ResponseSpec> {
  const token = ctx.query.get('continuation-token') || undefined;
  const all = Object.values(inventoriesOf(bucketOf(ctx))).sort((a, b) => (a.id < b.id ? -1 : 1));
  const rest = token === undefined ? all : all.filter((c) => c.id > token);
  const page = rest.slice(0, INVENTORY_PAGE);
  const next = rest.length > page.length ? page[page.length - 1].id : undefined;
  return xmlResponse(inventoryListDocument(page, token, next));
}

export async function deleteBucketInventory(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const id = checkInventoryId(ctx.query.get('id'));
  const all = { ...inventoriesOf(bucket) };
  if (!all[id]) throw new CosError('NoSuchInventoryConfiguration');
  delete all[id];
  await ctx.services.meta.setBucketConfig(bucket.name, 'inventory', Object.keys(all).length > 0 ? all : undefined);
  return emptyResponse(204);
}
