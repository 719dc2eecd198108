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

const malformed = (text: string, limits?: Parameters<typeof parseXml>[2]) =>
  assert.throws(() => parseXml(text, 'MalformedXML', limits), (e: unknown) => e instanceof CosError && e.code === 'MalformedXML');

test('parseXml refuses documents nested deeper than the limit, however deep, as MalformedXML', () => {
  const deep = (n: number) => `<R>${'<a>'.repeat(n)}x${'</a>'.repeat(n)}</R>`;
  assert.ok(parseXml(deep(30)).R);
  for (const n of [32, 100, 100_000]) malformed(deep(n));
  malformed(deep(5), { maxDepth: 4 });
  // Self-closing elements, comments and CDATA do not nest.
  assert.ok(parseXml(`<R>${'<a/>'.repeat(100)}<!-- <b><b><b> --><![CDATA[<c><c>]]></R>`).R);
});

test('parseXml refuses more elements than the limit before parsing them', () => {
  assert.ok(parseXml(`<R>${'<a>1</a>'.repeat(100)}</R>`, 'MalformedXML', { maxElements: 101 }).R);
  malformed(`<R>${'<a>1</a>'.repeat(101)}</R>`, { maxElements: 101 });
  malformed(`<R>${'<a/>'.repeat(60_000)}</R>`);
});

test('element names that could reach a prototype are MalformedXML; the objects built have no prototype', () => {
  for (const name of ['__proto__', 'constructor', 'prototype']) {
    malformed(`<R><${name}><polluted>1</polluted></${name}></R>`);
    malformed(`<${name}><R/></${name}>`);
  }
  const doc = parseXml('<R><Key>k</Key><toString>t</toString></R>');
  const r = xmlChild(doc.R)!;
  // No Object.prototype anywhere in the chain.
  for (const o of [doc, r]) assert.equal(o instanceof Object, false);
  assert.equal(xmlText(r.Key), 'k');
  // An element named toString cannot shadow anything: it is renamed, and absent names are undefined.
  assert.equal(typeof r.toString, 'undefined');
  assert.equal(r.hasOwnProperty, undefined);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('the ACL dialect keeps its own code for the new limits', () => {
  assert.throws(() => parseXml(`<R>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</R>`, 'MalformedACLError'), (e: unknown) => e instanceof CosError && e.code === 'MalformedACLError');
});

test('numeric character references are decoded (Go clients write ETag quotes as &#34;); markup stays markup', () => {
  const doc = parseXml('<P><ETag>&#34;abc&#x22;</ETag><K>a&#38;lt;b &#60;c&#62; &#x4E2D;</K><C><![CDATA[&#34;]]></C></P>');
  const p = xmlChild(doc.P);
  assert.equal(xmlText(p?.ETag), '"abc"');
  assert.equal(xmlText(p?.K), 'a&lt;b <c> 中');
  assert.equal(xmlText(p?.C), '&#34;');
  assert.throws(() => parseXml('<P>&#0;</P>'), (e: unknown) => e instanceof CosError && e.code === 'MalformedXML');
  assert.throws(() => parseXml('<P>&#x110000;</P>'), (e: unknown) => e instanceof CosError && e.code === 'MalformedXML');
});
