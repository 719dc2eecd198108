// The request core against a scripted server: retries (network errors and 5xx, never 4xx, never a
// stream body), backoff, Timeout, AbortSignal, clock-skew correction, errors in 200 answers, the
// callback convention, and response parsing.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, afterEach, before, describe, test } from 'node:test';
import COS, { CosSdkError } from './index.js';
import { backoff } from './request.js';
import { errorXml, startTestServer, type TestServer } from './test-server.js';
import { parseResponseXml } from './xml.js';

const Bucket = 'examplebucket-1250000000';
const Region = 'ap-guangzhou';
let server: TestServer;
let cos: COS;

before(async () => {
  server = await startTestServer();
  cos = new COS({ SecretId: 'id', SecretKey: 'key', Protocol: 'http:', Ip: `127.0.0.1:${server.port}` });
});
afterEach(() => {
  server.requests.length = 0;
  server.answers = [];
  server.fallback = { status: 200 };
});
after(() => server.close());

const unavailable = { status: 503, body: errorXml('ServiceUnavailable', 'Please retry') };

describe('retries', () => {
  test('5xx answers are retried with x-cos-sdk-retry until one succeeds', async () => {
    server.answers = [unavailable, unavailable, unavailable];
    const data = await cos.headBucket({ Bucket, Region });
    assert.equal(data.statusCode, 200);
    assert.deepEqual(
      server.requests.map((r) => r.headers['x-cos-sdk-retry']),
      [undefined, 'true', 'true', 'true'],
    );
  });
  test('after 3 retries the last error is reported', async () => {
    server.fallback = { status: 500, body: errorXml('InternalError', 'Boom') };
    await assert.rejects(cos.getBucket({ Bucket, Region }), (e: CosSdkError) => {
      assert.equal(e.code, 'InternalError');
      assert.equal(e.statusCode, 500);
      assert.equal(e.message, 'Boom');
      assert.equal(e.RequestId, 'req-4');
      return true;
    });
    assert.equal(server.requests.length, 4);
  });
  for (const status of [400, 403, 404, 409]) {
    test(`${status} is never retried`, async () => {
      server.fallback = { status, body: errorXml('Nope', 'no') };
      await assert.rejects(cos.getBucket({ Bucket, Region }), { code: 'Nope', statusCode: status });
      assert.equal(server.requests.length, 1);
    });
  }
  test('a dropped connection is retried', async () => {
    server.answers = [{ destroy: true }];
    await cos.putObject({ Bucket, Region, Key: 'k', Body: Buffer.from('again') });
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[1].body.toString(), 'again');
  });
  test('a stream body is not retried: it cannot be sent twice', async () => {
    server.answers = [unavailable];
    await assert.rejects(cos.putObject({ Bucket, Region, Key: 'k', Body: Readable.from([Buffer.from('once')]) }), { statusCode: 503 });
    assert.equal(server.requests.length, 1);
  });
  test('a copy answered 200 with an InternalError body is a retried failure', async () => {
    server.answers = [{ status: 200, body: errorXml('InternalError', 'try again') }];
    server.fallback = { status: 200, body: '<CopyObjectResult><ETag>"e"</ETag><LastModified>t</LastModified></CopyObjectResult>' };
    const data = await cos.putObjectCopy({ Bucket, Region, Key: 'k', CopySource: `${Bucket}.cos.${Region}.myqcloud.com/src` });
    assert.equal(data.ETag, '"e"');
    assert.equal(server.requests.length, 2);
  });
  test('backoff doubles from 100 ms up to 2 s, with up to 50 % spread', () => {
    for (const [attempt, base] of [[1, 100], [2, 200], [3, 400], [6, 2000], [9, 2000]]) {
      const ms = backoff(attempt);
      assert.ok(ms >= base && ms <= base * 1.5, `attempt ${attempt}: ${ms}`);
    }
  });
});

