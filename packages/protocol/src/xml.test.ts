import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CosError } from './errors.js';
import { buildXml, parseXml, xmlChild, xmlList, xmlText } from './xml.js';

test('parseXml keeps values as exact strings and repeats as lists', () => {
  const doc = parseXml('<?xml version="1.0"?>\n<Delete>\n  <Quiet>true</Quiet>\n  <Object><Key> a&amp;b </Key></Object>\n  <Object><Key>007</Key></Object>\n</Delete>');
  const del = xmlChild(doc.Delete)!;
  assert.equal(xmlText(del.Quiet), 'true');
  assert.deepEqual(xmlList(del.Object).map((o) => xmlText(xmlChild(o)!.Key)), [' a&b ', '007']);
});

test('parseXml rejects malformed documents and DOCTYPEs', () => {
  for (const bad of ['', '<a><b></a>', 'plain text', '<!DOCTYPE x [<!ENTITY e "x">]><a>&e;</a>']) {
    assert.throws(() => parseXml(bad), (e: unknown) => e instanceof CosError && e.code === 'MalformedXML', bad);
  }
});

test('buildXml: declaration, order, escaping, repeated elements, absent members dropped', () => {
  const xml = buildXml('R', { A: 'x<&>"', B: undefined, L: [{ K: '1' }, { K: '2' }], E: '', N: 5 });
  assert.equal(xml, '<?xml version="1.0" encoding="UTF-8"?>\n<R><A>x&lt;&amp;&gt;&quot;</A><L><K>1</K></L><L><K>2</K></L><E/><N>5</N></R>');
  assert.equal(buildXml('LocationConstraint', 'ap-guangzhou'), '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint>ap-guangzhou</LocationConstraint>');
});
