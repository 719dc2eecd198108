/**
 * The S3 dialect of every API cosbox has (issue 13, item 3), driven by the AWS SDK for JavaScript v3
 * (`@aws-sdk/client-s3`, unmodified, path style): the README's S3 API matrix is this file. Objects
 * written in S3's words are read in COS's by the official COS SDK and the other way round.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { Agent } from 'node:http';
import { after, before, test } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  RestoreObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { APPID, bucketName, REGION, SECRET_ID, SECRET_KEY, startHarness, type Harness } from './harness.js';
import { CURL, ensureS3Clients } from './s3-tools.js';

let h: Harness;
let s3: S3Client;
const Bucket = bucketName('s3api');

before(async () => {
  ensureS3Clients();
  h = await startHarness();
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${h.port}`,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: SECRET_ID, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
  });
});
after(async () => {
  s3.destroy();
  await h.close();
});

/** The S3 error a command fails with: its code and status. */
async function s3Error(promise: Promise<unknown>): Promise<{ code: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, String(error));
    return { code: error.name, status: error.$metadata.httpStatusCode };
  }
  assert.fail('the command succeeded');
}

function curl(url: string, ...args: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile(CURL, ['-s', '--noproxy', '*', '-o', '-', '-w', '\n%{http_code}', ...args, url], { timeout: 30_000, encoding: 'utf8' }, (error, stdout) => {
      if (error) return reject(error);
      const cut = stdout.lastIndexOf('\n');
      resolve({ status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) });
    });
  });
}

test('CreateBucket (region from CreateBucketConfiguration), HeadBucket, GetBucketLocation, ListBuckets', async () => {
  await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: REGION as never } }));
  const head = await s3.send(new HeadBucketCommand({ Bucket }));
  assert.equal(head.$metadata.httpStatusCode, 200);
  assert.equal((await s3.send(new GetBucketLocationCommand({ Bucket }))).LocationConstraint, REGION);
  const list = await s3.send(new ListBucketsCommand({}));
  assert.ok(list.Buckets?.some((b) => b.Name === Bucket && b.CreationDate instanceof Date));
  assert.ok(list.Owner?.ID);

  const refused = await s3Error(s3.send(new CreateBucketCommand({ Bucket: 'no-appid-here' })));
  assert.deepEqual(refused, { code: 'InvalidBucketName', status: 400 });
  assert.equal((await s3Error(s3.send(new HeadBucketCommand({ Bucket: bucketName('none') })))).status, 404);
});

test('PutObject / GetObject / HeadObject: metadata, content headers, ranges, conditions', async () => {
  const put = await s3.send(
    new PutObjectCommand({ Bucket, Key: 'dir/hello.txt', Body: 'hello, S3 world', ContentType: 'text/plain', Metadata: { color: 'blue' }, CacheControl: 'no-cache' }),
  );
  assert.match(put.ETag ?? '', /^"[0-9a-f]{32}"$/);
  const cos = await h.cos.headObject({ Bucket, Region: REGION, Key: 'dir/hello.txt' });
  assert.equal(cos.headers['x-cos-meta-color'], 'blue');

  const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'dir/hello.txt' }));
  assert.equal(await got.Body?.transformToString(), 'hello, S3 world');
  assert.deepEqual(got.Metadata, { color: 'blue' });
  assert.equal(got.ContentType, 'text/plain');
  assert.equal(got.CacheControl, 'no-cache');

  const range = await s3.send(new GetObjectCommand({ Bucket, Key: 'dir/hello.txt', Range: 'bytes=7-8' }));
  assert.equal(await range.Body?.transformToString(), 'S3');
  assert.equal(range.ContentRange, 'bytes 7-8/15');

  assert.equal((await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'dir/hello.txt', IfMatch: '"0123"' })))).status, 412);
  assert.equal((await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'dir/hello.txt', IfNoneMatch: put.ETag })))).status, 304);
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'dir/hello.txt', IfMatch: put.ETag }));
  assert.equal(head.ContentLength, 15);
  assert.deepEqual(await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'nothing' }))), { code: 'NoSuchKey', status: 404 });
});

