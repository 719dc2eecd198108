/**
 * The smallest cases the properties found, one test each, kept so that a fix is checked case by
 * case and stays fixed (hardening item 9). Every case goes through the same invariants as the
 * properties (fuzz/world.ts): no 5xx, the process alive, a refused request changed nothing, the
 * canary untouched; variants of a signed request are refused or do what the signed request does.
 */
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { VALID_BODIES } from './fuzz/apis.js';
import { formRequest } from './fuzz/form.js';
import { APPID, LiveServer, hostOf, signed, type WireRequest } from './fuzz/live.js';
import { pathOf, World, type Target } from './fuzz/world.js';

let live: LiveServer;
let world: World;
const target: Target = { bucket: `fuzz-regressions-${APPID}`, key: 'fuzz/target.txt' };

before(async () => {
  live = await LiveServer.start();
  world = new World(live, target.bucket, `canary-${APPID}`);
  await world.setup();
});
after(() => live?.stop());

async function fresh(): Promise<void> {
  await live.ready();
  await world.resetBucket(target.bucket);
  await world.resetTarget(target);
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');

describe('response-* overrides with values a header cannot carry (GET of a public object)', () => {
  for (const query of ['response-content-type=%00', 'response-content-disposition=a%0D%0Ab', 'response-cache-control=%E6%97%A5', 'response-expires=%0A']) {
    test(query, async () => {
      await fresh();
      await world.check({ method: 'GET', target: `${pathOf(target.key)}?${query}`, headers: [['Host', hostOf(target.bucket)]] }, target);
    });
  }
});

describe('POST Object form fields that cannot become headers, read back afterwards', () => {
  const cases: Array<[string, string]> = [
    ['Content-Type', '日本'],
    ['Content-Disposition', 'a\r\nb'],
    ['Cache-Control', 'a\0b'],
    ['x-cos-meta-a', 'a\r\nb'],
    ['x-cos-meta-日本', 'v'],
    ['x-cos-meta-a b', 'v'],
    ['success_action_redirect', '日本'],
    ['success_action_redirect', 'http://example.com/\r\nx: y'],
  ];
  for (const [name, value] of cases) {
    test(`${name}: ${JSON.stringify(value)}`, async () => {
      await fresh();
      await world.check(formRequest(target.bucket, [['key', target.key], [name, value]], { filename: 'a.txt', content: 'form body' }), target);
    });
  }
});

describe('XML bodies: deep nesting and reserved element names', () => {
  const apis: Array<[string, string, string]> = [
    ['PUT Bucket acl', 'PUT', '/?acl'],
    ['PUT Object acl', 'PUT', `${pathOf(target.key)}?acl`],
    ['PUT Bucket cors', 'PUT', '/?cors'],
    ['PUT Bucket lifecycle', 'PUT', '/?lifecycle'],
    ['PUT Bucket versioning', 'PUT', '/?versioning'],
    ['PUT Bucket tagging', 'PUT', '/?tagging'],
    ['PUT Object tagging', 'PUT', `${pathOf(target.key)}?tagging`],
    ['DELETE Multiple Objects', 'POST', '/?delete'],
    ['POST Object restore', 'POST', `${pathOf(target.key)}?restore`],
    ['Complete Multipart Upload', 'POST', `${pathOf(target.key)}?uploadId={uploadId}`],
  ];
  const documents: Array<[string, string]> = [
    ['5000 levels deep', `<X>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</X>`],
    ['a <__proto__> element', '<Tagging><__proto__><TagSet>1</TagSet></__proto__></Tagging>'],
    ['a <constructor> root', '<constructor></constructor>'],
  ];
  for (const [api, method, path] of apis) {
    for (const [label, doc] of documents) {
      test(`${api}: ${label}`, async () => {
        await fresh();
        let resolved = path;
        if (path.includes('{uploadId}')) {
          const init = await world.call('POST', target.bucket, `${pathOf(target.key)}?uploads`);
          resolved = path.replace('{uploadId}', /<UploadId>([^<]+)/.exec(init.body.toString('utf8'))?.[1] ?? '');
        }
        const body = Buffer.from(doc);
        await world.check(world.request(method, target.bucket, resolved, [['Content-MD5', md5(body)]], body), target);
      });
    }
  }
});

describe('POST /sts with bodies that are not a policy request', () => {
  const bodies: Array<[string, string]> = [
    ['a Policy string that is not JSON', '{"DurationSeconds":1800,"Policy":"/"}'],
    ['an empty Policy string', '{"DurationSeconds":1800,"Policy":""}'],
    ['a null statement', '{"DurationSeconds":1800,"Policy":{"statement":[null]}}'],
    ['the body null', 'null'],
    ['10000 nested arrays', `{"DurationSeconds":${'['.repeat(10000)}1${']'.repeat(10000)}}`],
  ];
  for (const [label, body] of bodies) {
    test(label, async () => {
      await fresh();
      await world.check(world.request('POST', undefined, '/sts', [['Content-Type', 'application/json']], Buffer.from(body)), target);
    });
  }
  test('a valid request still issues a key', async () => {
    await fresh();
    await world.temporaryKey();
    await world.check(world.request('POST', undefined, '/sts', [['Content-Type', 'application/json']], Buffer.from(VALID_BODIES.GetFederationToken)), target);
  });
});

describe('a security token whose seal has the right length in characters but not in bytes', () => {
  for (const where of ['header', 'query', 'form'] as const) {
    test(`in the ${where}`, async () => {
      await fresh();
      const key = await world.temporaryKey();
      const [body, seal] = key.token.split('.');
      const bad = `${body}.${'\u00ff'.repeat(seal.length)}`;
      const path = pathOf(target.key);
      const req: WireRequest =
        where === 'form'
          ? formRequest(target.bucket, [['key', target.key], ['x-cos-security-token', bad]], { filename: 'a.txt', content: 'form body' }, key)
          : where === 'query'
            ? signed({ method: 'GET', target: `${path}?x-cos-security-token=${encodeURIComponent(bad)}`, headers: [['Host', hostOf(target.bucket)]] }, key)
            : signed({ method: 'GET', target: path, headers: [['Host', hostOf(target.bucket)], ['x-cos-security-token', bad]] }, key);
      await world.check(req, target);
    });
  }
});

describe('signed requests with unsigned operation-changing additions', () => {
  const copySource = () => `${hostOf(world.canary.bucket)}${pathOf(world.canary.key)}`;
  const cases: Array<[string, { method: string; query?: string; headers?: Array<[string, string]>; body?: string }, { header?: () => [string, string]; param?: string }]> = [
    ['PUT + x-cos-acl', { method: 'PUT', body: 'signed bytes' }, { header: () => ['x-cos-acl', 'public-read-write'] }],
    ['PUT + x-cos-grant-read', { method: 'PUT', body: 'signed bytes' }, { header: () => ['x-cos-grant-read', 'id="qcs::cam::anyone:anyone"'] }],
    ['PUT + x-cos-grant-full-control', { method: 'PUT', body: 'signed bytes' }, { header: () => ['x-cos-grant-full-control', 'id="qcs::cam::anyone:anyone"'] }],
    ['PUT + x-cos-copy-source', { method: 'PUT', body: 'signed bytes' }, { header: () => ['x-cos-copy-source', copySource()] }],
    ['PUT ?acl (x-cos-acl signed) + x-cos-grant-read', { method: 'PUT', query: 'acl', headers: [['x-cos-acl', 'private']] }, { header: () => ['x-cos-grant-read', 'id="qcs::cam::anyone:anyone"'] }],
    ['GET + ?acl', { method: 'GET' }, { param: 'acl' }],
    ['GET + ?tagging', { method: 'GET' }, { param: 'tagging' }],
    ['DELETE + ?tagging', { method: 'DELETE' }, { param: 'tagging' }],
    ['DELETE + ?versionId', { method: 'DELETE' }, { param: 'versionId=MTg0NDUxNjc1NDI5MDM1MzE' }],
  ];
  for (const [label, base, extra] of cases) {
    test(label, async () => {
      const path = pathOf(target.key);
      const t = base.query ? `${path}?${base.query}` : path;
      const headers: Array<[string, string]> = [['Host', hostOf(target.bucket)], ...(base.headers ?? [])];
      const baseReq = signed(
        { method: base.method, target: t, headers, body: base.body === undefined ? undefined : Buffer.from(base.body) },
        { signHeaders: headers.map(([n]) => n.toLowerCase()) },
      );
      const variant: WireRequest = extra.header
        ? { ...baseReq, headers: [...baseReq.headers, extra.header()] }
        : { ...baseReq, target: `${t}${t.includes('?') ? '&' : '?'}${extra.param}` };
      await live.ready();
      await world.differential(baseReq, variant, target, fresh);
    });
  }
});

describe('absolute-form request targets naming another bucket than the signed Host', () => {
  for (const op of ['GET', 'PUT', 'DELETE', 'GET ?acl']) {
    for (const style of ['virtual-hosted', 'path-style']) {
      test(`${op} http://<canary ${style}>/<canary key>`, async () => {
        const [method, sub] = op.split(' ');
        const key = world.canary.key;
        const authority = style === 'virtual-hosted' ? hostOf(world.canary.bucket) : `127.0.0.1:${live.port}/${world.canary.bucket}`;
        const origin = `${pathOf(key)}${sub ?? ''}`;
        const baseReq = signed({ method, target: origin, headers: [['Host', hostOf(target.bucket)]], body: method === 'PUT' ? Buffer.from('signed bytes') : undefined });
        await live.ready();
        await world.differential(baseReq, { ...baseReq, target: `http://${authority}${origin}` }, { bucket: target.bucket, key }, async () => {
          await fresh();
          await world.call('DELETE', target.bucket, pathOf(key));
        });
      });
    }
  }
});
