/**
 * Hostile keys and query strings (hardening item 9): unicode, `..`, `%`, control characters and
 * very long keys, written in several encodings, path-style and virtual-hosted; random query strings
 * (sub-resource names, duplicated parameters, broken percent-encoding) on every API. After every
 * case: no 5xx, the process alive, nothing changed by a refused request; a key that was stored
 * reads back byte for byte under its canonical encoding.
 */
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { APIS, apiNamed, buildCase, cleanUp } from './fuzz/apis.js';
import { objectKey, rawQuery } from './fuzz/generators.js';
import { APPID, LiveServer, bytesOf, hostOf, signed, type WireRequest } from './fuzz/live.js';
import { fuzz } from './fuzz/run.js';
import { CaseFailure, pathOf, World, type Target } from './fuzz/world.js';

let live: LiveServer;
let world: World;
const target: Target = { bucket: `fuzz-keys-${APPID}`, key: 'fuzz/target.txt' };

before(async () => {
  live = await LiveServer.start();
  world = new World(live, target.bucket, `canary-${APPID}`);
  await world.setup();
});
after(() => live?.stop());

/** A key as a path, in one of several spellings; only the first is the canonical one. */
function spell(key: string, style: number): string {
  switch (style) {
    case 0:
      return pathOf(key);
    case 1: // raw UTF-8 bytes, only what would end the request line or the path escaped
      return '/' + bytesOf(key).replace(/[ \r\n?#%]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'));
    case 2: // everything escaped, '/' included
      return '/' + encodeURIComponent(key);
    default: // not escaped at all: whatever the parser makes of it
      return '/' + bytesOf(key).replace(/[ \r\n]/g, '');
  }
}

const well = (key: string) => key.toWellFormed();

test('random keys on object APIs, read back when stored', () =>
  fuzz(
    'random keys',
    world,
    fc.record({
      key: objectKey.map(well),
      style: fc.nat(3),
      pathStyle: fc.boolean(),
      op: fc.constantFrom('PUT', 'GET', 'HEAD', 'DELETE', 'PUT ?acl', 'PUT ?tagging', 'POST ?uploads', 'COPY from', 'COPY to'),
    }),
    async ({ key, style, pathStyle, op }) => {
      await world.resetBucket(target.bucket);
      await world.resetTarget(target);
      const path = spell(key, style);
      const [method, sub] = op.startsWith('COPY') ? ['PUT', ''] : op.split(' ');
      const headers: Array<[string, string]> = [];
      let body: Buffer | undefined;
      if (op === 'PUT') body = Buffer.from(`body of ${key}`);
      if (op === 'PUT ?acl') headers.push(['x-cos-acl', 'private']);
      if (op === 'PUT ?tagging') body = Buffer.from('<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>');
      if (op === 'COPY from') headers.push(['x-cos-copy-source', `${hostOf(target.bucket)}${path}`]);
      if (op === 'COPY to') headers.push(['x-cos-copy-source', `${hostOf(target.bucket)}${pathOf(target.key)}`]);
      const fullPath = `${op === 'COPY from' ? pathOf(target.key) : path}${sub ?? ''}`;
      const req: WireRequest = pathStyle
        ? signed({ method, target: `/${target.bucket}${fullPath}`, headers: [['Host', `127.0.0.1:${live.port}`], ...headers], body })
        : signed({ method, target: fullPath, headers: [['Host', hostOf(target.bucket)], ...headers], body });
      // The object the case may touch: the random key (its canonical spelling) or, copied onto, the target.
      const touched = op === 'COPY from' ? target : { bucket: target.bucket, key };
      const res = await world.check(req, touched);
      if (op === 'PUT' && style === 0 && res.status === 200) {
        const read = await world.call('GET', target.bucket, pathOf(key));
        if (read.status !== 200 || !read.body.equals(body!)) {
          throw new CaseFailure(world.report([`stored under ${JSON.stringify(key)} but read back ${read.status} ${JSON.stringify(read.body.toString('latin1').slice(0, 100))}`], [req], res, 0));
        }
        await world.call('DELETE', target.bucket, pathOf(key));
      }
    },
    { runs: 80, ms: 3500 },
  ));

test('random query strings on every API', () =>
  fuzz(
    'random query strings',
    world,
    fc.record({ api: fc.constantFrom(...APIS.map((a) => a.name)), query: rawQuery, signAll: fc.boolean() }),
    async ({ api: name, query, signAll }) => {
      const api = apiNamed(name);
      // Signed over every parameter as the server parses them, or over the API's own only.
      const built = await buildCase(world, api, target, { query });
      let req = built.request;
      if (!signAll) {
        const own = [...new URLSearchParams(api.query?.replace('{uploadId}', built.prepared.uploadId ?? '') ?? '').keys()].map((k) => k.toLowerCase());
        req = signed({ ...req, headers: req.headers.filter(([n]) => n !== 'Authorization') }, { signParams: own });
      }
      try {
        await world.check(req, built.target);
      } finally {
        await cleanUp(world, built);
      }
    },
    { runs: 80, ms: 3500 },
  ));
