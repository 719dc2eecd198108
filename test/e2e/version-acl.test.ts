/**
 * Every version is its own object for access (hardening item 3): GET/HEAD `?versionId`, GET/PUT
 * `?acl&versionId`, and copies and part copies of a `?versionId` source are decided by that version's
 * own ACL (the bucket's when it has none), never by the current version's. Version ids are random,
 * not a clock reading. Through the official SDK and anonymous raw requests.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, bucketHost, encodeKey, sdkRejects, send } from './raw.js';

let h: Harness;
let other: COS;
let otherBucket: string;
const OTHER_UIN = '300000000021';
const OTHER_APPID = '1250000021';
const OTHER = `id="qcs::cam::uin/${OTHER_UIN}:uin/${OTHER_UIN}"`;

before(async () => {
  h = await startHarness();
  const meta = h.server.services.meta;
  await meta.putAccount({ uin: OTHER_UIN, appid: OTHER_APPID, rootUin: OTHER_UIN, createdAt: 0 });
  await meta.putAccessKey({ secretId: 'AKIDversionOther', secretKey: 'other-secret', uin: OTHER_UIN, createdAt: 0 });
  other = h.client({ SecretId: 'AKIDversionOther', SecretKey: 'other-secret' });
  otherBucket = `theirs-${Date.now().toString(36)}-${OTHER_APPID}`;
  await other.putBucket({ Bucket: otherBucket, Region: REGION });
});
after(() => h.close());

async function versionedBucket(label: string): Promise<string> {
  const Bucket = bucketName(label);
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putBucketVersioning({ Bucket, Region: REGION, VersioningConfiguration: { Status: 'Enabled' } });
  return Bucket;
}

const versionOf = (res: { headers?: Record<string, string> }) => res.headers?.['x-cos-version-id'] as string;
const anonymous = (Bucket: string, path: string, method = 'GET') => send(h, { method, host: bucketHost(Bucket), path, sign: false });
const source = (Bucket: string, key: string, versionId?: string) =>
  `${Bucket}.cos.${REGION}.myqcloud.com/${encodeKey(key)}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;

const putAcl = (Bucket: string, versionId: string, acl: string, sign?: { secretId: string; secretKey: string }) =>
  send(h, { method: 'PUT', host: bucketHost(Bucket), path: `/doc.txt?acl&versionId=${encodeURIComponent(versionId)}`, headers: { 'x-cos-acl': acl }, sign });

test('a private old version stays private after a public-read version is put over it', async () => {
  const Bucket = await versionedBucket('vprivate');
  const v1 = versionOf(await h.cos.putObject({ Bucket, Region: REGION, Key: 'doc.txt', Body: 'secret' }));
  const v2 = versionOf(await h.cos.putObject({ Bucket, Region: REGION, Key: 'doc.txt', Body: 'public', ACL: 'public-read', GrantFullControl: OTHER }));
  const q = (id: string) => encodeURIComponent(id);

  assert.equal((await anonymous(Bucket, '/doc.txt')).text, 'public');
  assert.equal((await anonymous(Bucket, `/doc.txt?versionId=${q(v2)}`)).text, 'public');
  assertCosError(await anonymous(Bucket, `/doc.txt?versionId=${q(v1)}`), 403, 'AccessDenied');
  assert.equal((await anonymous(Bucket, `/doc.txt?versionId=${q(v1)}`, 'HEAD')).status, 403);
  assertCosError(await anonymous(Bucket, `/doc.txt?acl&versionId=${q(v1)}`), 403, 'AccessDenied');

  // Another account holds FULL_CONTROL on the current version only.
  assert.equal((await other.getObject({ Bucket, Region: REGION, Key: 'doc.txt' })).Body.toString(), 'public');
  await sdkRejects(other.getObject({ Bucket, Region: REGION, Key: 'doc.txt', VersionId: v1 }), 403, 'AccessDenied');
  await sdkRejects(other.headObject({ Bucket, Region: REGION, Key: 'doc.txt', VersionId: v1 }), 403);
  await sdkRejects(other.getObjectAcl({ Bucket, Region: REGION, Key: 'doc.txt', VersionId: v1 }), 403, 'AccessDenied');
  const acl = await other.getObjectAcl({ Bucket, Region: REGION, Key: 'doc.txt', VersionId: v2 });
  assert.ok(acl.Grants.length > 0);
  // The SDK's putObjectAcl sends no VersionId: PUT ?acl&versionId by hand.
  const otherSigner = { secretId: 'AKIDversionOther', secretKey: 'other-secret' };
  assertCosError(await putAcl(Bucket, v1, 'public-read', otherSigner), 403, 'AccessDenied');
  assert.equal((await putAcl(Bucket, v2, 'public-read', otherSigner)).status, 200, 'FULL_CONTROL of the current version');
  assertCosError(await anonymous(Bucket, `/doc.txt?versionId=${q(v1)}`), 403, 'AccessDenied');

  // Copies: the named version's ACL decides.
  await sdkRejects(other.putObjectCopy({ Bucket: otherBucket, Region: REGION, Key: 'stolen.txt', CopySource: source(Bucket, 'doc.txt', v1) }), 403, 'AccessDenied');
  await other.putObjectCopy({ Bucket: otherBucket, Region: REGION, Key: 'copied.txt', CopySource: source(Bucket, 'doc.txt', v2) });
  assert.equal((await other.getObject({ Bucket: otherBucket, Region: REGION, Key: 'copied.txt' })).Body.toString(), 'public');
  const init = await other.multipartInit({ Bucket: otherBucket, Region: REGION, Key: 'parts.txt' });
  const partCopy = (versionId: string) =>
    other.uploadPartCopy({ Bucket: otherBucket, Region: REGION, Key: 'parts.txt', UploadId: init.UploadId, PartNumber: 1, CopySource: source(Bucket, 'doc.txt', versionId) });
  await sdkRejects(partCopy(v1), 403, 'AccessDenied');
  assert.ok((await partCopy(v2)).ETag);
  await other.multipartAbort({ Bucket: otherBucket, Region: REGION, Key: 'parts.txt', UploadId: init.UploadId });

  // The owner still reads and copies every version.
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'doc.txt', VersionId: v1 })).Body.toString(), 'secret');
});

test('a public old version stays readable under a private current one; a version without an ACL follows the bucket', async () => {
  const Bucket = await versionedBucket('vpublic');
  const v1 = versionOf(await h.cos.putObject({ Bucket, Region: REGION, Key: 'doc.txt', Body: 'was public', ACL: 'public-read' }));
  const v2 = versionOf(await h.cos.putObject({ Bucket, Region: REGION, Key: 'doc.txt', Body: 'bucket default' }));
  const v3 = versionOf(await h.cos.putObject({ Bucket, Region: REGION, Key: 'doc.txt', Body: 'own private', ACL: 'private' }));
  const get = (id?: string) => anonymous(Bucket, `/doc.txt${id ? `?versionId=${encodeURIComponent(id)}` : ''}`);

  assert.equal((await get(v1)).text, 'was public');
  assertCosError(await get(), 403, 'AccessDenied');
  assertCosError(await get(v2), 403, 'AccessDenied');
  await h.cos.putBucketAcl({ Bucket, Region: REGION, ACL: 'public-read' });
  assert.equal((await get(v2)).text, 'bucket default', 'no ACL of its own: the bucket decides');
  assertCosError(await get(v3), 403, 'AccessDenied');
  assertCosError(await get(), 403, 'AccessDenied');

  // PUT ?acl&versionId changes that version only.
  assert.equal((await putAcl(Bucket, v1, 'private')).status, 200);
  assertCosError(await get(v1), 403, 'AccessDenied');
  assert.equal((await putAcl(Bucket, v3, 'public-read')).status, 200);
  assert.equal((await get()).text, 'own private');

  // An unknown version in a bucket anyone may read is still NoSuchVersion, not a leak of anything.
  assertCosError(await get('MTg0NDY3NDQwNzM3MDk1NTE2MTU'), 400, 'NoSuchVersion');
});

test('version ids are random: URL-safe, COS-looking, not a clock reading', async () => {
  const Bucket = await versionedBucket('vids');
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push(versionOf(await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: String(i) })));
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[A-Za-z0-9]+$/, 'letters and digits only: the same in a URL');
  const digits = ids.map((id) => Buffer.from(id, 'base64').toString());
  for (const d of digits) assert.match(d, /^\d{20,}$/, 'base64 of a decimal string, as COS shows them');
  // Ids made from the clock share their leading digits; random ones almost never share eight.
  const sharing = digits.filter((d) => d.slice(0, 8) === digits[0].slice(0, 8)).length;
  assert.ok(sharing < 3, `${sharing} ids share their leading digits: ${digits.join(' ')}`);
  const listed = await h.cos.listObjectVersions({ Bucket, Region: REGION, Prefix: 'k' });
  assert.deepEqual(listed.Versions.map((v) => v.VersionId), [...ids].reverse(), 'listed newest first all the same');
});
