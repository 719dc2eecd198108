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

const parser = new XMLParser({
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

/** Parses a request body; anything that is not well-formed XML is `MalformedXML` (or the given code). */
export function parseXml(text: string, malformed: 'MalformedXML' | 'MalformedACLError' = 'MalformedXML'): XmlObject {
  if (text.trim() === '' || /<!DOCTYPE/i.test(text) || XMLValidator.validate(text) !== true) {
    throw new CosError(malformed);
  }
  const parsed: unknown = parser.parse(text);
  if (parsed === null || typeof parsed !== 'object') throw new CosError(malformed);
  return parsed as XmlObject;
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
