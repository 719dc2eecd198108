/**
 * `COS.util`: the helpers the official SDKs export (md5, xml2json, json2xml, encodeBase64), with
 * their semantics. json2xml and xml2json are fast-xml-parser's builder and parser with the options
 * of the official util.js (its cos-fast-xml-parser is a fork writing the same bytes), so a
 * document built here is byte for byte the one the official SDK signs the Content-MD5 of.
 */
import { md5 as md5Bytes, toBase64, toHex } from '@cosbox/protocol';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: { maxTotalExpansions: Infinity },
});
const builder = new XMLBuilder();

/** Removes the '#text' members the parser leaves beside child elements (util.js deleteTextNodes). */
function deleteTextNodes(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(deleteTextNodes);
  if (!value || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const [name, item] of Object.entries(record)) {
    if (typeof item === 'string') {
      if (name === '#text') delete record[name];
    } else deleteTextNodes(item);
  }
}

/** An XML document as the official SDK's plain object (every value a string, attributes dropped). */
export function xml2json(xml: string): Record<string, any> {
  const json = parser.parse(xml) as Record<string, any>;
  deleteTextNodes(json);
  return json;
}

/** A plain object as XML, without a declaration: arrays repeat their element. */
export function json2xml(json: object): string {
  return builder.build(json) as string;
}

const utf8 = new TextEncoder();

/** MD5 of a string (its UTF-8 bytes) or of bytes: hex, or 'base64'. */
export function md5(data: string | Uint8Array, encoding: 'hex' | 'base64' = 'hex'): string {
  const digest = md5Bytes(typeof data === 'string' ? utf8.encode(data) : data);
  return encoding === 'base64' ? toBase64(digest) : toHex(digest);
}

/** base64 of a string's UTF-8 bytes; `safe` gives the URL-safe form CI uses (- _ and no padding). */
export function encodeBase64(text: string, safe?: boolean): string {
  const base64 = toBase64(utf8.encode(text));
  return safe ? base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '') : base64;
}

export const util = { md5, xml2json, json2xml, encodeBase64 };
