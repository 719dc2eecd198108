// Signatures: ours (computed by @cosbox/protocol's sign()) must equal the official SDK's for the same
// inputs and KeyTime, both for COS.getAuthorization / cos.getAuth and for the Authorization header of
// requests the SDK builds.
import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import OfficialCOS from 'cos-nodejs-sdk-v5';
import COS, { type GetAuthorizationOptions } from './index.js';
import { startTestServer, type RecordedRequest, type TestServer } from './test-server.js';

const SecretId = 'AKIDexampleSecretId0000000000000000';
const SecretKey = 'exampleSecretKey0000000000000000';
const Bucket = 'examplebucket-1250000000';
const Region = 'ap-guangzhou';
const KeyTime = '1700000000;1700000900';

describe('COS.getAuthorization', () => {
  const cases: Record<string, object> = {
    'a bare GET': { Method: 'get', Key: 'a.txt' },
    'Bucket and Region sign the Host': { Bucket, Region, Method: 'PUT', Key: 'dir/中文 (1).txt' },
    'query and headers, signed or not by name': {
      Method: 'GET',
      Pathname: '/a b',
      Query: { 'response-content-type': 'text/plain', uploads: '', prefix: 'x/y', empty: undefined },
      Headers: { 'Content-Type': 'text/plain', 'x-cos-meta-a': 'B c', 'User-Agent': 'not signed', Range: 'bytes=0-1', Accept: 'no' },
    },
    'Expires ignored when KeyTime is given': { Method: 'delete', Key: 'k', Expires: 60 },
  };
  for (const [name, input] of Object.entries(cases)) {
    test(name, () => {
      const opts = { SecretId, SecretKey, KeyTime, ...input };
      assert.equal(COS.getAuthorization(opts), OfficialCOS.getAuthorization(opts as OfficialCOS.StaticGetAuthorizationOptions));
    });
  }
  test('without KeyTime: [now - 1, now + Expires]', () => {
    const now = 1_700_000_000_000;
    mock.method(Date, 'now', () => now);
    try {
      const opts = { SecretId, SecretKey, Method: 'get', Key: 'k', Expires: 60 };
      const auth = COS.getAuthorization(opts);
      assert.match(auth, /q-sign-time=1699999999;1700000059&/);
      assert.equal(auth, OfficialCOS.getAuthorization(opts as OfficialCOS.StaticGetAuthorizationOptions));
    } finally {
      mock.restoreAll();
    }
  });
  test('missing keys throw', () => {
    assert.throws(() => COS.getAuthorization({ SecretId: '', SecretKey }), /missing param SecretId/);
  });
});

describe('cos.getAuth and cos.getObjectUrl at a fixed time', () => {
  const options = { SecretId, SecretKey, Protocol: 'https:' as const };
  test('getAuth', () => {
    mock.method(Date, 'now', () => 1_700_000_000_000);
    try {
      const params = { Bucket, Region, Method: 'PUT' as const, Key: 'a/b.txt', Headers: { 'x-cos-acl': 'private' }, Query: { uploads: '' }, Expires: 120 };
      assert.equal(new COS(options).getAuth(params), new OfficialCOS(options).getAuth(params as OfficialCOS.GetAuthParams));
    } finally {
      mock.restoreAll();
    }
  });
  test('getObjectUrl, returned and called back', async () => {
    mock.method(Date, 'now', () => 1_700_000_000_000);
    try {
      const params = { Bucket, Region, Key: 'dir/a b.txt', Expires: 30, Query: { 'response-content-type': 'text/plain' } };
      const ours = new COS({ ...options, SecurityToken: 'token+/=' });
      const official = new OfficialCOS({ ...options, SecurityToken: 'token' });
      const oursUrl = ours.getObjectUrl(params);
      const officialUrl = official.getObjectUrl(params as OfficialCOS.GetObjectUrlParams, () => {});
      // The official SDK appends the token unencoded; ours encodes it.
      assert.equal(oursUrl.replace('token%2B%2F%3D', 'token'), officialUrl);
      const viaCallback = (get: (callback: (err: unknown, data: { Url: string }) => void) => unknown) =>
        new Promise<string>((resolve) => get((_e, d) => resolve(d.Url)));
      const oursLater = await viaCallback((cb) => ours.getObjectUrl(params, cb));
      const officialLater = await viaCallback((cb) => official.getObjectUrl(params as OfficialCOS.GetObjectUrlParams, cb as never));
      assert.equal(oursLater.replace('token%2B%2F%3D', 'token'), officialLater);
    } finally {
      mock.restoreAll();
    }
  });
});

