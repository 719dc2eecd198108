/**
 * The wire form of @cosbox/sdk against the official cos-nodejs-sdk-v5 (issue 7 item 7c/7d): both
 * send the same calls to a recording server on 127.0.0.1 (packages/sdk/src/test-server.ts) with
 * the clock fixed, and must send the same method, path, query, signed header and parameter lists,
 * and the very same Authorization signature.
 *
 * What this found: our XML request bodies (deleteMultipleObject, multipartComplete, the ACL, CORS
 * and tagging documents) began with an <?xml?> declaration, which the official SDK does not write;
 * COS takes both, but the signed Content-MD5 differed. The SDK now sends the official bytes.
 * Not compared: the User-Agent (each SDK names itself; it is not signed) and the order of headers.
 *
 * The clock: both SDKs take the signing time from Date.now() (util.getAuth: now = round(Date.now()
 * / 1000) - 1, plus SystemClockOffset), so Date.now is fixed for the whole file and both sign the
 * same q-sign-time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OfficialCOS from 'cos-nodejs-sdk-v5';
import COS from '@cosbox/sdk';
import { startTestServer, type RecordedRequest, type TestServer } from '../../packages/sdk/src/test-server.js';

const SecretId = 'AKIDwireTestKey000000000000000000000';
const SecretKey = 'wireTestSecretKey0000000000000000000';
const Bucket = 'wire-1250000000';
const Region = 'ap-guangzhou';
const FIXED_NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

let server: TestServer;
let official: OfficialCOS;
let ours: COS;
const realNow = Date.now;

before(async () => {
  server = await startTestServer({ status: 200 });
  Date.now = () => FIXED_NOW;
  const options = { SecretId, SecretKey, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` } as const;
  official = new OfficialCOS(options as OfficialCOS.COSOptions);
  ours = new COS(options);
});
after(async () => {
  Date.now = realNow;
  await server.close();
});

/** What a request must have in common: method, path, sorted query, the signature's lists and the signature. */
function wireOf(r: RecordedRequest) {
  const [path, search = ''] = r.url.split('?');
  const query = [...new URLSearchParams(search)].map(([k, v]) => `${k}=${v}`).sort();
  const authorization = String(r.headers.authorization ?? '');
  const field = (name: string) => new RegExp(`${name}=([^&]*)`).exec(authorization)?.[1];
  return {
    method: r.method,
    path,
    query,
    host: r.headers.host,
    signTime: field('q-sign-time'),
    headerList: field('q-header-list'),
    urlParamList: field('q-url-param-list'),
    authorization,
  };
}

type AnyCall = (cos: any, done: (err: unknown) => void) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs a call on one SDK and returns the first request it sent. */
async function firstRequest(cos: unknown, call: AnyCall, answer?: { body: string; headers?: Record<string, string> }): Promise<RecordedRequest> {
  server.requests.length = 0;
  server.answers = answer ? [{ status: 200, ...answer }] : [];
  await new Promise<void>((resolve) => call(cos, () => resolve()));
  assert.ok(server.requests.length > 0, 'a request was sent');
  return server.requests[0];
}

/** The same call on both SDKs, compared on the wire. */
async function sameOnTheWire(call: AnyCall, answer?: { body: string; headers?: Record<string, string> }) {
  const theirs = wireOf(await firstRequest(official, call, answer));
  const mine = wireOf(await firstRequest(ours, call, answer));
  assert.equal(theirs.signTime, `${Math.round(FIXED_NOW / 1000) - 1};${Math.round(FIXED_NOW / 1000) - 1 + 900}`, 'the fixed clock signs');
  assert.deepEqual(mine, theirs);
  return mine;
}

const cb = (done: (err: unknown) => void) => (err: unknown) => done(err);