describe('Timeout and AbortSignal', () => {
  test('a request that exceeds Timeout fails with ETIMEDOUT after its retries', async () => {
    const slow = new COS({ SecretId: 'id', SecretKey: 'key', Protocol: 'http:', Ip: `127.0.0.1:${server.port}`, Timeout: 50 });
    server.fallback = { delayMs: 300 };
    await assert.rejects(slow.headBucket({ Bucket, Region }), { code: 'ETIMEDOUT' });
    assert.equal(server.requests.length, 4);
  });
  test('aborting a request in flight rejects with AbortError and stops retrying', async () => {
    server.fallback = { delayMs: 500 };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await assert.rejects(cos.headBucket({ Bucket, Region, Signal: controller.signal }), { code: 'AbortError', name: 'AbortError' });
    assert.ok(Date.now() - started < 400);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(server.requests.length, 1, 'one attempt, no retry');
  });
  test('aborting during the backoff between retries', async () => {
    server.fallback = unavailable;
    const controller = new AbortController();
    const pending = cos.headBucket({ Bucket, Region, Signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(pending, { code: 'AbortError' });
    const count = server.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.requests.length, count, 'no retry after the abort');
  });
  test('an already aborted signal sends nothing', async () => {
    await assert.rejects(cos.headBucket({ Bucket, Region, Signal: AbortSignal.abort() }), { code: 'AbortError' });
    assert.equal(server.requests.length, 0);
  });
});

describe('clock skew', () => {
  test('an expired signature with a server Date an hour ahead moves SystemClockOffset and is resent', async () => {
    const skewed = new COS({ SecretId: 'id', SecretKey: 'key', Protocol: 'http:', Ip: `127.0.0.1:${server.port}` });
    const serverNow = Date.now() + 3600_000;
    server.answers = [{ status: 403, headers: { Date: new Date(serverNow).toUTCString() }, body: errorXml('AccessDenied', 'Request has expired') }];
    await skewed.getBucket({ Bucket, Region });
    assert.equal(server.requests.length, 2);
    assert.ok(Math.abs(skewed.options.SystemClockOffset - 3600_000) < 2000);
    const signStart = Number(/q-sign-time=(\d+);/.exec(String(server.requests[1].headers.authorization))![1]);
    assert.ok(Math.abs(signStart - serverNow / 1000) < 3);
  });
  test('other 403s are not retried', async () => {
    server.answers = [{ status: 403, headers: { Date: new Date(Date.now() + 3600_000).toUTCString() }, body: errorXml('AccessDenied', 'Access Denied.') }];
    await assert.rejects(cos.getBucket({ Bucket, Region }), { code: 'AccessDenied' });
    assert.equal(server.requests.length, 1);
  });
});

describe('calling conventions and errors', () => {
  test('with a callback nothing is returned and the callback gets (null, data)', async () => {
    const data = await new Promise((resolve, reject) => {
      const returned = cos.headBucket({ Bucket, Region }, (err, d) => (err ? reject(err) : resolve(d)));
      assert.equal(returned, undefined);
    });
    assert.equal((data as { statusCode: number }).statusCode, 200);
  });
  test('getService(callback)', async () => {
    server.fallback = { status: 200, body: '<ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>' };
    const data = await new Promise<{ Buckets: unknown[] }>((resolve, reject) => cos.getService((err, d) => (err ? reject(err) : resolve(d))));
    assert.deepEqual(data.Buckets, []);
    assert.equal(server.requests[0].headers.host, 'service.cos.myqcloud.com');
  });
  test('a parameter error reaches the callback', async () => {
    const err = await new Promise<CosSdkError | null>((resolve) => cos.getObject({ Bucket, Region } as never, (e) => resolve(e)));
    assert.ok(err instanceof CosSdkError);
    assert.equal(err.message, 'missing param Key');
    assert.equal(server.requests.length, 0);
  });
  test('a status without a body: code is the status, message the status text', async () => {
    server.fallback = { status: 404 };
    await assert.rejects(cos.headObject({ Bucket, Region, Key: 'k' }), (e: CosSdkError) => {
      assert.deepEqual({ ...e, name: e.name, headers: undefined }, {
        code: '404',
        name: '404',
        message: 'Not Found',
        statusCode: 404,
        headers: undefined,
        url: `http://127.0.0.1:${server.port}/k`,
        method: 'HEAD',
        RequestId: 'req-1',
      });
      return true;
    });
  });
  test('the URL of an error names the sub-resource, not the parameters', async () => {
    server.fallback = { status: 404, body: errorXml('NoSuchUpload', 'gone') };
    await assert.rejects(cos.multipartList({ Bucket, Region, Prefix: 'p' }), { url: `http://127.0.0.1:${server.port}/?uploads` });
    assert.equal(server.requests[0].url, '/?uploads&prefix=p');
  });
});

describe('response parsing', () => {
  test('whitespace before the XML of a Complete Multipart Upload', async () => {
    server.fallback = {
      status: 200,
      body: '\n \n<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag>"x-2"</ETag></CompleteMultipartUploadResult>',
    };
    const data = await cos.multipartComplete({ Bucket, Region, Key: 'k', UploadId: 'u', Parts: [{ PartNumber: 1, ETag: 'e' }] });
    assert.equal(data.ETag, '"x-2"');
    assert.match(server.requests[0].body.toString(), /<Part><PartNumber>1<\/PartNumber><ETag>&quot;e&quot;<\/ETag><\/Part>/);
  });
  test('attributes are dropped, values stay strings, text of attributed elements is kept', () => {
    assert.deepEqual(
      parseResponseXml(
        '<AccessControlPolicy><Owner><ID>1</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="x" xsi:type="CanonicalUser"><ID>2</ID></Grantee><Permission a="b">READ</Permission></Grant><Grant><Grantee type="Group"/><Permission>WRITE</Permission></Grant></AccessControlList></AccessControlPolicy>',
      ),
      {
        AccessControlPolicy: {
          Owner: { ID: '1' },
          AccessControlList: { Grant: [{ Grantee: { ID: '2' }, Permission: 'READ' }, { Grantee: '', Permission: 'WRITE' }] },
        },
      },
    );
  });
  test('a body that is not XML is {}', () => {
    assert.deepEqual(parseResponseXml(''), {});
    assert.deepEqual(parseResponseXml('<html><body>proxy error'), {});
    assert.deepEqual(parseResponseXml('plain text'), {});
  });
});
