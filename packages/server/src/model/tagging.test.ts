import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from '@cosbox/protocol';
import { checkTags, taggingDocument, tagsFromHeader, tagsFromXml } from './tagging.js';

const throwsCode = (fn: () => unknown, code: string) => assert.throws(fn, (e: unknown) => e instanceof CosError && e.code === code);
const doc = (tags: string) => `<Tagging><TagSet>${tags}</TagSet></Tagging>`;
const tag = (key: string, value: string) => `<Tag><Key>${key}</Key><Value>${value}</Value></Tag>`;

test('tagsFromXml: tags in document order, empty values, pretty-printed documents', () => {
  assert.deepEqual(tagsFromXml(doc(tag('b', '2') + tag('a', '') + '<Tag><Key>c</Key><Value/></Tag>')), [
    { key: 'b', value: '2' },
    { key: 'a', value: '' },
    { key: 'c', value: '' },
  ]);
  assert.deepEqual(tagsFromXml('<?xml version="1.0"?>\n<Tagging>\n  <TagSet>\n    <Tag>\n      <Key>k</Key>\n      <Value>v</Value>\n    </Tag>\n  </TagSet>\n</Tagging>'), [{ key: 'k', value: 'v' }]);
  assert.equal(tagsFromXml(doc('')), undefined, 'an empty TagSet is no tags');
  assert.equal(tagsFromXml('<Tagging><TagSet>\n</TagSet></Tagging>'), undefined);
  assert.deepEqual(tagsFromXml(doc(tag(' spaced ', ' kept '))), [{ key: ' spaced ', value: ' kept ' }], 'text is byte-exact');
  throwsCode(() => tagsFromXml(doc(tag('a &amp; b', 'x'))), 'InvalidTag'); // entities decode before the check
});

test('tagsFromXml: MalformedXML for what is not a Tagging document', () => {
  for (const text of ['', 'not xml', '<Tagging>', '<Other/>', '<Tagging/>', '<Tagging><Tag><Key>a</Key><Value>b</Value></Tag></Tagging>', doc('<Tag><Key>a</Key></Tag>'), doc('<Tag><Value>b</Value></Tag>')]) {
    throwsCode(() => tagsFromXml(text), 'MalformedXML');
  }
});

test('checkTags: at most 10, keys 1-128 and values 0-256 characters, the COS alphabet, unique keys', () => {
  const ten = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
  assert.deepEqual(checkTags(ten), ten);
  throwsCode(() => checkTags([...ten, { key: 'k10', value: '' }]), 'InvalidTag');
  assert.ok(checkTags([{ key: 'k'.repeat(128), value: 'v'.repeat(256) }]));
  throwsCode(() => checkTags([{ key: 'k'.repeat(129), value: '' }]), 'InvalidTag');
  throwsCode(() => checkTags([{ key: 'k', value: 'v'.repeat(257) }]), 'InvalidTag');
  throwsCode(() => checkTags([{ key: '', value: 'v' }]), 'InvalidTag');
  // Characters, not bytes or UTF-16 units: 128 CJK characters (384 bytes) and 256 astral digits pass.
  assert.ok(checkTags([{ key: '标'.repeat(128), value: '𝟙'.repeat(256) }]));
  assert.ok(checkTags([{ key: 'Az09 +-=._:/@', value: 'é ü 中文 ١٢٣' }]));
  for (const bad of ['a*b', 'a,b', 'a#b', 'a&b', 'a\tb', 'a\nb', 'a?b', 'emoji😀', '<x>', 'a%b']) {
    throwsCode(() => checkTags([{ key: bad, value: '' }]), 'InvalidTag');
    throwsCode(() => checkTags([{ key: 'k', value: bad }]), 'InvalidTag');
  }
  throwsCode(() => checkTags([{ key: 'a', value: '1' }, { key: 'a', value: '2' }]), 'InvalidTag');
  assert.equal(checkTags([{ key: 'a', value: '1' }, { key: 'A', value: '2' }])?.length, 2, 'keys are case-sensitive');
  assert.equal(checkTags([]), undefined);
});

test('tagsFromHeader: URL-query form, percent-escapes and + for a space, = inside values', () => {
  assert.deepEqual(tagsFromHeader('k1=v1&k2=v2'), [{ key: 'k1', value: 'v1' }, { key: 'k2', value: 'v2' }]);
  assert.deepEqual(tagsFromHeader('a%20b=c+d&e=x%3Dy&flag&z='), [
    { key: 'a b', value: 'c d' },
    { key: 'e', value: 'x=y' },
    { key: 'flag', value: '' },
    { key: 'z', value: '' },
  ]);
  assert.deepEqual(tagsFromHeader('%E4%B8%AD=%2B&&x=1'), [{ key: '中', value: '+' }, { key: 'x', value: '1' }]);
  assert.equal(tagsFromHeader(undefined), undefined);
  assert.equal(tagsFromHeader(''), undefined);
  throwsCode(() => tagsFromHeader('a=%E4'), 'InvalidTag');
  throwsCode(() => tagsFromHeader('a=1&a=2'), 'InvalidTag');
  throwsCode(() => tagsFromHeader('=v'), 'InvalidTag');
  throwsCode(() => tagsFromHeader(Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&')), 'InvalidTag');
});

test('taggingDocument: the tags in order; an empty TagSet for none', () => {
  assert.equal(
    taggingDocument([{ key: 'b', value: '1' }, { key: 'a', value: '' }]),
    '<?xml version="1.0" encoding="UTF-8"?>\n<Tagging><TagSet><Tag><Key>b</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value/></Tag></TagSet></Tagging>',
  );
  assert.equal(taggingDocument(undefined), '<?xml version="1.0" encoding="UTF-8"?>\n<Tagging><TagSet/></Tagging>');
  const tags = [{ key: 'x:y/z@w', value: 'a+b=c' }];
  assert.deepEqual(tagsFromXml(taggingDocument(tags)), tags, 'the document parses back');
});
