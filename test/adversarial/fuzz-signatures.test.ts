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
import { formRequest } from './fuzz/form.js';
import { APPID, CREDENTIALS, LiveServer, bytesOf, hostOf, signed, type WireRequest } from './fuzz/live.js';
import { fuzz } from './fuzz/run.js';
import { pathOf, World, type Target } from './fuzz/world.js';

let live: LiveServer;
let world: World;
let temporary: Promise<{ secretId: string; secretKey: string; token: string }>;
const target: Target = { bucket: `fuzz-signatures-${APPID}`, key: 'fuzz/target.txt' };

before(async () => {
  live = await LiveServer.start();
  world = new World(live, target.bucket, `canary-${APPID}`);
  await world.setup();
  temporary = world.temporaryKey();
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
      // Signed over the Host, the base's own headers and its parameters only, as the SDKs pre-sign a URL.
      const signedBase = signed(unsigned, { signHeaders: ['host', ...base.headers.map(([n]) => n.toLowerCase())] });
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
    { runs: 50, ms: 3000 },
    ({ headers, params }) => [...headers.map((i) => EXTRA_HEADERS[i]()[0]), ...params.map((p) => p.split('=')[0])].sort().join('+'),
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
    { runs: 50, ms: 3000 },
    ({ op, authority, key }) => `${op} ${authority} ${key}`,
  ));

type Damage =
  | { kind: 'intact' }
  | { kind: 'seal'; fill: string }
  | { kind: 'body'; json: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; text: string }
  | { kind: 'replace'; text: string }
  | { kind: 'rootKey' };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.constant({ kind: 'intact' as const }),
  // A seal of the right length in characters but not in bytes is the subtle one: weigh it up.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('seal' as const), fill: fc.constantFrom('a', 'ä', '日', '\u00ff', '-', '.', '=', '😀') }) },
  fc.record({ kind: fc.constant('body' as const), json: fc.oneof(fc.json({ maxDepth: 2 }), fc.constantFrom('{"id":null}', '{"__proto__":{"id":1}}', 'null', '[]', '"x"', '{')) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(200) }),
  fc.record({ kind: fc.constant('append' as const), text: fc.constantFrom('.', '.x', '..', 'ä', '%', '\u00ff') }),
  fc.record({ kind: fc.constant('replace' as const), text: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('', '.', 'a.b', 'a.b.c', '.' + 'A'.repeat(43))) }),
  fc.constant({ kind: 'rootKey' as const }),
);

/** A token as a client could damage it: `<base64url payload>.<seal>`. */
function damaged(token: string, d: Damage): string {
  const [body, seal = ''] = token.split('.');
  switch (d.kind) {
    case 'intact':
    case 'rootKey':
      return token;
    case 'seal':
      return `${body}.${d.fill.repeat(seal.length).slice(0, seal.length)}`;
    case 'body':
      return `${Buffer.from(d.json).toString('base64url')}.${seal}`;
    case 'truncate':
      return token.slice(0, d.at % (token.length + 1));
    case 'append':
      return token + d.text;
    case 'replace':
      return d.text;
  }
}

test('temporary keys with damaged security tokens, in a header, the query or a form field', () =>
  fuzz(
    'security tokens',
    world,
    fc.record({ damage, where: fc.constantFrom('header', 'query', 'form'), method: fc.constantFrom('GET', 'PUT') }),
    async ({ damage: d, where, method }) => {
      await reset();
      const key = await temporary;
      // In a header, characters up to U+00FF go as single bytes (Node reads headers as Latin-1).
      const text = damaged(key.token, d);
      const token = /^[\u0000-\u00ff]*$/.test(text) ? text : bytesOf(text);
      const signer = d.kind === 'rootKey' ? CREDENTIALS : key;
      let req: WireRequest;
      if (where === 'form') {
        req = formRequest(target.bucket, [['key', target.key], ['x-cos-security-token', damaged(key.token, d)]], { filename: 'a.txt', content: 'form body' }, signer);
      } else {
        const path = pathOf(target.key);
        const headers: Array<[string, string]> = [['Host', hostOf(target.bucket)]];
        if (where === 'header') headers.push(['x-cos-security-token', token]);
        const query = where === 'query' ? `?x-cos-security-token=${encodeURIComponent(damaged(key.token, d).toWellFormed())}` : '';
        req = signed({ method, target: path + query, headers, body: method === 'PUT' ? Buffer.from('put with a temporary key') : undefined }, signer);
      }
      await world.check(req, target);
    },
    { runs: 50, ms: 3000 },
    ({ damage: d, where }) => `${d.kind} ${where}`,
  ));
