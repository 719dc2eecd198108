import { bucketOf, type RequestContext } from '../http/context.js';

/** The uin that owns what a request writes: the signer, or the bucket owner for anonymous writes. */
export function writerUin(ctx: RequestContext): string {
  return ctx.caller.kind === 'account' ? ctx.caller.account.uin : bucketOf(ctx).ownerUin;
}
