/** PUT and GET Bucket logging (`?logging`): where the bucket's access logs are delivered. */
import { bucketOf, emptyResponse, xmlResponse, type RequestContext, type ResponseSpec } from '../http/context.js';
import { checkLoggingTarget, loggingDocument, loggingFromXml, loggingOf, MAX_LOGGING_BYTES } from '../model/logging.js';
import { checkContentMd5 } from '../model/objects.js';

/** An empty BucketLoggingStatus turns logging off. */
export async function putBucketLogging(ctx: RequestContext): Promise<ResponseSpec> {
  const bucket = bucketOf(ctx);
  const body = await ctx.readBody(MAX_LOGGING_BYTES);
  checkContentMd5(ctx, body, { optional: true });
  const config = loggingFromXml(body.toString('utf8'));
  if (config) checkLoggingTarget(bucket, await ctx.services.meta.getBucket(config.targetBucket));
  await ctx.services.meta.setBucketConfig(bucket.name, 'logging', config);
  return emptyResponse(200);
}

/** An empty BucketLoggingStatus when logging is off, as COS answers. */
export async function getBucketLogging(ctx: RequestContext): Promise<ResponseSpec> {
  return xmlResponse(loggingDocument(loggingOf(bucketOf(ctx))));
}