/** The official signature over what the request carried, at the time it was signed. */
function officialSignatureOf(req: RecordedRequest): string {
  const auth = String(req.headers.authorization);
  const keyTime = /q-key-time=([^&]+)/.exec(auth)![1];
  const [path, search = ''] = req.url.split('?');
  const Query: Record<string, string> = {};
  for (const pair of search.split('&').filter(Boolean)) {
    const [k, v = ''] = pair.split('=');
    Query[decodeURIComponent(k)] = decodeURIComponent(v);
  }
  const Headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && v !== '' && k !== 'authorization') Headers[k] = v;
  return OfficialCOS.getAuthorization({ SecretId, SecretKey, Method: req.method as OfficialCOS.Method, Pathname: decodeURIComponent(path), Query, Headers, KeyTime: keyTime });
}

describe('the Authorization of requests the SDK sends', () => {
  let server: TestServer;
  let cos: COS;
  before(async () => {
    server = await startTestServer();
    cos = new COS({ SecretId, SecretKey, Protocol: 'http:', Ip: `127.0.0.1:${server.port}` });
  });
  after(() => server.close());

  const requests: Record<string, (cos: COS) => Promise<unknown>> = {
    'putObject with stored headers and meta': (c) =>
      c.putObject({ Bucket, Region, Key: 'dir/a b+.txt', Body: 'hello', ContentType: 'text/plain', CacheControl: 'no-cache', 'x-cos-meta-x': 'y', StorageClass: 'STANDARD_IA' }),
    'getObject with response overrides and Range': (c) =>
      c.getObject({ Bucket, Region, Key: 'k', ResponseContentType: 'text/html', ResponseContentDisposition: 'attachment; filename="a b"', Range: 'bytes=0-9' }),
    'getBucket with prefix and delimiter': (c) => c.getBucket({ Bucket, Region, Prefix: 'a/', Delimiter: '/', MaxKeys: 10 }),
    'multipartList (a sub-resource)': (c) => c.multipartList({ Bucket, Region, Prefix: 'p' }),
    'deleteMultipleObject (Content-MD5)': (c) => c.deleteMultipleObject({ Bucket, Region, Objects: [{ Key: 'a' }, { Key: 'b' }] }),
    'multipartUpload': (c) => c.multipartUpload({ Bucket, Region, Key: 'k', UploadId: 'u/1', PartNumber: 2, Body: Buffer.from('part') }),
    'putObjectCopy': (c) => c.putObjectCopy({ Bucket, Region, Key: 'k2', CopySource: `${Bucket}.cos.${Region}.myqcloud.com/k` }),
  };
  for (const [name, send] of Object.entries(requests)) {
    test(name, async () => {
      await send(cos);
      const req = server.requests.at(-1)!;
      assert.match(String(req.headers.authorization), /q-header-list=[^&]*host/);
      assert.equal(req.headers.authorization, officialSignatureOf(req));
    });
  }
});

describe('getAuthorization callback', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  const now = () => Math.floor(Date.now() / 1000);

  test('temporary keys are asked for once and reused, with their token and time', async () => {
    const asked: GetAuthorizationOptions[] = [];
    const start = now() - 10;
    const cos = new COS({
      Protocol: 'http:',
      Ip: `127.0.0.1:${server.port}`,
      getAuthorization: (options, callback) => {
        asked.push(options);
        callback({ TmpSecretId: 'tmp-id', TmpSecretKey: 'tmp-key', SecurityToken: 'session', StartTime: start, ExpiredTime: start + 3600 });
      },
    });
    await cos.headObject({ Bucket, Region, Key: 'a' });
    await cos.putObject({ Bucket, Region, Key: 'b', Body: 'x' });
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0].Scope, [{ action: 'name/cos:HeadObject', bucket: Bucket, region: Region, prefix: 'a' }]);
    assert.equal(asked[0].Pathname, '/a');
    const req = server.requests.at(-1)!;
    assert.equal(req.headers['x-cos-security-token'], 'session');
    assert.match(String(req.headers.authorization), new RegExp(`q-ak=tmp-id&q-sign-time=${start};${start + 3600}&`));
  });

  test('an Authorization string is used as it is, asked for every request', async () => {
    let calls = 0;
    const cos = new COS({
      Protocol: 'http:',
      Ip: `127.0.0.1:${server.port}`,
      getAuthorization: (options, callback) => {
        calls++;
        callback(COS.getAuthorization({ SecretId, SecretKey, Method: options.Method, Pathname: options.Pathname, Query: options.Query, Headers: options.Headers }));
      },
    });
    await cos.getBucket({ Bucket, Region });
    await cos.getBucket({ Bucket, Region });
    assert.equal(calls, 2);
    const req = server.requests.at(-1)!;
    assert.equal(req.headers.authorization, officialSignatureOf(req));
  });

  test('incomplete temporary keys are an error', async () => {
    const cos = new COS({
      Protocol: 'http:',
      Ip: `127.0.0.1:${server.port}`,
      getAuthorization: (_o, callback) => callback({ TmpSecretId: 'id', TmpSecretKey: 'key', ExpiredTime: now() + 100 }),
    });
    await assert.rejects(cos.headBucket({ Bucket, Region }), { code: 'Error', message: 'getAuthorization callback params missing "SecurityToken"' });
  });
});
