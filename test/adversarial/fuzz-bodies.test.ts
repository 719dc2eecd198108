/**
 * Request bodies mutated from valid ones (hardening item 9): every API that takes XML (ACL, CORS,
 * lifecycle, versioning, tagging, delete multiple, complete multipart, restore, website,
 * encryption, referer, accelerate, domain) gets deep nesting,
 * `__proto__` / `constructor` element names, huge, truncated and entity-laden documents; the
 * temporary-keys endpoint (`POST /sts`) gets mutated JSON. The Content-MD5, where the API takes
 * one, matches the mutated body, so that the body reaches the parser. Bucket policies get the same
 * JSON mutations as /sts. After every case: no 5xx, the
 * process alive, nothing changed by a refused request.
 */
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { apiNamed, buildCase, cleanUp, VALID_BODIES, type BodyApi } from './fuzz/apis.js';
import { APPID, LiveServer } from './fuzz/live.js';
import { applyJson, applyXml, jsonMutation, xmlMutation } from './fuzz/mutate.js';
import { fuzz } from './fuzz/run.js';
import { World, type Target } from './fuzz/world.js';

let live: LiveServer;
let world: World;
const target: Target = { bucket: `fuzz-bodies-${APPID}`, key: 'fuzz/target.txt' };

before(async () => {
  live = await LiveServer.start();
  world = new World(live, target.bucket, `canary-${APPID}`);
  await world.setup();
});
after(() => live?.stop());

const XML_APIS: Array<[string, BodyApi]> = [
  ['PutBucketAcl (body)', 'PutBucketAcl'],
  ['PutObjectAcl (body)', 'PutObjectAcl'],
  ['PutBucketCors', 'PutBucketCors'],
  ['PutBucketLifecycle', 'PutBucketLifecycle'],
  ['PutBucketVersioning', 'PutBucketVersioning'],
  ['PutBucketTagging', 'PutBucketTagging'],
  ['PutObjectTagging', 'PutObjectTagging'],
  ['DeleteMultipleObjects', 'DeleteMultipleObjects'],
  ['CompleteMultipartUpload', 'CompleteMultipartUpload'],
  ['RestoreObject', 'RestoreObject'],
  ['PutBucketWebsite', 'PutBucketWebsite'],
  ['PutBucketEncryption', 'PutBucketEncryption'],
  ['PutBucketReferer', 'PutBucketReferer'],
  ['PutBucketAccelerate', 'PutBucketAccelerate'],
  ['PutBucketDomain', 'PutBucketDomain'],

  ['PutBucketLogging', 'PutBucketLogging'],
  ['PutBucketInventory', 'PutBucketInventory'],
  ['PutBucketReplication', 'PutBucketReplication'],
  ['PutBucketIntelligentTiering', 'PutBucketIntelligentTiering'],
  ['PutBucketOrigin', 'PutBucketOrigin'],
];

test('XML bodies mutated from valid ones, on every API that takes XML', () =>
  fuzz(
    'mutated XML bodies',
    world,
    fc.record({ api: fc.nat(XML_APIS.length - 1), mutations: fc.array(xmlMutation, { minLength: 1, maxLength: 3 }) }),
    async ({ api: index, mutations }) => {
      const [name, bodyOf] = XML_APIS[index];
      const api = apiNamed(name);
      const body = Buffer.from(mutations.reduce(applyXml, VALID_BODIES[bodyOf]), 'utf8');
      const built = await buildCase(world, { ...api, md5: true }, target, { body, headers: [['Content-Type', 'application/xml']] });
      try {
        await world.check(built.request, built.target);
      } finally {
        await cleanUp(world, built);
      }
    },
    { runs: 80, ms: 4000 },
  ));

test('temporary-key requests (POST /sts) with mutated JSON bodies', () =>
  fuzz(
    'mutated /sts bodies',
    world,
    fc.array(jsonMutation, { minLength: 1, maxLength: 2 }),
    async (mutations) => {
      let text: string = VALID_BODIES.GetFederationToken;
      for (const m of mutations) {
        try {
          text = applyJson(text, m);
        } catch {
          // a mutation that needs valid JSON after one that broke it: leave the text as it is
        }
      }
      const built = await buildCase(world, apiNamed('GetFederationToken'), target, { body: Buffer.from(text, 'utf8') });
      await world.check(built.request, built.target);
    },
    { runs: 50, ms: 3000 },
  ));

test('bucket policies (PUT Bucket policy) with mutated JSON bodies', () =>
  fuzz(
    'mutated bucket policies',
    world,
    fc.array(jsonMutation, { minLength: 1, maxLength: 2 }),
    async (mutations) => {
      // The mutations address the policy inside a /sts body: mutate that, then send its policy.
      let text = JSON.stringify({ DurationSeconds: 1800, Policy: JSON.parse(VALID_BODIES.PutBucketPolicy) });
      for (const m of mutations) {
        try {
          text = applyJson(text, m);
        } catch {
          // a mutation that needs valid JSON after one that broke it
        }
      }
      let body = text;
      try {
        const parsed = JSON.parse(text) as { Policy?: unknown } | null;
        if (parsed && typeof parsed === 'object' && 'Policy' in parsed) body = JSON.stringify(parsed.Policy) ?? 'undefined';
      } catch {
        // not JSON: sent as it is
      }
      const built = await buildCase(world, apiNamed('PutBucketPolicy'), target, { body: Buffer.from(body, 'utf8') });
      await world.check(built.request, built.target);
    },
    { runs: 40, ms: 2500 },
  ));
