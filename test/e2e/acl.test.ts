/**
 * ACLs (issue: access control, item 2; C109-C132): set by headers or AccessControlPolicy bodies on
 * buckets and objects, read back in 004's shape, and enforced, with the official SDK and anonymous
 * raw requests.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, UIN, type Harness } from './harness.js';
import { assertCosError, bucketHost, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
let other: COS;
let subUser: COS;
const OTHER_UIN = '300000000001';
const OTHER = `qcs::cam::uin/${OTHER_UIN}:uin/${OTHER_UIN}`;

before(async () => {
  h = await startHarness();
  const meta = h.server.services.meta;
  await meta.putAccount({ uin: OTHER_UIN, appid: '1250000003', rootUin: OTHER_UIN, createdAt: 0 });
  await meta.putAccessKey({ secretId: 'AKIDotherAccount', secretKey: 'other-secret', uin: OTHER_UIN, createdAt: 0 });
  await meta.putAccount({ uin: '100000000009', appid: '1250000000', rootUin: UIN, createdAt: 0 });
  await meta.putAccessKey({ secretId: 'AKIDsubUser', secretKey: 'sub-secret', uin: '100000000009', createdAt: 0 });
  other = h.client({ SecretId: 'AKIDotherAccount', SecretKey: 'other-secret' });
  subUser = h.client({ SecretId: 'AKIDsubUser', SecretKey: 'sub-secret' });
});
after(() => h.close());

const anonymousGet = (Bucket: string, key: string) => send(h, { host: bucketHost(Bucket), path: `/${key}`, sign: false });
const anonymousPut = (Bucket: string, key: string, body: string) => send(h, { method: 'PUT', host: bucketHost(Bucket), path: `/${key}`, sign: false, body });

test('C109-C111 C129 canned bucket ACLs: private, public-read, public-read-write, for anonymous callers', async () => {
  const Bucket = bucketName('acl');
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'doc.txt', Body: 'public words' });
  assertCosError(await anonymousGet(Bucket, 'doc.txt'), 403, 'AccessDenied');

  await h.cos.putBucketAcl({ Bucket, Region: REGION, ACL: 'public-read' });
  const read = await anonymousGet(Bucket, 'doc.txt');
  assert.equal(read.status, 200);
  assert.equal(read.text, 'public words');
  assertCosError(await anonymousPut(Bucket, 'new.txt', 'x'), 403, 'AccessDenied');
  assert.equal((await h.cos.getBucketAcl({ Bucket, Region: REGION })).ACL, 'public-read');

  await h.cos.putBucketAcl({ Bucket, Region: REGION, ACL: 'public-read-write' });
  assert.equal((await anonymousPut(Bucket, 'new.txt', 'anonymous bytes')).status, 200);
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'new.txt' })).Body.toString(), 'anonymous bytes');
  assert.equal((await h.cos.getBucketAcl({ Bucket, Region: REGION })).ACL, 'public-read-write');
  // Owner-only operations stay owner-only, for anyone else whatever the ACL.
  assertCosError(await send(h, { method: 'DELETE', host: bucketHost(Bucket), path: '/', sign: false }), 403, 'AccessDenied');
  assertCosError(await send(h, { host: bucketHost(Bucket), path: '/?acl', sign: false }), 403, 'AccessDenied');
  await sdkRejects(other.getBucketLocation({ Bucket, Region: REGION }), 403, 'AccessDenied');

  await h.cos.putBucketAcl({ Bucket, Region: REGION, ACL: 'private' });
  assertCosError(await anonymousGet(Bucket, 'doc.txt'), 403, 'AccessDenied');
});

test('C112 C130 object ACLs override the bucket\'s; default follows it', async () => {
  const Bucket = bucketName('oacl');
  await h.cos.putBucket({ Bucket, Region: REGION, ACL: 'public-read' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'open', Body: 'o' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'closed', Body: 'c', ACL: 'private' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'follows', Body: 'f', ACL: 'default' });
  assert.equal((await anonymousGet(Bucket, 'open')).status, 200);
  assertCosError(await anonymousGet(Bucket, 'closed'), 403, 'AccessDenied');
  assert.equal((await anonymousGet(Bucket, 'follows')).status, 200);

  const PrivateBucket = bucketName('pacl');
  await h.cos.putBucket({ Bucket: PrivateBucket, Region: REGION });
  await h.cos.putObject({ Bucket: PrivateBucket, Region: REGION, Key: 'shared', Body: 's' });
  assertCosError(await anonymousGet(PrivateBucket, 'shared'), 403, 'AccessDenied');
  await h.cos.putObjectAcl({ Bucket: PrivateBucket, Region: REGION, Key: 'shared', ACL: 'public-read' });
  assert.equal((await anonymousGet(PrivateBucket, 'shared')).status, 200);
  assert.equal((await h.cos.getObjectAcl({ Bucket: PrivateBucket, Region: REGION, Key: 'shared' })).ACL, 'public-read');
  await sdkRejects(h.cos.putObjectAcl({ Bucket: PrivateBucket, Region: REGION, Key: 'missing', ACL: 'public-read' }), 404, 'NoSuchKey');
});

test('C113-C119 grants to other accounts and sub-users, by headers and by AccessControlPolicy', async () => {
  const Bucket = bucketName('grant');
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'granted' });
  await sdkRejects(other.getObject({ Bucket, Region: REGION, Key: 'k' }), 403, 'AccessDenied');
  await sdkRejects(subUser.getObject({ Bucket, Region: REGION, Key: 'k' }), 403, 'AccessDenied');

  await h.cos.putBucketAcl({ Bucket, Region: REGION, GrantRead: `id="${OTHER}"` });
  assert.equal((await other.getObject({ Bucket, Region: REGION, Key: 'k' })).Body.toString(), 'granted');
  await sdkRejects(other.putObject({ Bucket, Region: REGION, Key: 'w', Body: 'x' }), 403, 'AccessDenied');
  const acl = await h.cos.getBucketAcl({ Bucket, Region: REGION });
  assert.equal(acl.GrantRead, `id="${OTHER}"`);
  assert.equal(acl.Owner.ID, `qcs::cam::uin/${UIN}:uin/${UIN}`);

  // The same through an AccessControlPolicy body: it replaces the whole ACL (C126).
  await h.cos.putBucketAcl({
    Bucket,
    Region: REGION,
    AccessControlPolicy: {
      Owner: { ID: `qcs::cam::uin/${UIN}:uin/${UIN}` },
      Grants: [{ Grantee: { ID: `qcs::cam::uin/${UIN}:uin/100000000009` }, Permission: 'FULL_CONTROL' }],
    },
  } as COS.PutBucketAclParams);
  await sdkRejects(other.getObject({ Bucket, Region: REGION, Key: 'k' }), 403, 'AccessDenied');
  await subUser.putObject({ Bucket, Region: REGION, Key: 'by-sub', Body: 'sub' });
  assert.equal((await subUser.getObject({ Bucket, Region: REGION, Key: 'by-sub' })).Body.toString(), 'sub');
  const full = await h.cos.getBucketAcl({ Bucket, Region: REGION });
  assert.equal(full.GrantFullControl, `id="qcs::cam::uin/${UIN}:uin/100000000009"`);
  assert.equal(full.Grants.length, 1, 'exactly the grants put: the owner keeps its rights without a grant');
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'by-owner', Body: 'owner' });
  assert.equal((await h.cos.getBucketAcl({ Bucket, Region: REGION })).Grants.length, 1);
});

test('C113 C119 grants to uins cosbox has no account for are kept, and take effect once the account exists', async () => {
  const Bucket = bucketName('foreign');
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'for later' });
  const LATER = '300000000077';
  const laterId = `qcs::cam::uin/${LATER}:uin/${LATER}`;
  const foreignSub = `qcs::cam::uin/${LATER}:uin/300000000078`;
  await h.cos.putBucketAcl({
    Bucket,
    Region: REGION,
    AccessControlPolicy: {
      Owner: { ID: `qcs::cam::uin/${UIN}:uin/${UIN}` },
      Grants: [
        { Grantee: { ID: laterId }, Permission: 'READ' },
        { Grantee: { ID: foreignSub }, Permission: 'WRITE' },
      ],
    },
  } as COS.PutBucketAclParams);
  const acl = await h.cos.getBucketAcl({ Bucket, Region: REGION });
  assert.deepEqual(
    acl.Grants.map((g) => [g.Grantee.ID, g.Permission]),
    [
      [laterId, 'READ'],
      [foreignSub, 'WRITE'],
    ],
  );
  const header = await sendToBucket(h, Bucket, { method: 'PUT', path: '/k?acl', headers: { 'x-cos-grant-read': `id="${laterId}"` } });
  assert.equal(header.status, 200, header.text);
  assert.equal((await h.cos.getObjectAcl({ Bucket, Region: REGION, Key: 'k' })).GrantRead, `id="${laterId}"`);

  const meta = h.server.services.meta;
  await meta.putAccount({ uin: LATER, appid: '1250000077', rootUin: LATER, createdAt: 0 });
  await meta.putAccessKey({ secretId: 'AKIDlaterAccount', secretKey: 'later-secret', uin: LATER, createdAt: 0 });
  const later = h.client({ SecretId: 'AKIDlaterAccount', SecretKey: 'later-secret' });
  assert.equal((await later.getObject({ Bucket, Region: REGION, Key: 'k' })).Body.toString(), 'for later');
  await sdkRejects(later.putObject({ Bucket, Region: REGION, Key: 'w', Body: 'x' }), 403, 'AccessDenied');
});

test('C125 C185 C186 PUT acl errors: header and body together, malformed XML, malformed grantee, bad canned ACL', async () => {
  const Bucket = bucketName('aclerr');
  await h.cos.putBucket({ Bucket, Region: REGION });
  const body = `<AccessControlPolicy><Owner><ID>qcs::cam::uin/${UIN}:uin/${UIN}</ID></Owner><AccessControlList><Grant><Grantee><ID>qcs::cam::anyone:anyone</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`;
  assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/?acl', headers: { 'x-cos-acl': 'public-read' }, body }), 400, 'InvalidRequest');
  assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/?acl', body: '<AccessControlPolicy><Owner>' }), 400, 'MalformedACLError');
  for (const id of ['nobody', 'qcs::cam::uin/42:uin/', 'qcs::cam::uin/42:uin/42\u00e9', 'qcs::cam::uin/42:uin/42 extra']) {
    assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/?acl', headers: { 'x-cos-grant-read': `id="${id}"` } }), 400, 'InvalidArgument');
  }
  const foreign = body.replace('qcs::cam::anyone:anyone', 'nobody');
  assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/?acl', body: foreign }), 400, 'InvalidArgument');
  assertCosError(await sendToBucket(h, Bucket, { method: 'PUT', path: '/?acl', headers: { 'x-cos-acl': 'everyone' } }), 400, 'InvalidArgument');
  // The body form with any Content-Type (the seed sends application/x-www-form-urlencoded; C132).
  const ok = await sendToBucket(h, Bucket, { method: 'PUT', path: '/?acl', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  assert.equal(ok.status, 200);
  assert.equal((await h.cos.getBucketAcl({ Bucket, Region: REGION })).ACL, 'public-read');
});