test('an object written with the COS SDK is read with the S3 SDK, storage class in S3 words', async () => {
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'from-cos.txt', Body: 'written by COS', Headers: { 'x-cos-meta-origin': 'cos' }, StorageClass: 'ARCHIVE' });
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'from-cos.txt' }));
  assert.equal(head.StorageClass, 'GLACIER');
  assert.deepEqual(head.Metadata, { origin: 'cos' });
  await s3.send(new RestoreObjectCommand({ Bucket, Key: 'from-cos.txt', RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Expedited' } } }));
  const restoring = await s3.send(new HeadObjectCommand({ Bucket, Key: 'from-cos.txt' }));
  assert.match(restoring.Restore ?? '', /ongoing-request/);
});

test('CopyObject with conditions and the REPLACE directive; server-side encryption and SSE-C', async () => {
  const src = await s3.send(new PutObjectCommand({ Bucket, Key: 'copy/src', Body: 'source', Metadata: { a: '1' }, ServerSideEncryption: 'AES256' }));
  assert.equal(src.ServerSideEncryption, 'AES256');
  const failed = await s3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'copy/dst', CopySource: `${Bucket}/copy/src`, CopySourceIfMatch: '"ffff"' })));
  assert.equal(failed.status, 412);
  const copy = await s3.send(
    new CopyObjectCommand({ Bucket, Key: 'copy/dst', CopySource: `${Bucket}/copy/src`, CopySourceIfMatch: src.ETag, MetadataDirective: 'REPLACE', Metadata: { b: '2' } }),
  );
  assert.equal(copy.CopyObjectResult?.ETag, src.ETag);
  assert.deepEqual((await s3.send(new HeadObjectCommand({ Bucket, Key: 'copy/dst' }))).Metadata, { b: '2' });

  const key = randomBytes(32);
  const sse = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64') };
  await s3.send(new PutObjectCommand({ Bucket, Key: 'copy/ssec', Body: 'secret', ...sse }));
  assert.equal((await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'copy/ssec' })))).status, 400);
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'copy/ssec', ...sse }))).Body?.transformToString(), 'secret');
});

test('ListObjects (v1) and ListObjectsV2 with delimiter, start-after, continuation and fetch-owner', async () => {
  for (const key of ['l/a', 'l/b', 'l/c/d', 'l/c/e', 'l/f']) await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: key }));
  const v1 = await s3.send(new ListObjectsCommand({ Bucket, Prefix: 'l/', Delimiter: '/' }));
  assert.deepEqual(v1.Contents?.map((c) => c.Key), ['l/a', 'l/b', 'l/f']);
  assert.deepEqual(v1.CommonPrefixes?.map((c) => c.Prefix), ['l/c/']);

  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'l/', MaxKeys: 2, ContinuationToken: token }));
    assert.equal(page.KeyCount, page.Contents?.length ?? 0);
    keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  assert.deepEqual(keys, ['l/a', 'l/b', 'l/c/d', 'l/c/e', 'l/f']);
  const after = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'l/', StartAfter: 'l/c/d', FetchOwner: true }));
  assert.deepEqual(after.Contents?.map((c) => c.Key), ['l/c/e', 'l/f']);
  assert.ok(after.Contents?.[0].Owner?.ID);
});

test('DeleteObject and DeleteObjects', async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: 'del/1', Body: '1' }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'del/2', Body: '2' }));
  await s3.send(new DeleteObjectCommand({ Bucket, Key: 'del/1' }));
  const many = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'del/2' }, { Key: 'del/none' }] } }));
  assert.deepEqual(many.Deleted?.map((d) => d.Key).sort(), ['del/2', 'del/none']);
  const left = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'del/' }));
  assert.equal(left.KeyCount, 0);
});

