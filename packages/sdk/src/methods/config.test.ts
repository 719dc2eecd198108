// The configuration methods (ACL, CORS, lifecycle, versioning, tagging, restore, OPTIONS) that the
// cosbox server does not serve yet: each call is made by the official cos-nodejs-sdk-v5 and by ours
// against a scripted server that answers as COS does, and both the requests they send and the
// results they make of the answers must agree.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OfficialCOS from 'cos-nodejs-sdk-v5';
import { parseXml } from '@cosbox/protocol';
import COS from '../index.js';
import { errorXml, startTestServer, type Answer, type RecordedRequest, type TestServer } from '../test-server.js';

const Bucket = 'examplebucket-1250000000';
const Region = 'ap-guangzhou';
const Key = 'dir/a.txt';
let server: TestServer;
let official: Record<string, (params: object) => Promise<unknown>>;
let ours: Record<string, (params: object) => Promise<unknown>>;

before(async () => {
  server = await startTestServer();
  const options = { SecretId: 'id', SecretKey: 'key', Protocol: 'http:' as const, Ip: `127.0.0.1:${server.port}` };
  official = new OfficialCOS(options) as unknown as typeof official;
  ours = new COS(options) as unknown as typeof ours;
});
after(() => server.close());

/** Headers that are the request's meaning rather than its transport or signature. */
const MEANINGFUL_HEADER = /^(x-cos-(?!sdk-retry|security-token)|content-type$|origin$|access-control-)/;

/** A request as what it asks for: method, path, decoded query, meaningful headers, parsed XML body. */
function meaning(req: RecordedRequest): unknown {
  const [path, search = ''] = req.url.split('?');
  const query = Object.fromEntries(
    search
      .split('&')
      .filter(Boolean)
      .map((pair) => pair.split('=').map((s) => decodeURIComponent(s ?? '')))
      .map(([k, v = '']) => [k, v]),
  );
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => MEANINGFUL_HEADER.test(k)));
  const body = req.body.length ? parseXml(req.body.toString()) : undefined;
  return { method: req.method, path, query, headers, body };
}

/** The outcome of a call as data: the result, or the error's own fields and name. */
async function outcome(call: Promise<unknown>): Promise<unknown> {
  try {
    return { data: await call };
  } catch (e) {
    return { error: { ...(e as object), name: (e as Error).name } };
  }
}

/** Both SDKs make the call against the same scripted answer; requests and outcomes must match. */
async function agree(name: string, params: object, answer: Answer, check?: (data: Record<string, unknown>) => void): Promise<void> {
  const results = [];
  // One Date for both answers: the SDKs return the response headers, and two calls may straddle a second.
  const date = new Date().toUTCString();
  for (const sdk of [official, ours]) {
    server.requests.length = 0;
    server.answers = [{ ...answer, headers: { 'x-cos-request-id': 'req', Date: date, ...answer.headers } }];
    const result = await outcome(sdk[name]({ Bucket, Region, ...params }));
    results.push({ result, requests: server.requests.map(meaning) });
  }
  assert.deepStrictEqual(results[1], results[0], 'ours (actual) differs from the official SDK (expected)');
  check?.((results[1].result as { data: Record<string, unknown> }).data);
}

const ok: Answer = { status: 200 };
const xml = (body: string, status = 200): Answer => ({ status, headers: { 'Content-Type': 'application/xml' }, body });
const notFound = (code: string): Answer => ({ status: 404, headers: { 'Content-Type': 'application/xml' }, body: errorXml(code, 'none') });

const acl = `<AccessControlPolicy><Owner><ID>qcs::cam::uin/1:uin/1</ID><DisplayName>1</DisplayName></Owner><AccessControlList>
  <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>qcs::cam::uin/1:uin/1</ID><DisplayName>1</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>
  <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>
  <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>qcs::cam::uin/2:uin/2</ID><DisplayName>2</DisplayName></Grantee><Permission>WRITE</Permission></Grant>
  <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>qcs::cam::uin/3:uin/3</ID><DisplayName>3</DisplayName></Grantee><Permission>READ_ACP</Permission></Grant>
</AccessControlList></AccessControlPolicy>`;
const policy = {
  Owner: { ID: 'qcs::cam::uin/1:uin/1' },
  Grants: [{ Grantee: { ID: 'qcs::cam::uin/2:uin/2' }, Permission: 'READ' }],
};

