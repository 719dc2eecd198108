/**
 * `POST /sts`: temporary keys for browsers and other untrusted clients (issue 5 item 4), in the shape
 * Tencent STS answers and the SDKs' getAuthorization callbacks take. Only a root account's own key
 * pair may ask; the keys act for that account, within the given policy, until they expire.
 *
 *   request:  { "DurationSeconds": 1800, "Policy": { "statement": [{ "effect": "allow",
 *               "action": ["name/cos:PutObject"], "resource": ["qcs::cos:<region>:uid/<appid>:<bucket>/<prefix>*"] }] } }
 *   response: { "Credentials": { "TmpSecretId", "TmpSecretKey", "Token" }, "StartTime", "ExpiredTime", "Expiration", "RequestId" }
 */
import { CosError } from '@cosbox/protocol';
import { MAX_DURATION_SECONDS, parsePolicy } from '../auth/temporary-keys.js';
import type { RequestContext, ResponseSpec } from '../http/context.js';

export async function getFederationToken(ctx: RequestContext): Promise<ResponseSpec> {
  const caller = ctx.caller;
  if (caller.kind !== 'account' || caller.scope || caller.account.uin !== caller.account.rootUin) {
    throw new CosError('AccessDenied', 'Only a root account key pair may issue temporary keys.');
  }
  let request: { DurationSeconds?: unknown; Policy?: unknown };
  try {
    request = JSON.parse((await ctx.readBody(64 * 1024)).toString('utf8')) as typeof request;
  } catch {
    throw new CosError('InvalidArgument', 'The body must be JSON: { "DurationSeconds", "Policy" }.');
  }
  const duration = request.DurationSeconds === undefined ? 1800 : Number(request.DurationSeconds);
  if (!Number.isInteger(duration) || duration < 1 || duration > MAX_DURATION_SECONDS) {
    throw new CosError('InvalidArgument', `DurationSeconds must be 1 to ${MAX_DURATION_SECONDS}.`);
  }
  const policy = typeof request.Policy === 'string' ? (JSON.parse(request.Policy) as unknown) : request.Policy;
  const keys = ctx.services.temporaryKeys.issue(caller.account, parsePolicy(policy), duration, Math.floor(ctx.now / 1000));
  const body = JSON.stringify({
    Credentials: { TmpSecretId: keys.tmpSecretId, TmpSecretKey: keys.tmpSecretKey, Token: keys.token },
    StartTime: keys.start,
    ExpiredTime: keys.expires,
    Expiration: new Date(keys.expires * 1000).toISOString(),
    RequestId: ctx.requestId,
  });
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body };
}
