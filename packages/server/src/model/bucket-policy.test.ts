import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import type { Caller } from '../auth/authenticate.js';
import { bucketPolicyDecision, MAX_POLICY_BYTES, policyDocument, policyFromJson, type BucketPolicy } from './bucket-policy.js';

const bucket = { name: 'b-1250000000' };
const res = (key: string) => `qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/${key}`;
const parse = (doc: unknown) => policyFromJson(Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)), bucket);
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof CosError ? e.code : String(e);
  }
};
const account = (uin: string, rootUin = uin): Caller => ({ kind: 'account', account: { uin, rootUin, appid: '1250000000' }, secretId: 'AKID', scheme: 'cos' });
const anonymous: Caller = { kind: 'anonymous' };

test('policyFromJson: COS spellings in either case, normalised; round-trips through policyDocument', () => {
  const policy = parse({ Statement: [{ Principal: { qcs: ['qcs::cam::anyone:anyone'] }, Effect: 'Allow', Action: 'name/cos:GetObject', Resource: res('*'), Condition: { IP_EQUAL: { 'qcs:ip': '10.0.0.0/8' } } }] });
  assert.equal(policy.version, '2.0');
  assert.deepEqual(policy.statements[0], { effect: 'allow', principals: ['qcs::cam::anyone:anyone'], actions: ['name/cos:GetObject'], resources: [res('*')], conditions: [{ operator: 'ip_equal', key: 'qcs:ip', values: ['10.0.0.0/8'] }] });
  assert.deepEqual(parse(policyDocument(policy)), policy);
});

test('policyFromJson refuses what is not a policy of this bucket, and hostile documents, with MalformedPolicy', () => {
  const ok = { principal: { qcs: ['qcs::cam::anyone:anyone'] }, effect: 'allow', action: ['*'], resource: [res('*')] };
  for (const bad of [
    '', 'null', '"x"', '{}', '{"statement":{}}', '{"version":"1.0","statement":[]}',
    { statement: [{ ...ok, resource: ['qcs::cos:ap-guangzhou:uid/1:c-1/*'] }] },
    { statement: [{ ...ok, principal: { qcs: ['qcs::cam::uin/1:uin/x'] } }] },
    { statement: [{ ...ok, action: [] }] },
    { statement: [{ ...ok, condition: { ip_equal: { 'qcs:ip': ['1.2.3.4/33'] } } }] },
    { statement: [{ ...ok, condition: { date_less_than: { 'qcs:current_time': ['not a date'] } } }] },
    { statement: [{ ...ok, condition: { string_equal: { 'cos:prefix': [{ nested: 'object' }] } } }] },
    { statement: [{ ...ok, condition: { string_equal: { 'cos:prefix': null } } }] },
    { statement: Array.from({ length: 101 }, () => ok) },
    '{"statement":' + '['.repeat(100000) + ']'.repeat(100000) + '}',
  ]) {
    assert.equal(code(() => parse(bad)), 'MalformedPolicy', JSON.stringify(bad).slice(0, 80));
  }
  assert.ok(MAX_POLICY_BYTES <= 64 * 1024);
});

test('bucketPolicyDecision: principals, deny wins, conditions', () => {
  const policy: BucketPolicy = parse({
    statement: [
      { principal: { qcs: ['qcs::cam::uin/100:uin/101'] }, effect: 'allow', action: ['name/cos:*'], resource: [res('sub/*')] },
      { principal: { qcs: ['qcs::cam::uin/200:root'] }, effect: 'allow', action: ['name/cos:GetObject'], resource: [res('*')] },
      { principal: { qcs: ['qcs::cam::anyone:anyone'] }, effect: 'deny', action: ['name/cos:GetObject'], resource: [res('*')], condition: { ip_not_equal: { 'qcs:ip': ['127.0.0.0/8', '::1'] } } },
      { principal: { qcs: ['qcs::cam::anyone:anyone'] }, effect: 'allow', action: ['name/cos:PutObject'], resource: [res('up/*')], condition: { numeric_less_than: { 'cos:content-length': ['100'] }, string_equal: { 'cos:content-type': ['image/png'] } } },
    ],
  });
  const local = { clientIp: '127.0.0.1' };
  assert.equal(bucketPolicyDecision(policy, account('101', '100'), 'name/cos:PutObject', res('sub/a'), local), 'allow');
  assert.equal(bucketPolicyDecision(policy, account('102', '100'), 'name/cos:PutObject', res('sub/a'), local), undefined);
  assert.equal(bucketPolicyDecision(policy, account('201', '200'), 'name/cos:GetObject', res('x'), local), 'allow');
  assert.equal(bucketPolicyDecision(policy, account('201', '200'), 'name/cos:GetObject', res('x'), { clientIp: '10.1.1.1' }), 'deny');
  assert.equal(bucketPolicyDecision(policy, anonymous, 'name/cos:GetObject', res('x'), { clientIp: '::1' }), undefined);
  assert.equal(bucketPolicyDecision(policy, anonymous, 'name/cos:GetObject', res('x'), {}), 'deny', 'no address: the negated condition holds');
  const header = (values: Record<string, string>) => (name: string) => values[name];
  assert.equal(bucketPolicyDecision(policy, anonymous, 'name/cos:PutObject', res('up/a'), { ...local, header: header({ 'content-length': '99', 'content-type': 'image/png' }) }), 'allow');
  assert.equal(bucketPolicyDecision(policy, anonymous, 'name/cos:PutObject', res('up/a'), { ...local, header: header({ 'content-length': '100', 'content-type': 'image/png' }) }), undefined);
  assert.equal(bucketPolicyDecision(policy, anonymous, 'name/cos:PutObject', res('up/a'), { ...local, header: header({ 'content-length': '9', 'content-type': 'text/html' }) }), undefined);
  assert.equal(bucketPolicyDecision(undefined, anonymous, 'name/cos:GetObject', res('x'), {}), undefined);
});

test('evaluation stays linear on adversarial wildcard patterns', () => {
  const pattern = res('*a'.repeat(400) + '*b');
  const policy = parse({ statement: [{ principal: { qcs: ['qcs::cam::anyone:anyone'] }, effect: 'allow', action: ['name/cos:GetObject'], resource: [pattern] }] });
  assert.equal(bucketPolicyDecision(policy, anonymous, 'name/cos:GetObject', res('a'.repeat(800)), {}), undefined);
});