describe('ACL', () => {
  test('putBucketAcl with headers, grants deduplicated', () => agree('putBucketAcl', { ACL: 'public-read', GrantRead: 'id="2", id="2",id="3"' }, ok));
  test('putBucketAcl with an AccessControlPolicy body', () => agree('putBucketAcl', { AccessControlPolicy: policy }, ok));
  test('getBucketAcl: grants decoded, canned ACL deduced', () =>
    agree('getBucketAcl', {}, xml(acl), (data) => {
      assert.equal(data.ACL, 'public-read');
      assert.equal(data.GrantWrite, 'id="qcs::cam::uin/2:uin/2"');
    }));
  test('getBucketAcl with x-cos-acl', () => agree('getBucketAcl', {}, { ...xml(acl), headers: { 'Content-Type': 'application/xml', 'x-cos-acl': 'private' } }));
  test('putObjectAcl', () => agree('putObjectAcl', { Key, ACL: 'private', GrantFullControl: 'id="2"' }, ok));
  test('putObjectAcl with a body', () => agree('putObjectAcl', { Key, AccessControlPolicy: { ...policy, Grants: policy.Grants[0] } }, ok));
  test('getObjectAcl (no GrantWrite), of a version', () => agree('getObjectAcl', { Key, VersionId: 'v1' }, xml(acl)));
});

describe('CORS', () => {
  const cors = `<CORSConfiguration><CORSRule><ID>a</ID><AllowedOrigin>http://a.example</AllowedOrigin><AllowedOrigin>http://b.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>60</MaxAgeSeconds><ExposeHeader>ETag</ExposeHeader></CORSRule><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod></CORSRule><ResponseVary>false</ResponseVary></CORSConfiguration>`;
  test('putBucketCors, singular and plural names', () =>
    agree(
      'putBucketCors',
      {
        CORSRules: [
          { AllowedOrigins: ['http://a.example', 'http://b.example'], AllowedMethods: ['GET', 'PUT'], AllowedHeader: '*', ExposeHeaders: ['ETag'], MaxAgeSeconds: '60' },
          { AllowedOrigin: '*', AllowedMethod: 'GET' },
        ],
        ResponseVary: 'true',
      },
      ok,
    ));
  test('putBucketCors with CORSConfiguration', () => agree('putBucketCors', { CORSConfiguration: { CORSRules: { AllowedOrigin: '*', AllowedMethod: 'GET' } } }, ok));
  test('getBucketCors: lists under plural names', () => agree('getBucketCors', {}, xml(cors)));
  test('getBucketCors not configured: no rules', () => agree('getBucketCors', {}, notFound('NoSuchCORSConfiguration')));
  test('getBucketCors of a missing bucket: an error', () => agree('getBucketCors', {}, notFound('NoSuchBucket')));
  test('deleteBucketCors', () => agree('deleteBucketCors', {}, { status: 204 }));
});

