/**
 * Malformed XML is a 4xx, never a 500, for every API that takes an XML body (hardening item 2):
 * not XML at all, DOCTYPE, nesting 100+ deep, element and attribute names such as `__proto__`,
 * `constructor` and `toString`, too many elements, bodies past each API's size limit
 * (MaxMessageLengthExceeded), and mutations of a valid document of each API (a leaf turned into an
 * element, emptied, doubled, removed; an element renamed). Sent as raw HTTP; afterwards nothing is
 * polluted and the server still serves.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bucketName, REGION, startHarness, type Harness } from '../e2e/harness.js';
import { assertCosError, md5Base64, sendToBucket } from '../e2e/raw.js';

let h: Harness;
const Bucket = bucketName('xmlcrash');
let uploadId = '';

before(async () => {
  h = await startHarness();
  await h.cos.putBucket({ Bucket, Region: REGION });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'k', Body: 'object' });
  await h.cos.putObject({ Bucket, Region: REGION, Key: 'cold', Body: 'archived', StorageClass: 'ARCHIVE' });
  const init = await sendToBucket(h, Bucket, { method: 'POST', path: '/mp?uploads' });
  uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1];
});
after(() => h.close());

interface XmlApi {
  name: string;
  method: string;
  path: () => string;
  root: string;
  /** The most bytes the API reads. */
  limit: number;
  /** A valid document (or close to one) that the mutations start from. */
  sample: string;
}

const KB = 1024;
const MB = 1024 * KB;
const OWNER = 'qcs::cam::uin/100000000001:uin/100000000001';

