/**
 * The state a fuzz case may not disturb, and the checks after every case (invariants):
 *  - no 5xx (501 NotImplemented, cosbox's documented answer for an API it does not offer, aside)
 *    and always an answer;
 *  - the process alive: a signed GET Service right after the case, and the reads of the case's
 *    target that follow it, are answered;
 *  - a refused request (4xx, or no answer) changed nothing: the per-case target object (bytes,
 *    ETag, content headers, metadata, ACL, tags) and its bucket (ACL, CORS, lifecycle, versioning,
 *    tags) read the same before and after;
 *  - the canary bucket and object, which no case addresses, never change at all.
 */
import { createHash } from 'node:crypto';
import { bytesOf, describe, hostOf, serialize, signed, type LiveServer, type WireRequest, type WireResponse } from './live.js';

export interface Target {
  bucket: string;
  key: string;
}

/** An object key as a path: percent-encoded except '/'. */
export function pathOf(key: string): string {
  return '/' + encodeURIComponent(key).replace(/%2F/g, '/');
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Error documents carry per-request ids; everything else in a read is deterministic. */
function normalized(res: WireResponse): string {
  if (res.status === 0) return `no answer (${res.error})`;
  const body = res.body.toString('latin1').replace(/<(RequestId|TraceId)>[^<]*<\/\1>/g, '');
  return `${res.status} ${body}`;
}

/** Headers of a HEAD that only a write may change. */
const OBJECT_HEADERS = [
  'etag', 'content-length', 'content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language',
  'expires', 'last-modified', 'x-cos-storage-class', 'x-cos-tagging-count', 'x-cos-hash-crc64ecma', 'x-cos-object-type',
  'x-cos-restore', 'x-cos-server-side-encryption', 'x-cos-version-id',
];

export type Snapshot = Record<string, string>;

/** A snapshot without what two identical writes still differ in (the time, the version id). */
function comparable(s: Snapshot): Snapshot {
  return { ...s, head: (s.head ?? '').replace(/ (last-modified|x-cos-version-id)=[^=]*?(?= [a-z-]+=|$)/g, '') };
}

export function diff(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[name] !== after[name]) out.push(`${name}: ${JSON.stringify(before[name])} -> ${JSON.stringify(after[name])}`);
  }
  return out;
}

/** A failed case: what broke, the request's bytes, the answer and the server's error log. */
export class CaseFailure extends Error {
  constructor(
    message: string,
    /** What went wrong, one line each, and what the server logged: to tell one defect from another. */
    readonly kind: string = '',
    /** The size of the request, to keep the smallest example of a kind. */
    readonly size: number = 0,
  ) {
    super(message);
  }
}

