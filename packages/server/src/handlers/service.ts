/**
 * GET Service: the caller's buckets (C168, C169), filtered and paged as today's COS documents it:
 *  - `tagkey` (and `tagvalue`): buckets with that tag;
 *  - `region`, or a regional endpoint (`cos.<region>.myqcloud.com`): buckets of that region;
 *  - `create-time` (unix seconds) with `range` lt | gt | lte | gte: by creation time;
 *  - `marker` / `max-keys` (at most 2000): buckets named after the marker, a page at a time, with
 *    `IsTruncated` and `NextMarker`.
 */
import { buildXml, CosError, isoDate } from '@cosbox/protocol';
import { camId } from '../auth/accounts.js';
import { xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import type { BucketRecord } from '../storage/metadata/store.js';

/** COS's largest (and default) page of buckets. */
export const MAX_BUCKET_KEYS = 2000;

const RANGES = {
  lt: (created: number, at: number) => created < at,
  gt: (created: number, at: number) => created > at,
  lte: (created: number, at: number) => created <= at,
  gte: (created: number, at: number) => created >= at,
} as const;

/** The region a regional service endpoint names: `cos.<region>.<domain>`. */
const REGIONAL_HOST = /^cos\.([a-z]+-[a-z0-9-]+)\./i;

interface ServiceQuery {
  filters: Array<(bucket: BucketRecord) => boolean>;
  marker: string;
  maxKeys: number;
}

function integer(value: string, name: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new CosError('InvalidArgument', `${name} must be a non-negative integer.`);
  return Number(value);
}

function parseQuery(ctx: RequestContext): ServiceQuery {
  const q = (name: string) => {
    const value = ctx.query.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  const filters: ServiceQuery['filters'] = [];

  const tagKey = q('tagkey');
  const tagValue = q('tagvalue');
  if (tagValue !== undefined && tagKey === undefined) throw new CosError('InvalidArgument', 'tagvalue needs a tagkey.');
  if (tagKey !== undefined) {
    filters.push((b) => (b.tagging ?? []).some((t) => t.key === tagKey && (tagValue === undefined || t.value === tagValue)));
  }

  const regions = [q('region'), REGIONAL_HOST.exec(ctx.host)?.[1]].filter((r): r is string => r !== undefined);
  for (const region of regions) filters.push((b) => b.region === region.toLowerCase());

  const createTime = q('create-time');
  const range = q('range');
  if ((createTime === undefined) !== (range === undefined)) throw new CosError('InvalidArgument', 'create-time and range are given together.');
  if (createTime !== undefined && range !== undefined) {
    if (!Object.hasOwn(RANGES, range)) throw new CosError('InvalidArgument', 'range is one of lt, gt, lte and gte.');
    const compare = RANGES[range as keyof typeof RANGES];
    const at = integer(createTime, 'create-time');
    filters.push((b) => compare(Math.floor(b.createdAt / 1000), at));
  }

  const maxKeys = q('max-keys') === undefined ? MAX_BUCKET_KEYS : Math.min(integer(q('max-keys') ?? '', 'max-keys'), MAX_BUCKET_KEYS);
  if (maxKeys < 1) throw new CosError('InvalidArgument', 'max-keys must be at least 1.');
  return { filters, marker: q('marker') ?? '', maxKeys };
}

/** ISO 8601 to the second, as COS writes CreationDate (`2019-05-24T07:51:35Z`). */
function secondsDate(ms: number): string {
  return isoDate(ms).replace(/\.\d{3}Z$/, 'Z');
}

export async function getService(ctx: RequestContext): Promise<ResponseSpec> {
  if (ctx.caller.kind !== 'account') throw new Error('GET Service reached without a signed caller');
  const account = ctx.caller.account;
  const query = parseQuery(ctx);
  // Names are ASCII: code-unit order is byte order. An owner has at most a few hundred buckets.
  const matching = (await ctx.services.meta.listBuckets(account.rootUin))
    .filter((b) => b.name > query.marker && query.filters.every((f) => f(b)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = matching.slice(0, query.maxKeys);
  const truncated = page.length < matching.length;
  return xmlResponse(
    buildXml('ListAllMyBucketsResult', {
      Owner: { ID: camId(account), DisplayName: account.uin },
      // 004 names the date CreateDate (with milliseconds); today's COS, the official SDKs' typings,
      // the Go and Java SDKs read CreationDate, and the Python SDK parses it to the second. Both are
      // sent so that every client finds its element.
      Buckets: {
        Bucket: page.map((b) => ({ Name: b.name, Location: b.region, CreateDate: isoDate(b.createdAt), CreationDate: secondsDate(b.createdAt), BucketType: 'cos' })),
      },
      Marker: query.marker,
      MaxKeys: query.maxKeys,
      IsTruncated: truncated ? 'true' : 'false',
      ...(truncated ? { NextMarker: page[page.length - 1].name } : {}),
    }),
  );
}
