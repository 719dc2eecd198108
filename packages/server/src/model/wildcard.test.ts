import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { wildcardCount, wildcardMatch } from './wildcard.js';

/** The obvious meaning of a pattern, as a regular expression: the reference for small inputs only. */
function reference(pattern: string, value: string, caseInsensitive = false): boolean {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, caseInsensitive ? 'is' : 's').test(value);
}

test('wildcardMatch: literals, stars anywhere, empty runs', () => {
  assert.ok(wildcardMatch('http://a.com', 'http://a.com'));
  assert.ok(!wildcardMatch('http://a.com', 'http://a.co'));
  assert.ok(wildcardMatch('*', ''));
  assert.ok(wildcardMatch('*', 'anything'));
  assert.ok(wildcardMatch('https://*.example.com', 'https://www.example.com'));
  assert.ok(!wildcardMatch('https://*.example.com', 'https://example.com'));
  assert.ok(wildcardMatch('a*b*c', 'abc'));
  assert.ok(wildcardMatch('a*b*c', 'aXbYbZc'));
  assert.ok(!wildcardMatch('a*b*c', 'aXbYbZ'));
  assert.ok(wildcardMatch('name/cos:*', 'name/cos:GetObject'));
  assert.ok(!wildcardMatch('name/cos:Get*', 'name/cos:PutObject'));
  assert.ok(wildcardMatch('.+?()[]', '.+?()[]'), 'regex syntax is plain text');
  assert.ok(!wildcardMatch('a.c', 'abc'));
  assert.ok(wildcardMatch('X-COS-*', 'x-cos-meta-a', { caseInsensitive: true }));
  assert.ok(!wildcardMatch('X-COS-*', 'x-cos-meta-a'));
});

test('wildcardMatch: a pattern that makes a backtracking regex explode is answered at once', () => {
  const pattern = `${'*a'.repeat(40)}*b`;
  const value = 'a'.repeat(5000);
  assert.equal(wildcardMatch(pattern, value), false);
  assert.equal(wildcardMatch(pattern, `${value}b`), true);
  // Long literal pieces that almost match everywhere: the worst case of a naive retry loop.
  const piece = `${'a'.repeat(20000)}b`;
  assert.equal(wildcardMatch(`*${piece}*`, 'a'.repeat(60000)), false);
  assert.equal(wildcardMatch(`*${piece}*${piece}`, `x${piece}y${piece}`), true);
});

test('wildcardMatch agrees with the regular expression on small random inputs', () => {
  const text = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((a) => a.join(''));
  fc.assert(
    fc.property(text(['a', 'b', '*', '.', 'A']), text(['a', 'b', '.', 'A', '*']), fc.boolean(), (pattern, value, caseInsensitive) => {
      assert.equal(wildcardMatch(pattern, value, { caseInsensitive }), reference(pattern, value, caseInsensitive));
    }),
    { numRuns: 2000 },
  );
});

test('wildcardCount', () => {
  assert.equal(wildcardCount('http://*.a.com'), 1);
  assert.equal(wildcardCount('**'), 2);
  assert.equal(wildcardCount('none'), 0);
});
