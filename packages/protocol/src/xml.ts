/**
 * The one XML codec of cosbox (a thin wrapper around fast-xml-parser).
 *
 * Parsing keeps every value a string (COS documents are compared as text: ETags, keys that look like
 * numbers) and rejects DOCTYPE declarations outright, so no entity expansion can be smuggled in.
 * Building writes elements in the order of the object's keys; arrays become repeated elements and
 * `undefined` members are left out.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { CosError } from './errors.js';

export type XmlValue = string | number | boolean | undefined | null | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

/**
 * No COS document nests deeper than 7 elements (a lifecycle rule's Filter/And/Tag/Key); anything past
 * this is refused as MalformedXML before it can cost stack or time.
 */
export const MAX_XML_DEPTH = 32;
/**
 * The most elements a request body may hold: a Complete with 10,000 parts has 30,001, a 1,000-key
 * Delete about 3,000. Counted before parsing, it bounds the time one body holds the event loop.
 */
export const MAX_XML_ELEMENTS = 50_000;

export interface XmlLimits {
  maxDepth?: number;
  maxElements?: number;
}

const parser = new XMLParser({
  // fast-xml-parser refuses deeper documents itself; the error is mapped to MalformedXML below.
  maxNestedTags: MAX_XML_DEPTH,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false, // keys in bodies are byte-exact: " a " is not "a"
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  format: false,
  processEntities: true,
});

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Parses a request body; anything that is not well-formed XML is `MalformedXML` (or the given code),
 * and so is a document nested deeper than `maxDepth` or with more than `maxElements` elements. The
 * result's objects have no prototype; element names such as `__proto__` or `constructor`, which
 * fast-xml-parser refuses to build, are MalformedXML too.
 */
export function parseXml(text: string, malformed: 'MalformedXML' | 'MalformedACLError' = 'MalformedXML', limits: XmlLimits = {}): XmlObject {
  const maxElements = limits.maxElements ?? MAX_XML_ELEMENTS;
  if (text.trim() === '' || /<!DOCTYPE/i.test(text)) throw new CosError(malformed);
  if (elementCount(text, maxElements) > maxElements) throw new CosError(malformed, `The XML document has more than ${maxElements} elements.`);
  if (nestingDepth(text) > (limits.maxDepth ?? MAX_XML_DEPTH)) throw new CosError(malformed, 'The XML document is nested too deeply.');
  let parsed: unknown;
  try {
    const decoded = decodeCharacterReferences(text);
    if (XMLValidator.validate(decoded) !== true) throw new CosError(malformed);
    parsed = parser.parse(decoded);
  } catch {
    throw new CosError(malformed);
  }
  if (parsed === null || typeof parsed !== 'object') throw new CosError(malformed);
  return withoutPrototypes(parsed as XmlObject);
}

/** What a character reference to one of XML's markup characters stays: the named entity. */
const MARKUP_ENTITIES: Readonly<Record<number, string>> = { 34: '&quot;', 38: '&amp;', 39: '&apos;', 60: '&lt;', 62: '&gt;' };

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * Numeric character references (`&#34;`, `&#x22;`), which fast-xml-parser leaves as text unless
 * told to decode HTML's entities too: Go's encoding/xml writes every quote of an ETag so (rclone,
 * restic, every aws-sdk-go client). Decoded before parsing, outside CDATA sections and comments; a
 * reference to a markup character stays an entity, one to no XML character is malformed (thrown).
 */
function decodeCharacterReferences(text: string): string {
  if (!text.includes('&#')) return text;
  return text
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/&#(?:x([0-9a-fA-F]{1,8})|([0-9]{1,9}));/g, (_ref, hex: string | undefined, dec: string | undefined) => {
            const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
            if (!isXmlChar(cp)) throw new Error('a character reference to no XML character');
            return MARKUP_ENTITIES[cp] ?? String.fromCodePoint(cp);
          }),
    )
    .join('');
}

/**
 * A copy whose objects have no prototype: a lookup of an element that is absent (`doc.toString`,
 * `doc.constructor`) finds nothing instead of a function. The depth is bounded by the limits above.
 */
function withoutPrototypes<T extends XmlValue>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutPrototypes) as T;
  if (value === null || typeof value !== 'object') return value;
  const out = Object.create(null) as XmlObject;
  for (const [k, v] of Object.entries(value)) out[k] = withoutPrototypes(v);
  return out as T;
}

/** Opening tags in `text` (an upper bound of its elements), counting no further than `stop` + 1. */
function elementCount(text: string, stop: number): number {
  let count = 0;
  for (let i = text.indexOf('<'); i >= 0 && count <= stop; i = text.indexOf('<', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next !== 0x2f /* / */ && next !== 0x21 /* ! */ && next !== 0x3f /* ? */) count++;
  }
  return count;
}

/**
 * The deepest nesting of elements, by a scan of tags that needs no stack (comments, CDATA and
 * processing instructions skipped). Malformed text gives some number; the validator judges it.
 */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let i = text.indexOf('<');
  while (i >= 0) {
    if (text.startsWith('<!--', i)) i = text.indexOf('-->', i);
    else if (text.startsWith('<![CDATA[', i)) i = text.indexOf(']]>', i);
    else if (text.startsWith('<?', i) || text.startsWith('<!', i)) i = text.indexOf('>', i);
    else {
      const end = text.indexOf('>', i);
      if (end < 0) break;
      if (text.charCodeAt(i + 1) === 0x2f) depth--;
      else if (text.charCodeAt(end - 1) !== 0x2f) max = Math.max(max, ++depth);
      i = end;
    }
    if (i < 0) break;
    i = text.indexOf('<', i + 1);
  }
  return max;
}

/** Serialises `{ [root]: body }` with the XML declaration COS sends. */
export function buildXml(root: string, body: XmlObject | string): string {
  return DECLARATION + (builder.build({ [root]: clean(body) }) as string);
}

// fast-xml-parser's builder prints `undefined`/`null` members as text; drop them first.
function clean(value: XmlValue): XmlValue {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined && v !== null).map(clean);
  if (value !== null && typeof value === 'object') {
    const out: XmlObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      out[k] = clean(v);
    }
    return out;
  }
  return value;
}

/** A child that may appear once or many times, as an array. */
export function xmlList(value: XmlValue | undefined): XmlValue[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The text of a leaf element ('' for an empty element, undefined when absent). */
export function xmlText(value: XmlValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return xmlText(value[0]);
  // An element with attributes and text: fast-xml-parser puts the text under '#text'.
  const inner = value['#text'];
  return inner === undefined ? '' : xmlText(inner);
}

/** The child object of an element, or undefined when absent or a bare text node. */
export function xmlChild(value: XmlValue | undefined): XmlObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return xmlChild(value[0]);
  if (typeof value === 'object') return value;
  if (value === '') return {};
  return undefined;
}
