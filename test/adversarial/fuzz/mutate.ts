/**
 * Mutations of valid XML and JSON documents: deep nesting, `__proto__` / `constructor` element names,
 * huge and truncated documents, entities, and plain byte damage. Each mutation is a plain record
 * (so fast-check can shrink and print it) applied by `applyXml` / `applyJson`.
 */
import fc from 'fast-check';
import { anyText, decodedValue } from './generators.js';

const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'then'];

const ENTITY_PROLOGUES = [
  // internal entity used in text
  '<!DOCTYPE d [<!ENTITY e "entity text">]>',
  // billion laughs, kept small on the client side: the server must refuse or bound it
  '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>',
  // external entity
  '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  // parameter entity
  '<!DOCTYPE d [<!ENTITY % p "<!ENTITY e \'x\'>"> %p;]>',
  // an entity whose value is markup
  '<!DOCTYPE d [<!ENTITY e "<Status>Enabled</Status>">]>',
  '<!DOCTYPE d SYSTEM "http://127.0.0.1:1/dtd">',
];

const REFERENCES = ['&e;', '&nope;', '&#0;', '&#x110000;', '&#xD800;', '&#99999999999999;', '&#x;', '&amp', '&lt;&gt;', '&#60;x&#62;', '&;'];

export type XmlMutation =
  | { kind: 'nest'; at: number; depth: number; name: string }
  | { kind: 'proto'; at: number; name: string; how: 'rename' | 'child' | 'sibling' | 'attribute' }
  | { kind: 'repeat'; at: number; times: number }
  | { kind: 'hugeText'; at: number; length: number; char: string }
  | { kind: 'truncate'; fraction: number }
  | { kind: 'entity'; prologue: number; at: number; reference: string }
  | { kind: 'text'; at: number; value: string; escape: boolean }
  | { kind: 'splice'; fraction: number; remove: number; insert: string }
  | { kind: 'wrap'; at: number; what: 'cdata' | 'comment' | 'pi' | 'namespace' | 'emptied' | 'selfClosed' }
  | { kind: 'prefix'; text: string };

export const xmlMutation: fc.Arbitrary<XmlMutation> = fc.oneof(
  fc.record({ kind: fc.constant('nest' as const), at: fc.nat(20), depth: fc.constantFrom(10, 100, 1000, 5000, 9000, 60000), name: fc.constantFrom('a', 'Rule', 'Object', 'Tag', '__proto__') }),
  fc.record({ kind: fc.constant('proto' as const), at: fc.nat(20), name: fc.constantFrom(...PROTO_NAMES), how: fc.constantFrom('rename' as const, 'child' as const, 'sibling' as const, 'attribute' as const) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(20), times: fc.constantFrom(2, 11, 101, 1001, 10001) }),
  fc.record({ kind: fc.constant('hugeText' as const), at: fc.nat(20), length: fc.constantFrom(300, 70_000, 1_100_000), char: fc.constantFrom('x', '日', '9', ' ') }),
  fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('entity' as const), prologue: fc.nat(ENTITY_PROLOGUES.length), at: fc.nat(20), reference: fc.constantFrom(...REFERENCES) }),
  fc.record({ kind: fc.constant('text' as const), at: fc.nat(20), value: decodedValue, escape: fc.boolean() }),
  fc.record({ kind: fc.constant('splice' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }), remove: fc.nat(8), insert: fc.oneof(anyText, fc.constantFrom('<', '>', '</', '/>', '<!--', ']]>', '<?', '"', '&', '\0', '\uFFFE')) }),
  fc.record({ kind: fc.constant('wrap' as const), at: fc.nat(20), what: fc.constantFrom('cdata' as const, 'comment' as const, 'pi' as const, 'namespace' as const, 'emptied' as const, 'selfClosed' as const) }),
  fc.record({ kind: fc.constant('prefix' as const), text: fc.constantFrom('\uFEFF', '<?xml version="1.0" encoding="UTF-16"?>', '<?xml version="1.1"?>', '<?xml version="1.0"?><?xml version="1.0"?>', '   \n', '<!-- c -->', '{"json":true}', '<', '') }),
);

