/** PUT/GET Bucket accelerate (issue 16 item 9); the pipeline refuses the accelerate host unless Enabled. */
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { accelerateDocument, accelerateFromXml, accelerateOf, MAX_ACCELERATE_BYTES } from '../model/accelerate.js';
import { checkContentMd5 } from '../model/objects.js';

export async function putBucketAccelerate(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_ACCELERATE_BYTES);
  checkContentMd5(ctx, body);
  await ctx.services.meta.setBucketConfig(bucket.name, 'accelerate', accelerateFromXml(body.toString('utf8')));
  return emptyResponse(200);
}

/** Never configured: an empty AccelerateConfiguration, as COS answers (the SDK expects a document). */
export async function getBucketAccelerate(ctx: RequestContext): Promise<ResponseSpec> {
  return xmlResponse(accelerateDocument(accelerateOf(bucketOf(ctx))));
}
