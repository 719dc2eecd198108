/**
 * Small readers for the bucket configuration documents (logging, inventory, replication, object
 * lock, intelligent tiering, origin): each field is checked strictly, and any text with a control
 * character is refused, so nothing stored can later break a header, a log line or a CSV row.
 */
import { CosError, parseXml, xmlChild, xmlText, type XmlObject, type XmlValue } from '@cosbox/protocol';

/** The root element of a document, MalformedXML when it is another. */
export function rootOf(text: string, name: string, maxElements = 2000): XmlObject {
  const root = xmlChild(parseXml(text, 'MalformedXML', { maxElements })[name]);
  if (!root) throw new CosError('MalformedXML', `The document must be a ${name}.`);
  return root;
}

/** The trimmed text of an optional leaf; InvalidArgument for control characters or past `maxLength`. */
export function optionalText(value: XmlValue | undefined, field: string, maxLength = 1024): string | undefined {
  if (value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => k !== '#text')) {
    throw new CosError('MalformedXML', `${field} must be a text element.`);
  }
  if (Array.isArray(value) && value.length > 1) throw new CosError('MalformedXML', `${field} may appear once.`);
  const text = xmlText(value)?.trim();
  if (text === undefined) return undefined;
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new CosError('InvalidArgument', `${field} holds a control character.`);
  if (text.length > maxLength) throw new CosError('InvalidArgument', `${field} is longer than ${maxLength} characters.`);
  return text;
}

export function requiredText(value: XmlValue | undefined, field: string, maxLength = 1024): string {
  const text = optionalText(value, field, maxLength);
  if (text === undefined || text === '') throw new CosError('MalformedXML', `${field} is required.`);
  return text;
}

/** One of `allowed` (compared as written, COS's spelling); InvalidArgument otherwise. */
export function choice<T extends string>(value: XmlValue | undefined, field: string, allowed: readonly T[]): T {
  const text = requiredText(value, field, 64);
  if (!(allowed as readonly string[]).includes(text)) throw new CosError('InvalidArgument', `${field} must be one of ${allowed.join(', ')}.`);
  return text as T;
}

/** A whole number in [min, max]; InvalidArgument otherwise. */
export function wholeNumber(value: XmlValue | undefined, field: string, min: number, max: number): number {
  const text = requiredText(value, field, 16);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new CosError('InvalidArgument', `${field} must be a whole number from ${min} to ${max}.`);
  return Number(text);
}

/** `true` / `false`; InvalidArgument otherwise; `fallback` when absent. */
export function flag(value: XmlValue | undefined, field: string, fallback: boolean): boolean {
  const text = optionalText(value, field, 8);
  if (text === undefined || text === '') return fallback;
  if (text !== 'true' && text !== 'false') throw new CosError('InvalidArgument', `${field} must be true or false.`);
  return text === 'true';
}

/**
 * A bucket named as COS's configurations name one: `qcs::cos:<region>::<bucket>` (replication,
 * inventory). Returns the region and the bucket name; InvalidArgument for anything else.
 */
export function parseBucketResource(text: string, field: string): { region: string; bucket: string } {
  const match = /^qcs::cos:([a-z0-9-]{1,64})::([a-z0-9-]{1,64}-\d{1,20})$/.exec(text);
  if (!match) throw new CosError('InvalidArgument', `${field} must be qcs::cos:<region>::<bucket>-<appid>.`);
  return { region: match[1], bucket: match[2] };
}
