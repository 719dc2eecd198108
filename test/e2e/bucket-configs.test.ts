/**
 * Bucket configurations of issue 16 beside policy and website: default encryption (item 3), referer
 * protection (item 4), accelerate and custom domains (item 9). Each through the official SDK, with
 * COS's errors, and its effect over raw HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type COS from 'cos-nodejs-sdk-v5';
import { bucketName, REGION, startHarness, type Harness } from './harness.js';
import { assertCosError, bucketHost, md5Base64, sdkRejects, send, sendToBucket } from './raw.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const putRaw = (bucket: string, sub: string, body: string) => sendToBucket(h, bucket, { method: 'PUT', path: `/?${sub}`, headers: { 'content-md5': md5Base64(body) }, body });

test('default encryption: round-trip, errors, and every new object and upload stored SSE-COS', async () => {
  const Bucket = bucketName('enc');
  await h.cos.putBucket({ Bucket, Region: REGION });
  assertCosError(await sendToBucket(h, Bucket, { path: '/?encryption' }), 404, 'NoSuchEncryptionConfiguration');
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'before', Body: 'plain' });
  await h.cos.putBucketEncryption({ Bucket, Region: REGION, ServerSideEncryptionConfiguration: { Rule: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } } as unknown as COS.PutBucketEncryptionParams);
  const got = (await h.cos.getBucketEncryption({ Bucket, Region: REGION })) as unknown as Record<string, any>;
  assert.equal(got.ServerSideEncryptionConfiguration.Rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');

  const put = await h.cos.putObject({ Bucket, Region: REGION, Key: 'after', Body: 'secret bytes' });
  assert.equal(put.headers?.['x-cos-server-side-encryption'], 'AES256');
  assert.equal((await h.cos.headObject({ Bucket, Region: REGION, Key: 'after' })).headers?.['x-cos-server-side-encryption'], 'AES256');
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'after' })).Body.toString(), 'secret bytes');
  assert.equal((await h.cos.headObject({ Bucket, Region: REGION, Key: 'before' })).headers?.['x-cos-server-side-encryption'], undefined);
  // The stored record says so: the bytes on disk are ciphertext.
  const record = await h.server.services.meta.getObject(Bucket, 'after');
  assert.equal(record?.encryption?.kind, 'SSE-COS');
  // Multipart uploads and copies too.
  const { UploadId } = await h.cos.multipartInit({ Bucket, Region: REGION, Key: 'multi' });
  const part = await h.cos.multipartUpload({ Bucket, Region: REGION, Key: 'multi', UploadId, PartNumber: 1, Body: 'part one' });
  await h.cos.multipartComplete({ Bucket, Region: REGION, Key: 'multi', UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
  assert.equal((await h.cos.headObject({ Bucket, Region: REGION, Key: 'multi' })).headers?.['x-cos-server-side-encryption'], 'AES256');
  await h.cos.putObjectCopy({ Bucket, Region: REGION, Key: 'copied', CopySource: `${Bucket}.cos.${REGION}.myqcloud.com/before` });
  assert.equal((await h.cos.headObject({ Bucket, Region: REGION, Key: 'copied' })).headers?.['x-cos-server-side-encryption'], 'AES256');
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'copied' })).Body.toString(), 'plain');

  const wrap = (algorithm: string) => `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
  assertCosError(await putRaw(Bucket, 'encryption', wrap('DES')), 400, 'InvalidArgument');
  assertCosError(await putRaw(Bucket, 'encryption', wrap('KMS')), 501, 'NotImplemented');
  assertCosError(await putRaw(Bucket, 'encryption', '<ServerSideEncryptionConfiguration/>'), 400, 'MalformedXML');
  assertCosError(await putRaw(Bucket, 'encryption', '<ServerSideEncryptionConfiguration><Rule>'), 400, 'MalformedXML');

  await h.cos.deleteBucketEncryption({ Bucket, Region: REGION });
  assertCosError(await sendToBucket(h, Bucket, { path: '/?encryption' }), 404, 'NoSuchEncryptionConfiguration');
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'later', Body: 'plain again' });
  assert.equal((await h.cos.headObject({ Bucket, Region: REGION, Key: 'later' })).headers?.['x-cos-server-side-encryption'], undefined);
});

test('referer protection: round-trip, errors, white and black lists, empty Referer, which requests it covers', async () => {
  const Bucket = bucketName('ref');
  await h.cos.putBucket({ Bucket, Region: REGION, ACL: 'public-read' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'img.png', Body: 'png' });
  assertCosError(await sendToBucket(h, Bucket, { path: '/?referer' }), 404, 'NoSuchRefererConfiguration');
  await h.cos.putBucketReferer({
    Bucket,
    Region: REGION,
    RefererConfiguration: { Status: 'Enabled', RefererType: 'White-List', DomainList: { Domains: ['*.example.com', 'example.org:8080'] }, EmptyReferConfiguration: 'Deny' },
  } as COS.PutBucketRefererParams);
  const got = await h.cos.getBucketReferer({ Bucket, Region: REGION });
  assert.equal(got.RefererConfiguration.RefererType, 'White-List');
  assert.deepEqual(got.RefererConfiguration.DomainList?.Domains, ['*.example.com', 'example.org:8080']);
  assert.equal(got.RefererConfiguration.EmptyReferConfiguration, 'Deny');

  const get = (referer?: string, sign: false | undefined = false, method = 'GET') =>
    send(h, { method, path: '/img.png', host: bucketHost(Bucket), sign, headers: referer === undefined ? {} : { referer } });
  assert.equal((await get('https://www.example.com/page')).status, 200);
  assert.equal((await get('http://example.org:8080/')).status, 200);
  assertCosError(await get('https://evil.test/page'), 403, 'AccessDenied');
  assertCosError(await get('http://example.org/'), 403, 'AccessDenied');
  assertCosError(await get('not a url'), 403, 'AccessDenied');
  assertCosError(await get(), 403, 'AccessDenied');
  assert.equal((await get('https://evil.test/', false, 'HEAD')).status, 403);
  // Signed requests are checked as well: a pre-signed URL embedded in another site is the hotlink.
  assertCosError(await get('https://evil.test/page', undefined), 403, 'AccessDenied');
  // Not the listing nor writes: only the reads a page embeds.
  assert.equal((await send(h, { path: '/', host: bucketHost(Bucket), sign: false, headers: { referer: 'https://evil.test/' } })).status, 200);

  await h.cos.putBucketReferer({
    Bucket,
    Region: REGION,
    RefererConfiguration: { Status: 'Enabled', RefererType: 'Black-List', DomainList: { Domains: ['evil.test'] }, EmptyReferConfiguration: 'Allow' },
  } as COS.PutBucketRefererParams);
  assertCosError(await get('https://EVIL.test/x'), 403, 'AccessDenied');
  assert.equal((await get('https://fine.test/x')).status, 200);
  assert.equal((await get()).status, 200);
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'img.png' })).Body.toString(), 'png');
  await h.cos.putBucketReferer({ Bucket, Region: REGION, RefererConfiguration: { Status: 'Disabled', RefererType: 'Black-List', DomainList: { Domains: ['evil.test'] } } } as COS.PutBucketRefererParams);
  assert.equal((await get('https://evil.test/x')).status, 200);

  const doc = (inner: string) => `<RefererConfiguration>${inner}</RefererConfiguration>`;
  assertCosError(await putRaw(Bucket, 'referer', doc('<Status>On</Status><RefererType>White-List</RefererType>')), 400, 'InvalidArgument');
  assertCosError(await putRaw(Bucket, 'referer', doc('<Status>Enabled</Status><RefererType>Grey-List</RefererType>')), 400, 'InvalidArgument');
  assertCosError(await putRaw(Bucket, 'referer', doc('<Status>Enabled</Status><RefererType>White-List</RefererType>')), 400, 'InvalidArgument');
  assertCosError(await putRaw(Bucket, 'referer', doc('<Status>Enabled</Status><RefererType>White-List</RefererType><DomainList><Domain>a b</Domain></DomainList>')), 400, 'InvalidArgument');
  assertCosError(await putRaw(Bucket, 'referer', '<RefererConfiguration>'), 400, 'MalformedXML');
});

test('accelerate: stored, and the accelerate host serves the bucket only while Enabled', async () => {
  const Bucket = bucketName('acc');
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'fast' });
  const viaAccelerate = () => send(h, { path: '/k', host: `${Bucket}.cos.accelerate.myqcloud.com` });
  assert.deepEqual((await h.cos.getBucketAccelerate({ Bucket, Region: REGION })).AccelerateConfiguration, {});
  assertCosError(await viaAccelerate(), 400, 'InvalidRequest');
  await h.cos.putBucketAccelerate({ Bucket, Region: REGION, AccelerateConfiguration: { Status: 'Enabled' } } as COS.PutBucketAccelerateParams);
  assert.equal((await h.cos.getBucketAccelerate({ Bucket, Region: REGION })).AccelerateConfiguration.Status, 'Enabled');
  const res = await viaAccelerate();
  assert.equal(res.status, 200, res.text);
  assert.equal(res.text, 'fast');
  // The official SDK's UseAccelerate sends exactly this host.
  const fast = h.client({ UseAccelerate: true } as Partial<COS.COSOptions>);
  assert.equal((await fast.getObject({ Bucket, Region: REGION, Key: 'k' })).Body.toString(), 'fast');
  await h.cos.putBucketAccelerate({ Bucket, Region: REGION, AccelerateConfiguration: { Status: 'Suspended' } } as COS.PutBucketAccelerateParams);
  assertCosError(await viaAccelerate(), 400, 'InvalidRequest');
  assertCosError(await putRaw(Bucket, 'accelerate', '<AccelerateConfiguration><Status>On</Status></AccelerateConfiguration>'), 400, 'MalformedXML');
  assertCosError(await send(h, { method: 'PUT', path: '/', host: `${bucketName('nope')}.cos.accelerate.myqcloud.com` }), 400, 'InvalidRequest');
});

test('custom domains: round-trip, conflicts, and a bound host reaching the bucket (and its website)', async () => {
  const Bucket = bucketName('dom');
  const Second = bucketName('dom');
  await h.cos.putBucket({ Bucket, Region: REGION, ACL: 'public-read' });
  await h.cos.putBucket({ Bucket: Second, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'index.html', Body: 'welcome' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'dir/file.txt', Body: 'file' });
  await sdkRejects(h.cos.getBucketDomain({ Bucket, Region: REGION }), 404, 'NoSuchDomainConfiguration');
  assertCosError(await send(h, { path: '/dir/file.txt', host: 'static.example.com', sign: false }), 404, 'NoSuchBucket');

  await h.cos.putBucketDomain({ Bucket, Region: REGION, DomainRule: [{ Status: 'ENABLED', Name: 'static.example.com', Type: 'REST' }, { Status: 'ENABLED', Name: 'www.example.com', Type: 'WEBSITE' }] } as COS.PutBucketDomainParams);
  const got = await h.cos.getBucketDomain({ Bucket, Region: REGION });
  assert.deepEqual(got.DomainRule.map((r) => r.Name), ['static.example.com', 'www.example.com']);

  const rest = await send(h, { path: '/dir/file.txt', host: 'static.example.com', sign: false });
  assert.equal(rest.status, 200, rest.text);
  assert.equal(rest.text, 'file');
  // Signed requests on the custom domain work as on the bucket's own host.
  const signed = await send(h, { method: 'PUT', path: '/up.txt', host: 'Static.Example.com:80', body: 'up' });
  assert.equal(signed.status, 200, signed.text);
  assert.equal((await h.cos.getObject({ Bucket, Region: REGION, Key: 'up.txt' })).Body.toString(), 'up');
  // WEBSITE: the bucket's website (an index document for /).
  assertCosError(await send(h, { path: '/', host: 'www.example.com', sign: false }), 404, 'NoSuchWebsiteConfiguration');
  await h.cos.putBucketWebsite({ Bucket, Region: REGION, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } } as unknown as COS.PutBucketWebsiteParams);
  const site = await send(h, { path: '/', host: 'www.example.com', sign: false });
  assert.equal(site.status, 200);
  assert.equal(site.text, 'welcome');

  // A name bound to one bucket cannot be bound to another.
  await sdkRejects(h.cos.putBucketDomain({ Bucket: Second, Region: REGION, DomainRule: [{ Status: 'ENABLED', Name: 'static.example.com', Type: 'REST' }] } as COS.PutBucketDomainParams), 409, 'DomainConflict');
  const doc = (rule: string) => `<DomainConfiguration><DomainRule>${rule}</DomainRule></DomainConfiguration>`;
  assertCosError(await putRaw(Second, 'domain', doc('<Status>ENABLED</Status><Name>bad..name</Name><Type>REST</Type>')), 400, 'InvalidArgument');
  assertCosError(await putRaw(Second, 'domain', doc('<Status>ON</Status><Name>a.example.net</Name><Type>REST</Type>')), 400, 'InvalidArgument');
  assertCosError(await putRaw(Second, 'domain', doc('<Status>ENABLED</Status><Name>a.example.net</Name><Type>FTP</Type>')), 400, 'InvalidArgument');
  assertCosError(await putRaw(Second, 'domain', '<DomainConfiguration/>'), 400, 'MalformedXML');

  // Disabled or deleted: the host reaches nothing, and the name is free again.
  await h.cos.putBucketDomain({ Bucket, Region: REGION, DomainRule: [{ Status: 'DISABLED', Name: 'static.example.com', Type: 'REST' }] } as COS.PutBucketDomainParams);
  assertCosError(await send(h, { path: '/dir/file.txt', host: 'static.example.com', sign: false }), 404, 'NoSuchBucket');
  await h.cos.deleteBucketDomain({ Bucket, Region: REGION });
  await sdkRejects(h.cos.getBucketDomain({ Bucket, Region: REGION }), 404, 'NoSuchDomainConfiguration');
  await h.cos.putBucketDomain({ Bucket: Second, Region: REGION, DomainRule: [{ Status: 'ENABLED', Name: 'static.example.com', Type: 'REST' }] } as COS.PutBucketDomainParams);
  assertCosError(await send(h, { path: '/dir/file.txt', host: 'static.example.com', sign: false }), 403, 'AccessDenied');
});

test('custom domains survive a restart: the index is rebuilt from the metadata store', async () => {
  const Bucket = bucketName('domr');
  await h.cos.putBucket({ Bucket, Region: REGION, ACL: 'public-read' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'persisted' });
  await h.cos.putBucketDomain({ Bucket, Region: REGION, DomainRule: [{ Status: 'ENABLED', Name: 'persist.example.com', Type: 'REST' }] } as COS.PutBucketDomainParams);
  const { startServer } = await import('@cosbox/server');
  // The last test of the file: the first server lets go of the data directory (its lock) first.
  await h.server.close();
  const second = await startServer({ dataDir: h.dataDir, port: 0, credentials: { secretId: 'AKIDx', secretKey: 'y', appid: '1250000000', uin: '100000000001' }, logLevel: 'silent' });
  try {
    const res = await send({ ...h, port: second.port }, { path: '/k', host: 'persist.example.com', sign: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, 'persisted');
  } finally {
    await second.close();
  }
});
