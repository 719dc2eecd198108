/** GET Service: the caller's buckets (C168, C169). */
import { buildXml, isoDate } from '@cosbox/protocol';
import { camId } from '../auth/accounts.js';
import { xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';

export async function getService(ctx: RequestContext): Promise<ResponseSpec> {
  if (ctx.caller.kind !== 'account') throw new Error('GET Service reached without a signed caller');
  const account = ctx.caller.account;
  const buckets = await ctx.services.meta.listBuckets(account.rootUin);
  return xmlResponse(
    buildXml('ListAllMyBucketsResult', {
      Owner: { ID: camId(account), DisplayName: account.uin },
      // 004 names the date CreateDate; today's COS, the official SDKs' typings and the Go and Java
      // SDKs read CreationDate. Both are sent so that every client finds its element.
      Buckets: {
        Bucket: buckets.map((b) => ({ Name: b.name, Location: b.region, CreateDate: isoDate(b.createdAt), CreationDate: isoDate(b.createdAt) })),
      },
    }),
  );
}