describe('lifecycle and versioning', () => {
  const rules = [
    { ID: 'archive', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transition: { Days: 30, StorageClass: 'ARCHIVE' } },
    { ID: 'expire', Status: 'Disabled', Filter: {}, Expiration: { Days: 365 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
  ];
  const lifecycle = `<LifecycleConfiguration><Rule><ID>archive</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>ARCHIVE</StorageClass></Transition></Rule></LifecycleConfiguration>`;
  test('putBucketLifecycle', () => agree('putBucketLifecycle', { Rules: rules }, ok));
  test('putBucketLifecycle with LifecycleConfiguration', () => agree('putBucketLifecycle', { LifecycleConfiguration: { Rules: rules.slice(0, 1) } }, ok));
  test('getBucketLifecycle: one rule is a list', () => agree('getBucketLifecycle', {}, xml(lifecycle)));
  test('getBucketLifecycle not configured: no rules', () => agree('getBucketLifecycle', {}, notFound('NoSuchLifecycleConfiguration')));
  test('deleteBucketLifecycle', () => agree('deleteBucketLifecycle', {}, { status: 204 }));
  test('putBucketVersioning', () => agree('putBucketVersioning', { VersioningConfiguration: { Status: 'Enabled' } }, ok));
  test('putBucketVersioning without configuration', () => agree('putBucketVersioning', {}, ok));
  test('getBucketVersioning', () => agree('getBucketVersioning', {}, xml('<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>')));
  test('getBucketVersioning never configured: {}', () => agree('getBucketVersioning', {}, xml('<VersioningConfiguration/>')));
  test('listObjectVersions', () =>
    agree(
      'listObjectVersions',
      { Prefix: 'a/', Delimiter: '/', KeyMarker: 'a/0', VersionIdMarker: 'v0', MaxKeys: 3 },
      xml(
        `<ListVersionsResult><Name>${Bucket}</Name><Prefix>a/</Prefix><KeyMarker>a/0</KeyMarker><VersionIdMarker>v0</VersionIdMarker><MaxKeys>3</MaxKeys><IsTruncated>true</IsTruncated><NextKeyMarker>a/2</NextKeyMarker><NextVersionIdMarker>v2</NextVersionIdMarker><Delimiter>/</Delimiter>` +
          `<CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes>` +
          `<Version><Key>a/1</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass><Owner><ID>1</ID></Owner></Version>` +
          `<Version><Key>a/1</Key><VersionId>v0</VersionId><IsLatest>false</IsLatest><LastModified>2023-01-01T00:00:00.000Z</LastModified><ETag>"e0"</ETag><Size>2</Size><StorageClass>STANDARD</StorageClass><Owner><ID>1</ID></Owner></Version>` +
          `<DeleteMarker><Key>a/2</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest><LastModified>2024-01-02T00:00:00.000Z</LastModified><Owner><ID>1</ID></Owner></DeleteMarker></ListVersionsResult>`,
      ),
    ));
  test('listObjectVersions, empty', () => agree('listObjectVersions', {}, xml(`<ListVersionsResult><Name>${Bucket}</Name><Prefix/><IsTruncated>false</IsTruncated></ListVersionsResult>`)));
});

describe('tagging', () => {
  const tagging = (n: number) =>
    xml(`<Tagging><TagSet>${Array.from({ length: n }, (_, i) => `<Tag><Key>k${i}</Key><Value>v${i}</Value></Tag>`).join('')}</TagSet></Tagging>`);
  test('putBucketTagging', () => agree('putBucketTagging', { Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }, ok));
  test('putBucketTagging with Tagging.TagSet', () => agree('putBucketTagging', { Tagging: { TagSet: { Key: 'a', Value: '1' } } }, ok));
  test('getBucketTagging, one tag', () => agree('getBucketTagging', {}, tagging(1)));
  test('getBucketTagging, two tags', () => agree('getBucketTagging', {}, tagging(2)));
  test('getBucketTagging none: no tags', () => agree('getBucketTagging', {}, notFound('NoSuchTagSet')));
  test('deleteBucketTagging', () => agree('deleteBucketTagging', {}, { status: 204 }));
  test('putObjectTagging of a version', () => agree('putObjectTagging', { Key, VersionId: 'v1', Tags: [{ Key: 'a', Value: '1' }] }, ok));
  test('getObjectTagging', () => agree('getObjectTagging', { Key }, tagging(2)));
  test('getObjectTagging none', () => agree('getObjectTagging', { Key }, notFound('NoSuchTagSet')));
  test('deleteObjectTagging', () => agree('deleteObjectTagging', { Key, VersionId: 'v1' }, { status: 204 }));
});

describe('restore and OPTIONS', () => {
  test('restoreObject', () => agree('restoreObject', { Key, RestoreRequest: { Days: 1, CASJobParameters: { Tier: 'Expedited' } } }, { status: 202 }));
  test('restoreObject already in progress', () =>
    agree('restoreObject', { Key, VersionId: 'v', RestoreRequest: { Days: 1, CASJobParameters: { Tier: 'Bulk' } } }, xml(errorXml('RestoreAlreadyInProgress', 'busy'), 409)));
  test('restoreObject without RestoreRequest', () => agree('restoreObject', { Key }, ok));
  test('optionsObject allowed', () =>
    agree('optionsObject', { Key, Origin: 'http://a.example', AccessControlRequestMethod: 'PUT', AccessControlRequestHeaders: 'content-type' }, {
      status: 200,
      headers: {
        'Access-Control-Allow-Origin': 'http://a.example',
        'Access-Control-Allow-Methods': 'PUT,GET',
        'Access-Control-Allow-Headers': 'content-type',
        'Access-Control-Expose-Headers': 'ETag',
        'Access-Control-Max-Age': '60',
      },
    }));
  test('optionsObject refused: OptionsForbidden', () => agree('optionsObject', { Key, Origin: 'http://evil.example', AccessControlRequestMethod: 'PUT' }, xml(errorXml('AccessDenied', 'no'), 403)));
});