describe('the same requests as cos-nodejs-sdk-v5, signature for signature', () => {
  test('putObject', async () => {
    const wire = await sameOnTheWire((cos, done) =>
      cos.putObject({ Bucket, Region, Key: 'dir/a b+c.txt', Body: Buffer.from('hello'), ContentType: 'text/plain', 'x-cos-meta-who': 'me', SkipTask: true }, cb(done)),
    );
    assert.equal(wire.method, 'PUT');
    assert.match(wire.headerList ?? '', /content-length/);
  });

  test('getObject with a Range', async () => {
    const wire = await sameOnTheWire((cos, done) => cos.getObject({ Bucket, Region, Key: 'a.txt', Range: 'bytes=0-9' }, cb(done)), { body: 'x' });
    assert.match(wire.headerList ?? '', /range/);
  });

  test('headObject, deleteObject', async () => {
    await sameOnTheWire((cos, done) => cos.headObject({ Bucket, Region, Key: 'a.txt', IfModifiedSince: 'Tue, 02 Jan 2024 03:04:05 GMT' }, cb(done)));
    await sameOnTheWire((cos, done) => cos.deleteObject({ Bucket, Region, Key: 'a.txt' }, cb(done)), { body: '' });
  });

  test('getBucket with prefix, marker, delimiter and max-keys', async () => {
    const wire = await sameOnTheWire(
      (cos, done) => cos.getBucket({ Bucket, Region, Prefix: 'photos/2024 年/', Marker: 'photos/a', Delimiter: '/', MaxKeys: 10 }, cb(done)),
      { body: '<ListBucketResult><Name>wire-1250000000</Name><IsTruncated>false</IsTruncated></ListBucketResult>' },
    );
    assert.equal(wire.path, '/');
    assert.ok(wire.query.includes('marker=photos/a'));
  });

  test('multipartInit, multipartUpload, multipartComplete', async () => {
    await sameOnTheWire((cos, done) => cos.multipartInit({ Bucket, Region, Key: 'big.bin', StorageClass: 'STANDARD_IA', ContentType: 'application/x-big' }, cb(done)), {
      body: '<InitiateMultipartUploadResult><Bucket>wire-1250000000</Bucket><Key>big.bin</Key><UploadId>1700000000abc</UploadId></InitiateMultipartUploadResult>',
    });
    await sameOnTheWire((cos, done) => cos.multipartUpload({ Bucket, Region, Key: 'big.bin', UploadId: '1700000000abc', PartNumber: 2, Body: Buffer.alloc(1024, 1) }, cb(done)), {
      body: '',
      headers: { ETag: '"abc"' },
    });
    const wire = await sameOnTheWire(
      (cos, done) =>
        cos.multipartComplete({ Bucket, Region, Key: 'big.bin', UploadId: '1700000000abc', Parts: [{ PartNumber: 1, ETag: '"a"' }, { PartNumber: 2, ETag: '"b"' }] }, cb(done)),
      { body: '<CompleteMultipartUploadResult><ETag>"x-2"</ETag></CompleteMultipartUploadResult>' },
    );
    // The XML body's Content-MD5 is signed, so an identical signature means an identical body digest.
    assert.match(wire.headerList ?? '', /content-md5/);
  });

  test('putObjectCopy', async () => {
    await sameOnTheWire(
      (cos, done) =>
        cos.putObjectCopy({ Bucket, Region, Key: 'copy.txt', CopySource: `${Bucket}.cos.${Region}.myqcloud.com/dir/source%20file.txt`, MetadataDirective: 'Replaced', ContentType: 'text/x-copy' }, cb(done)),
      { body: '<CopyObjectResult><ETag>"e"</ETag><LastModified>2024-01-02T03:04:05.000Z</LastModified></CopyObjectResult>' },
    );
  });

  test('deleteMultipleObject', async () => {
    const wire = await sameOnTheWire(
      (cos, done) => cos.deleteMultipleObject({ Bucket, Region, Objects: [{ Key: 'a' }, { Key: 'b/c d' }], Quiet: true }, cb(done)),
      { body: '<DeleteResult></DeleteResult>' },
    );
    assert.ok(wire.query.includes('delete='));
    assert.match(wire.headerList ?? '', /content-md5/);
  });

  test('putObjectAcl', async () => {
    await sameOnTheWire((cos, done) => cos.putObjectAcl({ Bucket, Region, Key: 'a.txt', ACL: 'public-read', GrantRead: 'id="qcs::cam::uin/100000000001:uin/100000000002"' }, cb(done)), { body: '' });
  });

  test('getObjectUrl: the same pre-signed URL', async () => {
    const params = { Bucket, Region, Key: 'dir/a b.txt', Expires: 600, Query: { 'response-content-type': 'text/plain' } };
    const theirs = official.getObjectUrl(params, () => {});
    const mine = ours.getObjectUrl(params);
    assert.equal(mine, theirs);
    assert.match(mine, /q-sign-time=1704164645;1704165245/);
  });
});