interface Element {
  name: string;
  /** Offsets of the open tag and of the end of the matching close tag. */
  open: number;
  openEnd: number;
  close: number;
  end: number;
}

/** The elements of a document, in document order (a good-enough scan: no nesting of one name in itself). */
function elements(doc: string): Element[] {
  const out: Element[] = [];
  const re = /<([A-Za-z_][\w.:-]*)(\s[^>]*)?>/g;
  for (let m = re.exec(doc); m; m = re.exec(doc)) {
    const close = doc.indexOf(`</${m[1]}>`, re.lastIndex);
    if (close < 0) continue;
    out.push({ name: m[1], open: m.index, openEnd: re.lastIndex, close, end: close + m[1].length + 3 });
  }
  return out;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Mutations stop growing a document here: past the largest body any API reads, size adds nothing. */
const MAX_DOCUMENT = 5 * 1024 * 1024;

export function applyXml(doc: string, m: XmlMutation): string {
  const els = elements(doc);
  const el = els.length > 0 && 'at' in m ? els[m.at % els.length] : undefined;
  const inner = el ? doc.slice(el.openEnd, el.close) : '';
  const replaceInner = (text: string) => (el ? doc.slice(0, el.openEnd) + text + doc.slice(el.close) : doc);
  switch (m.kind) {
    case 'nest':
      return replaceInner(`<${m.name}>`.repeat(m.depth) + inner + `</${m.name}>`.repeat(m.depth));
    case 'proto':
      if (!el) return doc;
      if (m.how === 'rename') return doc.slice(0, el.open) + `<${m.name}>${inner}</${m.name}>` + doc.slice(el.end);
      if (m.how === 'child') return replaceInner(`<${m.name}><${el.name}>1</${el.name}><polluted>yes</polluted></${m.name}>` + inner);
      if (m.how === 'sibling') return doc.slice(0, el.end) + `<${m.name}>${inner}</${m.name}>` + doc.slice(el.end);
      return doc.slice(0, el.openEnd - 1) + ` ${m.name}="x" ${m.name}="y"` + doc.slice(el.openEnd - 1);
    case 'repeat': {
      if (!el) return doc;
      const element = doc.slice(el.open, el.end);
      const times = Math.min(m.times - 1, Math.floor(MAX_DOCUMENT / Math.max(1, element.length)));
      return doc.slice(0, el.end) + element.repeat(times) + doc.slice(el.end);
    }
    case 'hugeText':
      return replaceInner(m.char.repeat(Math.max(0, Math.min(m.length, MAX_DOCUMENT - doc.length))));
    case 'truncate':
      return doc.slice(0, Math.floor(doc.length * m.fraction));
    case 'entity': {
      const prologue = ENTITY_PROLOGUES[m.prologue] ?? '';
      const body = el ? doc.slice(0, el.openEnd) + m.reference + doc.slice(el.close) : doc + m.reference;
      return body.startsWith('<?xml') ? body.replace(/\?>/, `?>${prologue}`) : prologue + body;
    }
    case 'text':
      return replaceInner(m.escape ? escapeXml(m.value) : m.value);
    case 'splice': {
      const at = Math.floor(doc.length * m.fraction);
      return doc.slice(0, at) + m.insert + doc.slice(at + m.remove);
    }
    case 'wrap':
      if (!el) return doc;
      if (m.what === 'cdata') return replaceInner(`<![CDATA[${inner}]]>`);
      if (m.what === 'comment') return doc.slice(0, el.open) + `<!--${doc.slice(el.open, el.end)}-->` + doc.slice(el.end);
      if (m.what === 'pi') return replaceInner(`<?pi ${inner}?>`);
      if (m.what === 'namespace') return doc.slice(0, el.open) + `<x:${el.name} xmlns:x="urn:x">${inner}</x:${el.name}>` + doc.slice(el.end);
      if (m.what === 'emptied') return replaceInner('');
      return doc.slice(0, el.open) + `<${el.name}/>` + doc.slice(el.end);
    case 'prefix':
      return m.text + doc;
  }
}

export type JsonMutation =
  | { kind: 'replace'; path: string[]; value: unknown }
  | { kind: 'nest'; depth: number; array: boolean }
  | { kind: 'proto'; path: string[]; name: string }
  | { kind: 'policyText'; text: string }
  | { kind: 'truncate'; fraction: number }
  | { kind: 'splice'; fraction: number; insert: string }
  | { kind: 'huge'; length: number };

const JSON_PATHS = [[], ['DurationSeconds'], ['Policy'], ['Policy', 'version'], ['Policy', 'statement'], ['Policy', 'statement', '0'], ['Policy', 'statement', '0', 'effect'], ['Policy', 'statement', '0', 'action'], ['Policy', 'statement', '0', 'resource'], ['Policy', 'statement', '0', 'action', '0'], ['Policy', 'statement', '0', 'resource', '0'], ['Policy', 'statement', '0', 'condition']];

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...JSON_PATHS), value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), decodedValue, fc.constantFrom(-1, 0, 1e308, -1e308, 129601, 36 * 3600, 1.5, '1800', null, true, [], {})) }),
  fc.record({ kind: fc.constant('nest' as const), depth: fc.constantFrom(10, 1000, 10000, 30000), array: fc.boolean() }),
  fc.record({ kind: fc.constant('proto' as const), path: fc.constantFrom(...JSON_PATHS), name: fc.constantFrom(...PROTO_NAMES) }),
  fc.record({ kind: fc.constant('policyText' as const), text: fc.oneof(decodedValue, fc.constantFrom('{', '[]', 'null', '{"statement":{}}', '{"__proto__":{"statement":[]}}', '"x"')) }),
  fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('splice' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }), insert: fc.oneof(anyText, fc.constantFrom('{', '}', '[', ']', '"', ',', '\\u0000', '\\ud800', '\0')) }),
  fc.record({ kind: fc.constant('huge' as const), length: fc.constantFrom(1000, 70_000) }),
);