test('multipart: create, upload parts, UploadPartCopy, ListParts, ListMultipartUploads, complete, abort; GetObjectAttributes', async () => {
  const part1 = randomBytes(5 * 1024 * 1024);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp/big', ContentType: 'application/x-test', Metadata: { m: 'p' } }));
  assert.ok(UploadId);
  const p1 = await s3.send(new UploadPartCommand({ Bucket, Key: 'mp/big', UploadId, PartNumber: 1, Body: part1 }));
  const p2 = await s3.send(new UploadPartCopyCommand({ Bucket, Key: 'mp/big', UploadId, PartNumber: 2, CopySource: `${Bucket}/dir/hello.txt`, CopySourceRange: 'bytes=0-4' }));
  assert.ok(p2.CopyPartResult?.ETag);
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'mp/' }));
  assert.deepEqual(uploads.Uploads?.map((u) => u.UploadId), [UploadId]);
  const parts = await s3.send(new ListPartsCommand({ Bucket, Key: 'mp/big', UploadId }));
  assert.deepEqual(parts.Parts?.map((p) => p.PartNumber), [1, 2]);
  const done = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket, Key: 'mp/big', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.CopyPartResult?.ETag }] } }),
  );
  assert.match(done.ETag ?? '', /-2"$/);
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'mp/big' }));
  const body = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
  assert.ok(body.equals(Buffer.concat([part1, Buffer.from('hello')])));
  assert.deepEqual(got.Metadata, { m: 'p' });

  const attributes = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'mp/big', ObjectAttributes: ['ETag', 'ObjectParts', 'StorageClass', 'ObjectSize'] }));
  assert.equal(`"${attributes.ETag}"`, done.ETag);
  assert.equal(attributes.ObjectParts?.TotalPartsCount, 2);
  assert.equal(attributes.StorageClass, 'STANDARD');
  assert.equal(attributes.ObjectSize, part1.length + 5);
  assert.ok(attributes.LastModified instanceof Date);
  const sizeOnly = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: 'dir/hello.txt', ObjectAttributes: ['ObjectSize'] }));
  assert.deepEqual([sizeOnly.ObjectSize, sizeOnly.ETag], [15, undefined]);

  const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp/aborted' }));
  await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'mp/aborted', UploadId: aborted.UploadId }));
  assert.deepEqual(await s3Error(s3.send(new ListPartsCommand({ Bucket, Key: 'mp/aborted', UploadId: aborted.UploadId }))), { code: 'NoSuchUpload', status: 404 });
});

test('ACLs: canned by header, read back with S3 grantees; public-read opens anonymous GETs', async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: 'acl/public.txt', Body: 'open', ACL: 'public-read' }));
  const acl = await s3.send(new GetObjectAclCommand({ Bucket, Key: 'acl/public.txt' }));
  assert.ok(acl.Grants?.some((g) => g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ'));
  assert.equal((await curl(`http://127.0.0.1:${h.port}/${Bucket}/acl/public.txt`)).body, 'open');
  await s3.send(new PutObjectAclCommand({ Bucket, Key: 'acl/public.txt', ACL: 'private' }));
  assert.equal((await curl(`http://127.0.0.1:${h.port}/${Bucket}/acl/public.txt`)).status, 403);

  await s3.send(new PutBucketAclCommand({ Bucket, ACL: 'private' }));
  const bucketAcl = await s3.send(new GetBucketAclCommand({ Bucket }));
  assert.ok(bucketAcl.Owner?.ID);
  assert.ok(bucketAcl.Grants?.some((g) => g.Permission === 'FULL_CONTROL'));
});

test('CORS, lifecycle, versioning and tagging configurations', async () => {
  await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['https://app.example'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], MaxAgeSeconds: 60 }] } }));
  const cors = await s3.send(new GetBucketCorsCommand({ Bucket }));
  assert.deepEqual(cors.CORSRules?.[0].AllowedOrigins, ['https://app.example']);
  await s3.send(new DeleteBucketCorsCommand({ Bucket }));
  assert.equal((await s3Error(s3.send(new GetBucketCorsCommand({ Bucket })))).code, 'NoSuchCORSConfiguration');

  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: { Rules: [{ ID: 'cold', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } }] },
    }),
  );
  const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
  assert.equal(lifecycle.Rules?.[0].Transitions?.[0].StorageClass, 'GLACIER');
  assert.equal(lifecycle.Rules?.[0].Expiration?.Days, 365);
  const viaCos = await h.cos.getBucketLifecycle({ Bucket, Region: REGION });
  assert.equal(viaCos.Rules[0].Transition?.[0]?.StorageClass ?? (viaCos.Rules[0].Transition as unknown as { StorageClass: string }).StorageClass, 'ARCHIVE');
  await s3.send(new DeleteBucketLifecycleCommand({ Bucket }));
  assert.equal((await s3Error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })))).code, 'NoSuchLifecycleConfiguration');

  await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'env', Value: 'test' }] } }));
  assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet, [{ Key: 'env', Value: 'test' }]);
  await s3.send(new DeleteBucketTaggingCommand({ Bucket }));
  await s3.send(new PutObjectTaggingCommand({ Bucket, Key: 'dir/hello.txt', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
  assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'dir/hello.txt' }))).TagSet, [{ Key: 'k', Value: 'v' }]);
  assert.equal((await s3.send(new HeadObjectCommand({ Bucket, Key: 'dir/hello.txt' }))).$metadata.httpStatusCode, 200);
  await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 'dir/hello.txt' }));
  assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'dir/hello.txt' }))).TagSet ?? [], []);

  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled');
  const v1 = await s3.send(new PutObjectCommand({ Bucket, Key: 'ver/k', Body: 'one' }));
  const v2 = await s3.send(new PutObjectCommand({ Bucket, Key: 'ver/k', Body: 'two' }));
  const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'ver/k' }));
  assert.equal(marker.DeleteMarker, true);
  assert.equal(await (await s3.send(new GetObjectCommand({ Bucket, Key: 'ver/k', VersionId: v1.VersionId }))).Body?.transformToString(), 'one');
  const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'ver/' }));
  assert.deepEqual(versions.Versions?.map((v) => v.VersionId).sort(), [v1.VersionId, v2.VersionId].sort());
  assert.equal(versions.DeleteMarkers?.[0].VersionId, marker.VersionId);
  await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
});

