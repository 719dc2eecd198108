/**
 * Object tags. The seeds describe none (FEATURES §1.17), so the rules are real COS's: at most 10 tags
 * per object, keys of 1-128 and values of 0-256 characters drawn from letters, digits, spaces and
 * `+ - = . _ : / @`, keys unique. Tags arrive as a `Tagging` document (PUT Object tagging) or as the
 * `x-cos-tagging` header / form field of the writes, and keep the order they were given in.
 */
import { buildXml, CosError, parseXml, xmlChild, xmlList, xmlText, type XmlValue } from '@cosbox/protocol';
import type { ObjectRecord, Tag } from '../storage/metadata/store.js';
import type { Services } from '../services.js';

export type { Tag };

export const MAX_TAGS = 10;
/** A bucket takes more tags than an object (COS's limit for buckets). */
export const MAX_BUCKET_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
/** A Tagging document this big holds ten of the longest tags several times over. */
export const MAX_TAGGING_BYTES = 64 * 1024;

/** Letters and digits of any script (COS takes UTF-8 tags), spaces and + - = . _ : / @. */
export const TAG_ALPHABET = /^[\p{L}\p{N} +\-=._:/@]*$/u;

/** Length in characters (code points), as COS counts it, not in UTF-16 units. */
const characters = (text: string) => [...text].length;

/** Checks COS's limits (InvalidTag); an empty set is no tags (undefined). */
export function checkTags(tags: readonly Tag[], maxTags = MAX_TAGS): Tag[] | undefined {
  if (tags.length > maxTags) throw new CosError('InvalidTag', `${maxTags === MAX_TAGS ? 'An object' : 'A bucket'} has at most ${maxTags} tags; ${tags.length} were given.`);
  const keys = new Set<string>();
  for (const { key, value } of tags) {
    if (characters(key) < 1 || characters(key) > MAX_TAG_KEY_LENGTH) throw new CosError('InvalidTag', `A tag key has 1 to ${MAX_TAG_KEY_LENGTH} characters.`);
    if (characters(value) > MAX_TAG_VALUE_LENGTH) throw new CosError('InvalidTag', `A tag value has at most ${MAX_TAG_VALUE_LENGTH} characters.`);
    if (!TAG_ALPHABET.test(key) || !TAG_ALPHABET.test(value)) {
      throw new CosError('InvalidTag', 'Tags hold only letters, digits, spaces and + - = . _ : / @.');
    }
    if (keys.has(key)) throw new CosError('InvalidTag', `The tag key ${key} is given more than once.`);
    keys.add(key);
  }
  return tags.length > 0 ? [...tags] : undefined;
}

/** An element that holds only whitespace (a pretty-printed `<TagSet>\n</TagSet>`) is empty. */
function element(value: XmlValue | undefined) {
  return typeof value === 'string' && value.trim() === '' ? {} : xmlChild(value);
}

/** `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>`: MalformedXML, InvalidTag. */
export function tagsFromXml(text: string, maxTags = MAX_TAGS): Tag[] | undefined {
  const tagging = element(parseXml(text).Tagging);
  const tagSet = tagging && element(tagging.TagSet);
  if (!tagSet) throw new CosError('MalformedXML', 'The body must be a Tagging document with a TagSet.');
  const tags = xmlList(tagSet.Tag).map((entry) => {
    const tag = element(entry);
    const key = xmlText(tag?.Key);
    const value = xmlText(tag?.Value);
    if (key === undefined || value === undefined) throw new CosError('MalformedXML', 'Every Tag needs a Key and a Value.');
    return { key, value };
  });
  return checkTags(tags, maxTags);
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new CosError('InvalidTag', 'x-cos-tagging is not correctly URL-encoded.');
  }
}

/**
 * `x-cos-tagging: k1=v1&k2=v2`, encoded as a URL query string (percent-escapes, `+` for a space); a
 * pair without `=` is a tag with an empty value. Absent or empty: no tags.
 */
export function tagsFromHeader(value: string | undefined): Tag[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const tags = value
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? { key: decodeComponent(pair), value: '' } : { key: decodeComponent(pair.slice(0, eq)), value: decodeComponent(pair.slice(eq + 1)) };
    });
  return checkTags(tags);
}

/** The Tagging document GET Object tagging answers (an empty TagSet when there are none). */
export function taggingDocument(tags: readonly Tag[] | undefined): string {
  return buildXml('Tagging', { TagSet: { Tag: (tags ?? []).map((t) => ({ Key: t.key, Value: t.value })) } });
}

/**
 * Replaces the tags of an object, or of one version of it (undefined removes them); NoSuchKey when
 * there is no object, NoSuchVersion when there is no such version.
 */
export async function setObjectTags(services: Services, bucket: string, key: string, tags: Tag[] | undefined, versionId?: string): Promise<ObjectRecord> {
  const { object } = await services.meta.updateObject(
    bucket,
    key,
    (current) => {
      if (!current) throw new CosError('NoSuchKey');
      return { ...current, tags };
    },
    versionId,
  );
  return object;
}