function setAt(root: Record<string, unknown>, path: string[], set: (parent: Record<string, unknown>, key: string) => void): void {
  let node: unknown = root;
  for (const step of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[step];
  }
  if (node !== null && typeof node === 'object') set(node as Record<string, unknown>, path[path.length - 1]);
}

/** A mutated JSON body, as text. */
export function applyJson(doc: string, m: JsonMutation): string {
  switch (m.kind) {
    case 'replace': {
      if (m.path.length === 0) return JSON.stringify(m.value) ?? 'undefined';
      const parsed = JSON.parse(doc) as Record<string, unknown>;
      setAt(parsed, m.path, (parent, key) => (parent[key] = m.value));
      return JSON.stringify(parsed);
    }
    case 'nest': {
      const [open, close] = m.array ? ['[', ']'] : ['{"a":', '}'];
      return doc.replace(/"DurationSeconds":\d+/, `"DurationSeconds":${open.repeat(m.depth)}1${close.repeat(m.depth)}`);
    }
    case 'proto': {
      // Written as text: JSON.stringify would not keep a `__proto__` own key from an object literal.
      const name = JSON.stringify(m.name);
      const key = m.path[m.path.length - 1];
      if (!key || /^\d+$/.test(key)) return doc.replace(/^\{/, `{${name}:{"statement":[{"effect":"allow","action":["*"],"resource":["*"]}]},`);
      return doc.replace(`"${key}":`, `${name}:{"effect":"allow","action":["*"],"resource":["*"]},"${key}":`);
    }
    case 'policyText': {
      const parsed = JSON.parse(doc) as Record<string, unknown>;
      parsed.Policy = m.text;
      return JSON.stringify(parsed);
    }
    case 'truncate':
      return doc.slice(0, Math.floor(doc.length * m.fraction));
    case 'splice': {
      const at = Math.floor(doc.length * m.fraction);
      return doc.slice(0, at) + m.insert + doc.slice(at);
    }
    case 'huge':
      return doc.replace('"name/cos:GetObject"', Array.from({ length: m.length / 20 }, () => '"name/cos:GetObject"').join(','));
  }
}
