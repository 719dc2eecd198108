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
  const request = readRequest(await ctx.readBody(64 * 1024));
  // Only a number or a numeric string: Number() of a nested array recurses through its toString.
  const given = request.DurationSeconds;
  const duration = given === undefined ? 1800 : typeof given === 'number' || typeof given === 'string' ? Number(given) : NaN;
  if (!Number.isInteger(duration) || duration < 1 || duration > MAX_DURATION_SECONDS) {
    throw new CosError('InvalidArgument', `DurationSeconds must be 1 to ${MAX_DURATION_SECONDS}.`);
  }
  const issuing = await ctx.services.accounts.credential(caller.secretId);
  if (!issuing) throw new CosError('InvalidAccessKeyId');
  const keys = ctx.services.temporaryKeys.issue(caller.account, issuing, parsePolicy(request.Policy), duration, Math.floor(ctx.now / 1000));
  const body = JSON.stringify({
    Credentials: { TmpSecretId: keys.tmpSecretId, TmpSecretKey: keys.tmpSecretKey, Token: keys.token },
    StartTime: keys.start,
    ExpiredTime: keys.expires,
    Expiration: new Date(keys.expires * 1000).toISOString(),
    RequestId: ctx.requestId,
  });
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body };
}

/** The JSON body: an object whose Policy is an object or a string holding one. */
function readRequest(body: Buffer): { DurationSeconds?: unknown; Policy?: unknown } {
  const json = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new CosError('InvalidArgument', `${what} must be JSON.`);
    }
  };
  const request = json(body.toString('utf8'), 'The body ({ "DurationSeconds", "Policy" })');
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new CosError('InvalidArgument', 'The body must be a JSON object: { "DurationSeconds", "Policy" }.');
  }
  const { DurationSeconds, Policy } = request as { DurationSeconds?: unknown; Policy?: unknown };
  return { DurationSeconds, Policy: typeof Policy === 'string' ? json(Policy, 'Policy') : Policy };
}
