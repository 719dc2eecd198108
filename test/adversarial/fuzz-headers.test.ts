/**
 * Hostile header values (hardening item 9): CR/LF where the parser lets them through, non-Latin-1
 * text, very long and empty values, on every API, on the headers that become stored object headers,
 * in the response-* overrides of a public GET, and in the fields of a POST Object form. After every
 * case: no 5xx, the process alive, nothing changed by a refused request (fuzz/world.ts).
 */
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { APIS, apiNamed, buildCase, cleanUp } from './fuzz/apis.js';
import { formRequest } from './fuzz/form.js';
import { anyText, decodedValue, encodeValue, headerSet, headerValue, objectKey, STORED_HEADERS } from './fuzz/generators.js';
import { APPID, LiveServer, hostOf, signed } from './fuzz/live.js';
import { fuzz } from './fuzz/run.js';
import { pathOf, World, type Target } from './fuzz/world.js';

let live: LiveServer;
let world: World;
const target: Target = { bucket: `fuzz-headers-${APPID}`, key: 'fuzz/target.txt' };

before(async () => {
  live = await LiveServer.start();
  world = new World(live, target.bucket, `canary-${APPID}`);
  await world.setup();
});
after(() => live?.stop());

test('random header values on every API', () =>
  fuzz(
    'header values on every API',
    world,
    fc.record({ api: fc.constantFrom(...APIS.map((a) => a.name)), headers: headerSet }),
    async ({ api: name, headers }) => {
      const api = apiNamed(name);
      const built = await buildCase(world, api, target, { headers });
      try {
        await world.check(built.request, built.target, api.followUp && ((res) => Promise.resolve(api.followUp!(world, built.target, res, built.prepared))));
      } finally {
        await cleanUp(world, built);
      }
    },
    { runs: 100, ms: 6000 },
  ));

test('random values of the headers that are stored with an object, then read back', () =>
  fuzz(
    'stored headers',
    world,
    fc.record({
      api: fc.constantFrom('PutObject', 'PutObjectCopy', 'InitiateMultipartUpload', 'AppendObject'),
      headers: fc.uniqueArray(fc.tuple(fc.oneof(fc.constantFrom(...STORED_HEADERS), fc.stringMatching(/^[a-z0-9-]{1,8}$/).map((s) => `x-cos-meta-${s}`)), headerValue), {
        minLength: 1,
        maxLength: 3,
        selector: ([n]) => n.toLowerCase(),
      }),
      replaced: fc.boolean(),
    }),
    async ({ api: name, headers, replaced }) => {
      const api = apiNamed(name);
      const extra: Array<[string, string]> = replaced && name === 'PutObjectCopy' ? [['x-cos-metadata-directive', 'Replaced']] : [];
      const built = await buildCase(world, api, target, { headers: [...headers, ...extra] });
      try {
        await world.check(built.request, built.target, api.followUp && ((res) => Promise.resolve(api.followUp!(world, built.target, res, built.prepared))));
      } finally {
        await cleanUp(world, built);
      }
    },
    { runs: 60, ms: 3000 },
  ));

const OVERRIDES = ['response-content-type', 'response-content-language', 'response-expires', 'response-cache-control', 'response-content-disposition', 'response-content-encoding'];

test('response-* overrides with random values on GET of a public object', () =>
  fuzz(
    'response-* overrides',
    world,
    fc.record({
      overrides: fc.uniqueArray(fc.tuple(fc.constantFrom(...OVERRIDES), decodedValue, fc.nat(5)), { minLength: 1, maxLength: 3, selector: ([n]) => n }),
      method: fc.constantFrom('GET', 'HEAD'),
      anonymous: fc.boolean(),
    }),
    async ({ overrides, method, anonymous }) => {
      await world.resetBucket(target.bucket);
      await world.resetTarget(target); // public-read
      const query = overrides.map(([name, value, style]) => `${name}=${encodeValue(value, style)}`).join('&');
      const req = { method, target: `${pathOf(target.key)}?${query}`, headers: [['Host', hostOf(target.bucket)]] as Array<[string, string]> };
      await world.check(anonymous ? req : signed(req), target);
    },
    { runs: 60, ms: 3000 },
  ));

const FORM_FIELDS = [
  'Content-Type', 'Cache-Control', 'Content-Disposition', 'Content-Encoding', 'Expires', 'x-cos-meta-a', 'x-cos-meta-b', 'acl',
  'x-cos-acl', 'x-cos-storage-class', 'x-cos-tagging', 'success_action_status', 'success_action_redirect', 'x-cos-traffic-limit',
  'x-cos-server-side-encryption', 'Content-MD5', 'x-cos-grant-read',
];

test('POST Object form fields with random values', () =>
  fuzz(
    'form fields',
    world,
    fc.record({
      fields: fc.uniqueArray(
        fc.tuple(
          fc.oneof(fc.constantFrom(...FORM_FIELDS), fc.constantFrom(...FORM_FIELDS).map((n) => n.toUpperCase()), anyText.map((s) => `x-cos-meta-${s.replace(/["\r\n]/g, '')}`)),
          decodedValue,
        ),
        { minLength: 1, maxLength: 4, selector: ([n]) => n.toLowerCase() },
      ),
      filename: fc.oneof(fc.constant('a.txt'), anyText.map((s) => s.toWellFormed().replace(/["\r\n]/g, ''))),
      key: fc.oneof(fc.constant('the target'), fc.constant('fuzz/${filename}'), objectKey.map((k) => k.toWellFormed())),
    }),
    async ({ fields, filename, key }) => {
      await world.resetBucket(target.bucket);
      await world.resetTarget(target);
      const stored = key === 'the target' ? target.key : key.replace('${filename}', filename);
      // What an earlier case stored under that name must not be read before this one.
      if (stored !== target.key) await world.call('DELETE', target.bucket, pathOf(stored));
      const req = formRequest(target.bucket, [['key', key === 'the target' ? target.key : key], ...fields], { filename, content: 'form body' });
      await world.check(req, { bucket: target.bucket, key: stored });
    },
    { runs: 60, ms: 3000 },
  ));
