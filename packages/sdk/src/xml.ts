/**
 * Response and request bodies through @cosbox/protocol's XML codec, shaped as the official SDK
 * shapes them: every value a string, attributes dropped (its parser ignores them), a repeated
 * element an array and a single one an object, until a method's result turns the known lists into
 * arrays (`asList`).
 */
import { parseXml, type XmlValue } from '@cosbox/protocol';

export type Json = string | JsonObject | Json[];
export interface JsonObject {
  [name: string]: Json;
}

/**
 * Parses a response body. COS may send whitespace before the XML of a long Complete Multipart
 * Upload (it keeps the connection alive that way), so leading whitespace is skipped. A body that is
 * not XML (empty, or from a proxy) yields {}.
 */
export function parseResponseXml(text: string): JsonObject {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('<')) return {};
  try {
    return withoutAttributes(parseXml(trimmed)) as JsonObject;
  } catch {
    return {};
  }
}

function withoutAttributes(value: XmlValue): Json {
  if (Array.isArray(value)) return value.map(withoutAttributes);
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  const out: JsonObject = {};
  let text: Json | undefined;
  for (const [name, child] of Object.entries(value)) {
    if (name.startsWith('@')) continue;
    if (name === '#text') text = withoutAttributes(child);
    else out[name] = withoutAttributes(child);
  }
  // An element with attributes and only text is its text; with attributes and nothing else, ''.
  if (Object.keys(out).length === 0) return text ?? '';
  return out;
}

/** A list the official SDK always returns as an array: absent or empty -> [], one -> [one]. */
export function asList<T = Json>(value: Json | undefined): T[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** A child element as an object ({} when absent or empty). */
export function child(doc: JsonObject, name: string): JsonObject {
  const value = doc[name];
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}