test('pre-signed GET and PUT URLs from the JS SDK, fetched with curl', async () => {
  const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'presigned/curl.txt' }), { expiresIn: 300 });
  const put = await curl(putUrl, '-X', 'PUT', '--data-binary', 'via curl');
  assert.equal(put.status, 200, put.body);
  const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'presigned/curl.txt' }), { expiresIn: 300 });
  assert.deepEqual(await curl(getUrl), { status: 200, body: 'via curl' });
  // The presigner hoists x-amz-* headers into the signed query; they apply as if sent as headers.
  const hoisted = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'presigned/public.txt', ACL: 'public-read', Metadata: { note: 'hi' } }), { expiresIn: 300 });
  assert.match(hoisted, /x-amz-acl=public-read/);
  assert.equal((await curl(hoisted, '-X', 'PUT', '--data-binary', 'public via curl')).status, 200);
  assert.deepEqual((await s3.send(new HeadObjectCommand({ Bucket, Key: 'presigned/public.txt' }))).Metadata, { note: 'hi' });
  assert.deepEqual(await curl(`http://127.0.0.1:${h.port}/${Bucket}/presigned/public.txt`), { status: 200, body: 'public via curl' });
  const tampered = await curl(getUrl.replace('presigned/curl.txt', 'presigned/other.txt'));
  assert.equal(tampered.status, 403);
  assert.match(tampered.body, /<Code>SignatureDoesNotMatch<\/Code>/);
});

test('DeleteBucket: BucketNotEmpty, then gone', async () => {
  const other = `s3del-${Date.now().toString(36)}-${APPID}`;
  await s3.send(new CreateBucketCommand({ Bucket: other }));
  await s3.send(new PutObjectCommand({ Bucket: other, Key: 'x', Body: 'x' }));
  assert.deepEqual(await s3Error(s3.send(new DeleteBucketCommand({ Bucket: other }))), { code: 'BucketNotEmpty', status: 409 });
  await s3.send(new DeleteObjectCommand({ Bucket: other, Key: 'x' }));
  await s3.send(new DeleteBucketCommand({ Bucket: other }));
  assert.equal((await s3Error(s3.send(new HeadBucketCommand({ Bucket: other })))).status, 404);
});

test('virtual-hosted style: <bucket>.s3.<region>.<domain> with the JS SDK (the names resolved to 127.0.0.1)', async () => {
  // Every name this agent looks up is the loopback: no DNS, nothing leaves the machine.
  const agent = new Agent({
    lookup: (_host, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
      else (callback as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
    },
  });
  const virtual = new S3Client({
    endpoint: `http://s3.${REGION}.cosbox.test:${h.port}`,
    region: REGION,
    forcePathStyle: false,
    credentials: { accessKeyId: SECRET_ID, secretAccessKey: SECRET_KEY },
    maxAttempts: 1,
    requestHandler: { httpAgent: agent },
  });
  const hosts: string[] = [];
  virtual.middlewareStack.add(
    (next) => async (args) => {
      hosts.push((args.request as { hostname?: string }).hostname ?? '');
      return next(args);
    },
    { step: 'finalizeRequest' },
  );
  try {
    await virtual.send(new PutObjectCommand({ Bucket, Key: 'virtual/k.txt', Body: 'virtual host' }));
    assert.equal(await (await virtual.send(new GetObjectCommand({ Bucket, Key: 'virtual/k.txt' }))).Body?.transformToString(), 'virtual host');
    const listed = await virtual.send(new ListObjectsV2Command({ Bucket, Prefix: 'virtual/' }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), ['virtual/k.txt']);
    assert.deepEqual([...new Set(hosts)], [`${Bucket}.s3.${REGION}.cosbox.test`]);
  } finally {
    virtual.destroy();
    agent.destroy();
  }
});
