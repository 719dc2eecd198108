/**
 * Valid signatures with what they do not cover (hardening item 9): unsigned headers and query
 * parameters that would change the operation (x-cos-acl, x-cos-grant-*, x-cos-copy-source; acl,
 * tagging, versionId, uploads, ...) added to a signed request, as anyone holding a pre-signed URL
 * could; and absolute-form request targets (`GET http://other-bucket.../key HTTP/1.1`) naming
 * another host than the signed Host header. Such a request must be refused with nothing changed,
 * or do exactly what the signed request does (World.differential).
 */
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { APPID, LiveServer, hostOf, signed, type WireRequest } from './fuzz/live.js';
import { fuzz } from './fuzz/run.js';
import { pathOf, World, type Target } from './fuzz/world.js';

let live: LiveServer;
let world: World;
const target: Target = { bucket: `fuzz-signatures-${APPID}`, key: 'fuzz/target.txt' };

before(async () => {
  live = await LiveServer.start();
  world = new World(live, target.bucket, `canary-${APPID}`);
  await world.setup();
});
after(() => live?.stop());

interface Base {
  method: string;
  query: string;
  headers: Array<[string, string]>;
  body?: string;
}

const BASES: Record<string, Base> = {
  GET: { method: 'GET', query: '', headers: [] },
  HEAD: { method: 'HEAD', query: '', headers: [] },
  PUT: { method: 'PUT', query: '', headers: [], body: 'new bytes from the signed request' },
  DELETE: { method: 'DELETE', query: '', headers: [] },
  'GET ?acl': { method: 'GET', query: 'acl', headers: [] },
  'PUT ?acl': { method: 'PUT', query: 'acl', headers: [['x-cos-acl', 'private']] },
};

const copySource = () => `${hostOf(world.canary.bucket)}${pathOf(world.canary.key)}`;

const EXTRA_HEADERS: Array<() => [string, string]> = [
  () => ['x-cos-acl', 'public-read-write'],
  () => ['x-cos-acl', 'public-read'],
  () => ['x-cos-grant-read', 'id="qcs::cam::anyone:anyone"'],
  () => ['x-cos-grant-write', 'id="qcs::cam::anyone:anyone"'],
  () => ['x-cos-grant-full-control', 'id="qcs::cam::anyone:anyone"'],
  () => ['x-cos-copy-source', copySource()],
  () => ['x-cos-copy-source-range', 'bytes=0-3'],
  () => ['x-cos-metadata-directive', 'Replaced'],
];

const EXTRA_PARAMS = [
  'acl', 'tagging', 'versionId=null', 'versionId=MTg0NDUxNjc1NDI5MDM1MzE', 'versionId=', 'uploads', 'uploadId=1764000000abc',
  'append&position=0', 'restore', 'delete', 'cors', 'lifecycle', 'versioning', 'versions', 'location', 'partNumber=1',
];

async function reset(keys: string[] = []): Promise<void> {
  await world.resetBucket(target.bucket);
  await world.resetTarget(target);
  for (const key of keys) if (key !== target.key) await world.call('DELETE', target.bucket, pathOf(key));
}

test('signed requests with unsigned operation-changing headers and parameters', () =>
  fuzz(
    'unsigned additions',
    world,
    fc
      .record({
        base: fc.constantFrom(...Object.keys(BASES)),
        presigned: fc.boolean(),
        headers: fc.uniqueArray(fc.nat(EXTRA_HEADERS.length - 1), { maxLength: 2 }),
        params: fc.uniqueArray(fc.constantFrom(...EXTRA_PARAMS), { maxLength: 2 }),
      })
      .filter(({ headers, params }) => headers.length + params.length > 0),
    async ({ base: name, presigned, headers, params }) => {
      const base = BASES[name];
      const path = pathOf(target.key);
      const targetOf = (query: string) => (query ? `${path}?${query}` : path);
      const unsigned: WireRequest = {
        method: base.method,
        target: targetOf(base.query),
        headers: [['Host', hostOf(target.bucket)], ...base.headers],
        body: base.body === undefined ? undefined : Buffer.from(base.body),
      };
      // Signed over the Host and the base's own parameters only, as the SDKs pre-sign a URL.
      const signedBase = signed(unsigned, { signHeaders: ['host'] });
      const authorization = signedBase.headers[signedBase.headers.length - 1][1];
      const baseReq = presigned ? { ...unsigned, target: `${targetOf(base.query)}${base.query ? '&' : '?'}${authorization}` } : signedBase;
      const extraQuery = params.join('&');
      const variant: WireRequest = {
        ...baseReq,
        target: extraQuery ? `${baseReq.target}${baseReq.target.includes('?') ? '&' : '?'}${extraQuery}` : baseReq.target,
        headers: [...baseReq.headers, ...headers.map((i) => EXTRA_HEADERS[i]())],
      };
      await world.differential(baseReq, variant, target, () => reset());
    },
    { runs: 50, ms: 4000 },
  ));

test('absolute-form request targets naming another host than the signed one', () =>
  fuzz(
    'absolute-form targets',
    world,
    fc.record({
      op: fc.constantFrom(...Object.keys(BASES)),
      scheme: fc.constantFrom('http', 'https', 'HTTP'),
      authority: fc.constantFrom('canary', 'canary:80', 'user@canary', 'CANARY', 'same', 'path-style', 'other-region', 'elsewhere', 'empty'),
      key: fc.constantFrom('target', 'canary'),
    }),
    async ({ op, scheme, authority, key: which }) => {
      const base = BASES[op];
      const key = which === 'target' ? target.key : world.canary.key;
      const canaryHost = hostOf(world.canary.bucket);
      const authorities: Record<string, [string, string]> = {
        canary: [canaryHost, ''],
        'canary:80': [`${canaryHost}:80`, ''],
        'user@canary': [`user@${canaryHost}`, ''],
        CANARY: [canaryHost.toUpperCase(), ''],
        same: [hostOf(target.bucket), ''],
        'path-style': [`127.0.0.1:${live.port}`, `/${world.canary.bucket}`],
        'other-region': [`${world.canary.bucket}.cos.ap-beijing.myqcloud.com`, ''],
        elsewhere: ['elsewhere.example.com', ''],
        empty: ['', ''],
      };
      const [host, prefix] = authorities[authority];
      const origin = `${pathOf(key)}${base.query ? `?${base.query}` : ''}`;
      const baseReq = signed({
        method: base.method,
        target: origin,
        headers: [['Host', hostOf(target.bucket)], ...base.headers],
        body: base.body === undefined ? undefined : Buffer.from(base.body),
      });
      const variant: WireRequest = { ...baseReq, target: `${scheme}://${host}${prefix}${origin}` };
      const touched = { bucket: target.bucket, key };
      await world.differential(baseReq, variant, touched, () => reset([key]));
    },
    { runs: 50, ms: 4000 },
  ));
