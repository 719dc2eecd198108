/** POST Object restore (`POST /<key>?restore`; C233-C237). */
import { CosError } from '@cosbox/protocol';
import { bucketOf, emptyResponse, keyOf, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkContentMd5 } from '../model/objects.js';
import { applyRestore, restoreRequestFromXml } from '../model/restore.js';

export async function restoreObject(ctx: RequestContext): Promise<ResponseSpec> {
  const body = await ctx.readBody(64 * 1024);
  checkContentMd5(ctx, body, { optional: true });
  const request = restoreRequestFromXml(body.toString('utf8'));
  let status: 200 | 202 = 202;
  await ctx.services.meta.updateObject(bucketOf(ctx).name, keyOf(ctx), (current) => {
    if (!current) throw new CosError('NoSuchKey');
    const outcome = applyRestore(current, request, ctx.now, ctx.services.config.timeScale);
    status = outcome.status;
    return outcome.object;
  });
  return emptyResponse(status);
}