/** The gist of a problem and of the server's errors, numbers and quoted names left out. */
function kindOf(problems: string[], serverErrors: string[]): string {
  const gist = problems.map((p) => p.split('\n')[0].replace(/\d+/g, 'N').replace(/: .*/, ''));
  // The error's type and the start of its message, quoted input and numbers left out.
  const errors = serverErrors
    .filter((l) => /Error|error:/.test(l))
    .map((l) => l.replace(/\[".*"\]/g, '[…]').replace(/(["'])(?:(?!\1).)*\1?/g, '…').replace(/\d+/g, 'N').slice(0, 60));
  return [...new Set([...gist, ...errors.slice(0, 2)])].join(' | ');
}

export class World {
  /** How the cases were answered, by status: printed after each property to show what was reached. */
  statuses = new Map<number, number>();
  /** Whether a case may have changed the bucket's configuration (a write answered 2xx). */
  dirty = false;
  /** The canary as it was set up; compared after every case. */
  private canaryInitial: Snapshot = {};
  readonly canary: Target;

  constructor(
    readonly live: LiveServer,
    /** The bucket cases address. */
    readonly bucket: string,
    canaryBucket: string,
  ) {
    this.canary = { bucket: canaryBucket, key: 'canary/object' };
  }

  /** A signed, virtual-hosted request; `path` is the encoded path with its query. */
  request(method: string, bucket: string | undefined, path: string, headers: Array<[string, string]> = [], body?: Buffer): WireRequest {
    const host = bucket ? hostOf(bucket) : `127.0.0.1:${this.live.port}`;
    return signed({ method, target: path, headers: [['Host', host], ...headers], body });
  }

  call(method: string, bucket: string | undefined, path: string, headers: Array<[string, string]> = [], body?: Buffer): Promise<WireResponse> {
    return this.live.send(this.request(method, bucket, path, headers, body));
  }

  private async must(res: Promise<WireResponse>, what: string): Promise<WireResponse> {
    const r = await res;
    if (r.status < 200 || r.status >= 300) throw new Error(`setup: ${what} answered ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
    return r;
  }

  async setup(): Promise<void> {
    await this.must(this.call('PUT', this.bucket, '/'), 'PUT Bucket');
    await this.must(this.call('PUT', this.canary.bucket, '/', [['x-cos-acl', 'public-read']]), 'PUT canary bucket');
    await this.putCanary();
  }

  /** The canary as set up; again after a case changed it, so that later cases are judged on their own. */
  private async putCanary(): Promise<void> {
    await this.must(this.call('PUT', this.canary.bucket, '/?acl', [['x-cos-acl', 'public-read']]), 'PUT canary bucket acl');
    for (const sub of ['cors', 'lifecycle', 'tagging']) await this.call('DELETE', this.canary.bucket, `/?${sub}`);
    await this.putObject(this.canary, Buffer.from('the canary: nobody may change these bytes'), [
      ['Content-Type', 'text/x-canary'],
      ['x-cos-meta-canary', 'yes'],
      ['x-cos-acl', 'private'],
      ['x-cos-tagging', 'canary=yes'],
    ]);
    this.canaryInitial = await this.snapshot(this.canary);
  }

  async putObject(target: Target, body: Buffer, headers: Array<[string, string]> = []): Promise<void> {
    await this.must(this.call('PUT', target.bucket, pathOf(target.key), headers, body), `PUT ${target.key}`);
  }

  /** The per-case target: fresh bytes, headers, metadata, an ACL and tags. */
  async resetTarget(target: Target, headers: Array<[string, string]> = []): Promise<void> {
    await this.putObject(target, Buffer.from(`target ${target.key}`), [
      ['Content-Type', 'text/x-target'],
      ['Cache-Control', 'max-age=1'],
      ['x-cos-meta-target', 'yes'],
      ['x-cos-acl', 'public-read'],
      ['x-cos-tagging', 'target=yes'],
      ...headers,
    ]);
  }

  /** Puts back the bucket's ACL and removes its CORS, lifecycle and tags after a case that may have set them. */
  async resetBucket(bucket: string): Promise<void> {
    if (!this.dirty) return;
    await this.must(this.call('PUT', bucket, '/?acl', [['x-cos-acl', 'private']]), 'PUT Bucket acl');
    for (const sub of ['cors', 'lifecycle', 'tagging']) await this.call('DELETE', bucket, `/?${sub}`);
    // Issue 16's configurations: a stored policy or referer list would change what later cases see.
    for (const sub of ['policy', 'website', 'encryption', 'domain']) await this.call('DELETE', bucket, `/?${sub}`);
    const referer = Buffer.from('<RefererConfiguration><Status>Disabled</Status><RefererType>Black-List</RefererType></RefererConfiguration>');
    await this.call('PUT', bucket, '/?referer', [['Content-MD5', createHash('md5').update(referer).digest('base64')]], referer);

    for (const sub of ['origin', 'replication', 'inventory&id=fz']) await this.call('DELETE', bucket, `/?${sub}`);
    await this.call('PUT', bucket, '/?logging', [], Buffer.from('<BucketLoggingStatus/>'));
    this.dirty = false;
  }

  /** Everything a refused request must leave alone, read with signed requests. */
  async snapshot(target: Target): Promise<Snapshot> {
    const out: Snapshot = {};
    const path = pathOf(target.key);
    const head = await this.call('HEAD', target.bucket, path);
    out.head = head.status === 0 ? `no answer (${head.error})` : [String(head.status), ...OBJECT_HEADERS.map((h) => `${h}=${head.headers[h] ?? ''}`), ...Object.keys(head.headers).filter((h) => h.startsWith('x-cos-meta-')).sort().map((h) => `${h}=${head.headers[h]}`)].join(' ');
    const get = await this.call('GET', target.bucket, path);
    out.get = get.status === 200 ? `200 md5=${md5(get.body)}` : normalized(get);
    out.acl = normalized(await this.call('GET', target.bucket, `${path}?acl`));
    out.tagging = normalized(await this.call('GET', target.bucket, `${path}?tagging`));
    for (const sub of ['acl', 'cors', 'lifecycle', 'versioning', 'tagging', 'policy', 'website', 'encryption', 'referer']) {
      out[`bucket ${sub}`] = normalized(await this.call('GET', target.bucket, `/?${sub}`));
    }
    return out;
  }

  /** A temporary key for everything the root account may do (POST /sts). */
  async temporaryKey(): Promise<{ secretId: string; secretKey: string; token: string }> {
    const policy = { version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:*'], resource: ['*'] }] };
    const res = await this.must(
      this.call('POST', undefined, '/sts', [['Content-Type', 'application/json']], Buffer.from(JSON.stringify({ DurationSeconds: 3600, Policy: policy }))),
      'POST /sts',
    );
    const { Credentials: c } = JSON.parse(res.body.toString('utf8')) as { Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string } };
    return { secretId: c.TmpSecretId, secretKey: c.TmpSecretKey, token: c.Token };
  }

  /** A signed GET Service answered 200 by a running process. */
  async healthy(): Promise<boolean> {
    const res = await this.call('GET', undefined, '/');
    return res.status === 200 && this.live.running;
  }

  /**
   * Sends one case and checks every invariant; throws a CaseFailure that carries the request's
   * bytes. `followUp` runs after a 2xx (a multipart upload completed, ...) and may send more.
   */
  async check(req: WireRequest, target: Target, followUp?: (res: WireResponse) => Promise<WireRequest[]>): Promise<WireResponse> {
    const before = await this.snapshot(target);
    if (!(await this.healthy())) {
      await this.live.restart();
      throw new CaseFailure(`the server died reading the target before the case (what an earlier case stored?): ${JSON.stringify(target)}`, 'died before the case', 0);
    }
    const mark = this.live.mark();
    const res = await this.live.send(req);
    this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 200 && res.status < 300 && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) this.dirty = true;
    const problems: string[] = [];
    // A server may stop reading a large body it refuses and close: the client's write then fails
    // and the answer can be lost with the connection. That is a refusal, not a missing answer.
    const cutOff = (r: WireResponse, q: WireRequest) => r.status === 0 && /EPIPE|ECONNRESET/.test(r.error ?? '') && (q.body?.length ?? 0) > 64 * 1024;
    const bad = (r: WireResponse, q: WireRequest = req) => (r.status === 0 && !cutOff(r, q)) || (r.status >= 500 && r.status !== 501);
    if (bad(res)) problems.push(`the case was answered ${res.status === 0 ? `nothing (${res.error})` : res.status}`);
    let crashed = !(await this.healthy());
    if (crashed) problems.push('the server died on the case');
    const sent = [req];
    if (!crashed && res.status >= 200 && res.status < 300 && followUp) {
      for (const next of await followUp(res)) {
        sent.push(next);
        const r = await this.live.send(next);
        if (bad(r, next)) problems.push(`follow-up ${next.method} ${next.target} was answered ${r.status || `nothing (${r.error})`}`);
      }
      crashed = !(await this.healthy());
      if (crashed) problems.push('the server died on the follow-up');
    }
    if (!crashed) {
      const after = await this.snapshot(target);
      const reads = Object.entries(after).filter(([, v]) => /^(?:5(?!01)\d\d|no answer)/.test(v));
      if (reads.length > 0) problems.push(`reading the target afterwards: ${reads.map(([k, v]) => `${k} ${v.slice(0, 80)}`).join('; ')}`);
      crashed = !(await this.healthy());
      if (crashed) problems.push('the server died reading the target afterwards');
      if (!crashed && (res.status === 0 || res.status >= 400)) {
        const changed = diff(before, after);
        if (changed.length > 0) problems.push(`a refused request (${res.status}) changed the target:\n    ${changed.join('\n    ')}`);
      }
    }
    if (!crashed) {
      const changed = diff(this.canaryInitial, await this.snapshot(this.canary));
      if (changed.length > 0) {
        problems.push(`the canary changed:\n    ${changed.join('\n    ')}`);
        await this.putCanary();
      }
    }
    if (crashed) await this.live.restart();
    if (problems.length > 0) throw new CaseFailure(this.report(problems, sent, res, mark), kindOf(problems, this.live.errorsSince(mark)), serialize(req).length);
    return res;
  }

  /**
   * A variant of a valid signed request (unsigned additions, another request target) must be
   * refused with nothing changed, or do exactly what the signed request does: the same status, the
   * same body, the same state afterwards. `reset` puts the target back before each of the two.
   */
  async differential(base: WireRequest, variant: WireRequest, target: Target, reset: () => Promise<void>): Promise<void> {
    await reset();
    const baseRes = await this.live.send(base);
    const baseState = await this.snapshot(target);
    await reset();
    const mark = this.live.mark();
    const res = await this.check(variant, target); // no 5xx, alive, a refusal changed nothing, canary
    if (res.status >= 400) return;
    const problems: string[] = [];
    // Errors carry per-request ids: compare their codes only.
    const answer = (r: WireResponse) => (r.status >= 300 ? `${r.status} ${/<Code>([^<]*)<\/Code>/.exec(r.body.toString('utf8'))?.[1] ?? ''}` : `${r.status} md5=${md5(r.body)}`);
    if (answer(res) !== answer(baseRes)) problems.push(`accepted, but answered ${answer(res)} where the signed request answers ${answer(baseRes)}`);
    const changed = diff(comparable(baseState), comparable(await this.snapshot(target)));
    if (changed.length > 0) problems.push(`accepted, and left the target otherwise than the signed request does:\n    ${changed.join('\n    ')}`);
    if (problems.length > 0) throw new CaseFailure(this.report(problems, [variant, base], res, mark, ['request', 'the signed request']), kindOf(problems, []), serialize(variant).length);
  }

  report(problems: string[], sent: WireRequest[], res: WireResponse, mark: number, labels = ['request']): string {
    return [
      ...problems,
      ...sent.map((r, i) => `${labels[i] ?? 'then'}: ${describe(r)}`),
      `answer: ${res.status} ${JSON.stringify(res.body.toString('latin1').slice(0, 300))}`,
      ...this.live.errorsSince(mark).map((l) => `server: ${l}`),
    ].join('\n  ');
  }
}

export { bytesOf };