const APIS: XmlApi[] = [
  {
    name: 'PUT Bucket acl',
    method: 'PUT',
    path: () => '/?acl',
    root: 'AccessControlPolicy',
    limit: 64 * KB,
    sample: `<AccessControlPolicy><Owner><ID>${OWNER}</ID><DisplayName>o</DisplayName></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${OWNER}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
  },
  {
    name: 'PUT Object acl',
    method: 'PUT',
    path: () => '/k?acl',
    root: 'AccessControlPolicy',
    limit: 64 * KB,
    sample: `<AccessControlPolicy><Owner><ID>${OWNER}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
  },
  {
    name: 'PUT Bucket cors',
    method: 'PUT',
    path: () => '/?cors',
    root: 'CORSConfiguration',
    limit: 64 * KB,
    sample: '<CORSConfiguration><CORSRule><ID>r</ID><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>',
  },
  {
    name: 'PUT Bucket tagging',
    method: 'PUT',
    path: () => '/?tagging',
    root: 'Tagging',
    limit: 64 * KB,
    sample: '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>',
  },
  {
    name: 'PUT Object tagging',
    method: 'PUT',
    path: () => '/k?tagging',
    root: 'Tagging',
    limit: 64 * KB,
    sample: '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>',
  },
  {
    name: 'PUT Bucket lifecycle',
    method: 'PUT',
    path: () => '/?lifecycle',
    root: 'LifecycleConfiguration',
    limit: 2 * MB,
    sample:
      '<LifecycleConfiguration><Rule><ID>r</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>b</Value></Tag></And></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Expiration><Days>60</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration></Rule><Rule><ID>u</ID><Filter><Prefix>up/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>',
  },
  {
    name: 'PUT Bucket versioning',
    method: 'PUT',
    path: () => '/?versioning',
    root: 'VersioningConfiguration',
    limit: 64 * KB,
    sample: '<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>',
  },
  {
    name: 'POST Object restore',
    method: 'POST',
    path: () => '/cold?restore',
    root: 'RestoreRequest',
    limit: 64 * KB,
    sample: '<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Standard</Tier></CASJobParameters></RestoreRequest>',
  },
  {
    name: 'DELETE Multiple Objects',
    method: 'POST',
    path: () => '/?delete',
    root: 'Delete',
    limit: 2 * MB,
    sample: '<Delete><Quiet>true</Quiet><Object><Key>absent-1</Key></Object><Object><Key>absent-2</Key><VersionId>null</VersionId></Object></Delete>',
  },
  {
    name: 'Complete Multipart Upload',
    method: 'POST',
    path: () => `/mp?uploadId=${uploadId}`,
    root: 'CompleteMultipartUpload',
    // The ETag names no part, so no mutation can complete the upload.
    limit: 2 * MB,
    sample: '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"00000000000000000000000000000000"</ETag></Part></CompleteMultipartUpload>',
  },
  // Bucket configurations, part 2 (replication needs versioned buckets: its checks are in bucket-config2.test.ts).
  {
    name: 'PUT Bucket logging',
    method: 'PUT',
    path: () => '/?logging',
    root: 'BucketLoggingStatus',
    limit: 16 * KB,
    sample: `<BucketLoggingStatus><LoggingEnabled><TargetBucket>${Bucket}</TargetBucket><TargetPrefix>logs/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
  },
  {
    name: 'PUT Bucket inventory',
    method: 'PUT',
    path: () => '/?inventory&id=x1',
    root: 'InventoryConfiguration',
    limit: 16 * KB,
    sample: `<InventoryConfiguration><Id>x1</Id><IsEnabled>false</IsEnabled><Destination><COSBucketDestination><Format>CSV</Format><Bucket>qcs::cos:${REGION}::${Bucket}</Bucket><Prefix>inv</Prefix></COSBucketDestination></Destination><Schedule><Frequency>Weekly</Frequency></Schedule><Filter><Prefix>a</Prefix></Filter><IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>Size</Field></OptionalFields></InventoryConfiguration>`,
  },
  {
    name: 'PUT Bucket intelligenttiering',
    method: 'PUT',
    path: () => '/?intelligenttiering',
    root: 'IntelligentTieringConfiguration',
    limit: 16 * KB,
    sample: '<IntelligentTieringConfiguration><Status>Suspended</Status><Transition><Days>90</Days><RequestFrequent>1</RequestFrequent></Transition></IntelligentTieringConfiguration>',
  },
  {
    name: 'PUT Bucket origin',
    method: 'PUT',
    path: () => '/?origin',
    root: 'OriginConfiguration',
    limit: 32 * KB,
    sample: '<OriginConfiguration><OriginRule><RulePriority>1</RulePriority><OriginType>Proxy</OriginType><OriginCondition><HTTPStatusCode>404</HTTPStatusCode><Prefix>o/</Prefix></OriginCondition><OriginParameter><Protocol>HTTP</Protocol></OriginParameter><OriginInfo><HostInfo><HostName>127.0.0.1:9</HostName></HostInfo></OriginInfo></OriginRule></OriginConfiguration>',
  },
  {
    // Last: once set, a lock stays (nothing after this writes over an object).
    name: 'PUT Bucket object-lock',
    method: 'PUT',
    path: () => '/?object-lock',
    root: 'ObjectLockConfiguration',
    limit: 16 * KB,
    sample: '<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>',
  },
];

const DANGEROUS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** Documents that are broken whatever the API. */
function hostile(root: string): string[] {
  const deep = (n: number) => `<${root}>${'<a>'.repeat(n)}x${'</a>'.repeat(n)}</${root}>`;
  return [
    '',
    '   ',
    'not xml',
    `<${root}>`,
    `<${root}></Other>`,
    `<${root}/><${root}/>`,
    `<${root}>text only</${root}>`,
    deep(100),
    deep(1000),
    deep(20_000),
    `<!DOCTYPE ${root} [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><${root}>&b;</${root}>`,
    ...DANGEROUS.map((name) => `<${root}><${name}><polluted>yes</polluted></${name}></${root}>`),
    ...DANGEROUS.map((name) => `<${name}><${root}/></${name}>`),
    `<${root}><constructor><prototype><polluted>yes</polluted></prototype></constructor></${root}>`,
    `<${root} __proto__="x" constructor="y" toString="z"><a __proto__="1"/></${root}>`,
    `<${root}>${'<x/>'.repeat(60_000)}</${root}>`,
    `<${root}>&#0;&#xD800;</${root}>`,
    `<${root}><![CDATA[<${root}>]]></${root}>`,
  ];
}

/** Variants of a valid document: each leaf made an element, emptied, doubled, dropped; each element renamed. */
function mutations(sample: string): string[] {
  const out = new Set<string>();
  for (const m of sample.matchAll(/<([A-Za-z]+)>([^<]*)<\/\1>/g)) {
    const [whole, name, text] = m;
    const at = (replacement: string) => sample.slice(0, m.index) + replacement + sample.slice(m.index! + whole.length);
    out.add(at(`<${name}><x/></${name}>`));
    out.add(at(`<${name}><__proto__>1</__proto__></${name}>`));
    out.add(at(`<${name}></${name}>`));
    out.add(at(`<${name}/>`));
    out.add(at(whole + whole));
    out.add(at(`<${name}>${text}<y>z</y></${name}>`));
    out.add(at(''));
    out.add(at(`<${name}>${'9'.repeat(400)}</${name}>`));
  }
  for (const name of new Set([...sample.matchAll(/<([A-Za-z]+)[\s>]/g)].map((m) => m[1]))) {
    for (const other of ['__proto__', 'constructor', 'toString']) out.add(sample.replaceAll(`<${name}`, `<${other}`).replaceAll(`</${name}>`, `</${other}>`));
    out.add(sample.replace(new RegExp(`<${name}>[\\s\\S]*?</${name}>`), (el) => el + el));
  }
  return [...out];
}

function sendXml(api: XmlApi, body: string) {
  return sendToBucket(h, Bucket, { method: api.method, path: api.path(), headers: { 'content-md5': md5Base64(body), 'content-type': 'application/xml' }, body });
}

for (const api of APIS) {
  test(`${api.name}: malformed, hostile and mutated XML is a 4xx, never a 500`, async () => {
    // The sample itself reaches the API's own checks (so the variants do too).
    const valid = await sendXml(api, api.sample);
    if (api.root === 'CompleteMultipartUpload') assertCosError(valid, 400, 'InvalidPart');
    else assert.ok(valid.status < 300, `${api.name} takes its sample: ${valid.status} ${valid.text}`);
    for (const body of [...hostile(api.root), ...mutations(api.sample)]) {
      const res = await sendXml(api, body);
      assert.ok(res.status < 500, `${api.name} answered ${res.status} to ${body.slice(0, 200)}: ${res.text}`);
    }
    for (const depth of [100, 1000]) {
      assertCosError(await sendXml(api, `<${api.root}>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</${api.root}>`), 400, api.root === 'AccessControlPolicy' ? 'MalformedACLError' : 'MalformedXML');
    }
    for (const name of ['__proto__', 'constructor']) {
      const res = await sendXml(api, `<${api.root}><${name}><polluted>yes</polluted></${name}></${api.root}>`);
      assert.equal(res.status, 400, res.text);
    }
  });

  test(`${api.name}: a body past ${api.limit} bytes is MaxMessageLengthExceeded`, async () => {
    const body = `<${api.root}>${' '.repeat(api.limit)}</${api.root}>`;
    assertCosError(await sendXml(api, body), 400, 'MaxMessageLengthExceeded');
  });
}

test('nothing was polluted and the server still serves', async () => {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getOwnPropertyNames(Object.prototype).includes('polluted'), false);
  const res = await sendToBucket(h, Bucket, { path: '/k' });
  assert.equal(res.status, 200);
  assert.equal(res.text, 'object');
});
