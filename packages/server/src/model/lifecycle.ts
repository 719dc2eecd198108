/**
 * Bucket lifecycle (FEATURES §1.14, C287-C300): the LifecycleConfiguration document, its validation,
 * and pure decisions of what a rule set does to one object version or one multipart upload at some
 * instant. No I/O here: the worker (workers/lifecycle.ts) scans and carries the decisions out.
 *
 * Days count as S3 counts them: N days after the object's last modification (or after it became
 * noncurrent, or after the upload began), rounded up to the next midnight UTC; on a server with a
 * time scale, days are shorter (model/clock.ts). A Date applies from that instant on.
 */
import { buildXml, CosError, parseXml, STORAGE_CLASSES, utf8Length, xmlList, xmlText, type XmlObject, type XmlValue } from '@cosbox/protocol';
import type { LifecycleFilter, LifecycleRule, Tag } from '../storage/metadata/store.js';
import { afterDays } from './clock.js';
import { TAG_ALPHABET } from './tagging.js';

export type { LifecycleRule };

/** At most this many rules per bucket (S3's and COS's limit). */
export const MAX_LIFECYCLE_RULES = 1000;
/** Rule IDs are at most 255 characters (C289). */
export const MAX_RULE_ID_LENGTH = 255;
/** A configuration of 1000 long rules fits in this. */
export const MAX_LIFECYCLE_BYTES = 2 * 1024 * 1024;

/** The classes a Transition or NoncurrentVersionTransition may move objects to (never back to STANDARD). */
export const TRANSITION_CLASSES = ['STANDARD_IA', 'MAZ_STANDARD_IA', 'INTELLIGENT_TIERING', 'MAZ_INTELLIGENT_TIERING', 'ARCHIVE', 'DEEP_ARCHIVE'] as const;

/**
 * How cold a storage class is: objects only ever move to a colder class (S3's waterfall), so a rule
 * to STANDARD_IA leaves an ARCHIVE object alone.
 */
export function coldness(storageClass: string): number {
  switch (storageClass) {
    case 'ARCHIVE':
      return 2;
    case 'DEEP_ARCHIVE':
      return 3;
    case 'STANDARD':
    case 'MAZ_STANDARD':
      return 0;
    default:
      return 1; // the infrequent-access and intelligent-tiering classes
  }
}

// ---------------------------------------------------------------------------------------------
// The document

const RULE_ELEMENTS = new Set([
  'ID', 'Filter', 'Status', 'Transition', 'Expiration', 'AbortIncompleteMultipartUpload', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransition',
]);

/** An element's children; a whitespace-only or empty element is an empty object; text is not an element. */
function element(value: XmlValue | undefined): XmlObject | undefined {
  if (Array.isArray(value)) return element(value[0]);
  if (typeof value === 'string') return value.trim() === '' ? {} : undefined;
  if (value !== null && typeof value === 'object') return value;
  return undefined;
}

/** Exactly one child element of this name, or none; MalformedXML when it repeats or holds text. */
function single(parent: XmlObject, name: string, where: string): XmlObject | undefined {
  const value = parent[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new CosError('MalformedXML', `${where} has more than one ${name}.`);
  const child = element(value);
  if (!child) throw new CosError('MalformedXML', `${where}.${name} must be an element, not text.`);
  return child;
}

function text(parent: XmlObject, name: string, where: string): string | undefined {
  const value = parent[name];
  if (Array.isArray(value)) throw new CosError('MalformedXML', `${where} has more than one ${name}.`);
  return xmlText(value)?.trim();
}

function days(value: string | undefined, where: string, min: 0 | 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new CosError('InvalidArgument', `${where} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer number of days, not "${value}".`);
  }
  return Number(value);
}

/** `YYYY-MM-DD` or midnight of that day in ISO 8601 (`T00:00:00[.000](Z|±hh:mm)`), as S3 and COS require. */
const MIDNIGHT = /^\d{4}-\d{2}-\d{2}(T00:00:00(\.0+)?(Z|[+-]\d{2}:\d{2}))?$/;
/** Any ISO 8601 instant to the second (or a whole fraction of one). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.0+)?(Z|[+-]\d{2}:\d{2})$/;
/** China Standard Time, COS's home: UTC+08:00. */
const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/**
 * A rule's Date must be a midnight: written as one in its own offset (`2030-01-01T00:00:00+08:00`,
 * `...T00:00:00.000Z`), or an instant that is midnight in China however it is written, as COS accepts
 * and the official JS SDKs' tests send (`2018-07-29T16:00:00.000Z`).
 */
function isMidnight(value: string): boolean {
  const at = Date.parse(value);
  if (Number.isNaN(at)) return false;
  return MIDNIGHT.test(value) || (INSTANT.test(value) && (at + CHINA_OFFSET_MS) % DAY_MS === 0);
}

function date(value: string | undefined, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isMidnight(value)) {
    throw new CosError('InvalidArgument', `${where} must be a date at midnight in ISO 8601, like 2030-01-01T00:00:00.000Z or 2030-01-01T00:00:00+08:00, not "${value}".`);
  }
  return value;
}

function transitionClass(value: string | undefined, where: string): string {
  if (value === undefined || value === '') throw new CosError('MalformedXML', `${where} needs a StorageClass.`);
  const upper = value.toUpperCase();
  if (!(TRANSITION_CLASSES as readonly string[]).includes(upper)) {
    const known = (STORAGE_CLASSES as readonly string[]).includes(upper) ? `objects do not transition to ${upper}` : `${value} is not a storage class`;
    throw new CosError('InvalidArgument', `${where}.StorageClass: ${known}; use one of ${TRANSITION_CLASSES.join(', ')}.`);
  }
  return upper;
}

function filterTag(entry: XmlValue, where: string): Tag {
  const tag = element(entry);
  const key = tag && xmlText(tag.Key);
  const value = tag && xmlText(tag.Value);
  if (key === undefined || value === undefined) throw new CosError('MalformedXML', `Every ${where}.Tag needs a Key and a Value.`);
  if (key === '' || utf8Length(key) > 128) throw new CosError('InvalidArgument', `A lifecycle filter tag key has 1 to 128 bytes: "${key}".`);
  if (key.toLowerCase().startsWith('cos:')) throw new CosError('InvalidArgument', `A lifecycle filter tag key must not start with "cos:": "${key}".`);
  if (utf8Length(value) > 256) throw new CosError('InvalidArgument', `A lifecycle filter tag value has at most 256 bytes (key "${key}").`);
  if (!TAG_ALPHABET.test(key) || !TAG_ALPHABET.test(value)) {
    throw new CosError('InvalidArgument', `Lifecycle filter tags hold only letters, digits, spaces and + - = . _ : / @ (key "${key}").`);
  }
  return { key, value };
}

/** `<Filter>`: at most one Prefix and any Tags, directly (one of them) or combined in `<And>` (C291). */
function parseFilter(filter: XmlObject, where: string): LifecycleFilter {
  const prefixOf = (parent: XmlObject, at: string) => {
    const value = parent.Prefix;
    if (Array.isArray(value)) throw new CosError('MalformedXML', `${at} has more than one Prefix.`);
    return value === undefined ? undefined : (xmlText(value) ?? '');
  };
  const and = single(filter, 'And', `${where}.Filter`);
  const prefix = prefixOf(filter, `${where}.Filter`);
  const tags = xmlList(filter.Tag).map((t) => filterTag(t, `${where}.Filter`));
  if (and) {
    if (prefix !== undefined || tags.length > 0) throw new CosError('MalformedXML', `${where}.Filter holds And besides Prefix or Tag; put them all inside And.`);
    const andTags = xmlList(and.Tag).map((t) => filterTag(t, `${where}.Filter.And`));
    const result = { prefix: prefixOf(and, `${where}.Filter.And`), tags: andTags };
    if (result.prefix === undefined && andTags.length === 0) throw new CosError('MalformedXML', `${where}.Filter.And is empty.`);
    checkUniqueTagKeys(andTags, where);
    return result;
  }
  if (prefix !== undefined && tags.length > 0) throw new CosError('MalformedXML', `${where}.Filter holds both Prefix and Tag; combine them in And.`);
  if (tags.length > 1) throw new CosError('MalformedXML', `${where}.Filter holds several Tags; combine them in And.`);
  return { prefix, tags };
}

function checkUniqueTagKeys(tags: readonly Tag[], where: string): void {
  const keys = new Set<string>();
  for (const t of tags) {
    if (keys.has(t.key)) throw new CosError('InvalidArgument', `${where}.Filter names the tag key "${t.key}" twice.`);
    keys.add(t.key);
  }
}

function parseRule(entry: XmlValue, index: number): LifecycleRule {
  const rule = element(entry);
  const where = `Rule ${index + 1}`;
  if (!rule) throw new CosError('MalformedXML', `${where} is not an element.`);
  // COS ignores elements it does not know inside a rule (it accepts the JS SDK's misspelt
  // `<Transation>`); so does cosbox. What it knows it still checks in full.
  const unknown = Object.keys(rule).filter((name) => !RULE_ELEMENTS.has(name) && name !== '#text');
  const id = text(rule, 'ID', where);
  if (id !== undefined && id.length > MAX_RULE_ID_LENGTH) throw new CosError('InvalidArgument', `A rule ID has at most ${MAX_RULE_ID_LENGTH} characters.`);
  const status = text(rule, 'Status', where);
  if (status !== 'Enabled' && status !== 'Disabled') throw new CosError('MalformedXML', `${where} needs a Status of Enabled or Disabled${status === undefined ? '' : `, not "${status}"`}.`);
  const filterElement = single(rule, 'Filter', where);
  if (!filterElement) throw new CosError('MalformedXML', `${where} needs a Filter (an empty <Filter/> applies to every object).`);
  const filter = parseFilter(filterElement, where);

  const transitions = xmlList(rule.Transition).map((t) => {
    const at = `${where}.Transition`;
    const tr = element(t);
    if (!tr) throw new CosError('MalformedXML', `${at} must be an element.`);
    const d = days(text(tr, 'Days', at), `${at}.Days`, 0);
    const when = date(text(tr, 'Date', at), `${at}.Date`);
    if ((d === undefined) === (when === undefined)) throw new CosError('InvalidRequest', `${at} needs exactly one of Days and Date.`);
    return { ...(d !== undefined ? { days: d } : { date: when }), storageClass: transitionClass(text(tr, 'StorageClass', at), at) };
  });

  let expiration: LifecycleRule['expiration'];
  const exp = single(rule, 'Expiration', where);
  if (exp) {
    const at = `${where}.Expiration`;
    const d = days(text(exp, 'Days', at), `${at}.Days`, 1);
    const when = date(text(exp, 'Date', at), `${at}.Date`);
    const marker = text(exp, 'ExpiredObjectDeleteMarker', at);
    if (marker !== undefined && marker !== 'true' && marker !== 'false') throw new CosError('MalformedXML', `${at}.ExpiredObjectDeleteMarker must be true or false.`);
    const given = [d !== undefined, when !== undefined, marker !== undefined].filter(Boolean).length;
    if (given !== 1) throw new CosError('InvalidRequest', `${at} needs exactly one of Days, Date and ExpiredObjectDeleteMarker.`);
    if (marker !== undefined && filter.tags.length > 0) throw new CosError('InvalidRequest', `${at}.ExpiredObjectDeleteMarker cannot be used with a tag filter (delete markers have no tags).`);
    expiration = d !== undefined ? { days: d } : when !== undefined ? { date: when } : { expiredObjectDeleteMarker: marker === 'true' };
  }

  const noncurrentVersionTransitions = xmlList(rule.NoncurrentVersionTransition).map((t) => {
    const at = `${where}.NoncurrentVersionTransition`;
    const tr = element(t);
    if (!tr) throw new CosError('MalformedXML', `${at} must be an element.`);
    const d = days(text(tr, 'NoncurrentDays', at), `${at}.NoncurrentDays`, 0);
    if (d === undefined) throw new CosError('MalformedXML', `${at} needs NoncurrentDays.`);
    return { noncurrentDays: d, storageClass: transitionClass(text(tr, 'StorageClass', at), at) };
  });

  let noncurrentVersionExpiration: LifecycleRule['noncurrentVersionExpiration'];
  const nve = single(rule, 'NoncurrentVersionExpiration', where);
  if (nve) {
    const at = `${where}.NoncurrentVersionExpiration`;
    const d = days(text(nve, 'NoncurrentDays', at), `${at}.NoncurrentDays`, 1);
    if (d === undefined) throw new CosError('MalformedXML', `${at} needs NoncurrentDays.`);
    noncurrentVersionExpiration = { noncurrentDays: d };
  }

  let abortIncompleteMultipartUpload: LifecycleRule['abortIncompleteMultipartUpload'];
  const abort = single(rule, 'AbortIncompleteMultipartUpload', where);
  if (abort) {
    const at = `${where}.AbortIncompleteMultipartUpload`;
    const d = days(text(abort, 'DaysAfterInitiation', at), `${at}.DaysAfterInitiation`, 1);
    if (d === undefined) throw new CosError('MalformedXML', `${at} needs DaysAfterInitiation.`);
    if (filter.tags.length > 0) throw new CosError('InvalidRequest', `${at} cannot be used with a tag filter (uploads are matched by prefix only).`);
    abortIncompleteMultipartUpload = { daysAfterInitiation: d };
  }

  const result: LifecycleRule = {
    ...(id !== undefined && id !== '' ? { id } : {}),
    status,
    filter,
    transitions,
    ...(expiration ? { expiration } : {}),
    noncurrentVersionTransitions,
    ...(noncurrentVersionExpiration ? { noncurrentVersionExpiration } : {}),
    ...(abortIncompleteMultipartUpload ? { abortIncompleteMultipartUpload } : {}),
  };
  // A rule of unknown elements only may hold an action of COS's that cosbox does not know: accepted
  // (and inert), as COS accepts it. A rule with nothing besides its ID, Filter and Status is refused.
  if (actionTypes(result).length === 0 && unknown.length === 0) throw new CosError('InvalidRequest', `${where} has no action: give Transition, Expiration, NoncurrentVersionTransition, NoncurrentVersionExpiration or AbortIncompleteMultipartUpload.`);
  checkOrder(result, where);
  return result;
}

/** An object must not expire before (or when) it would transition; likewise noncurrent versions. */
function checkOrder(rule: LifecycleRule, where: string): void {
  const exp = rule.expiration;
  for (const t of rule.transitions) {
    if (exp?.days !== undefined && t.days !== undefined && exp.days <= t.days) {
      throw new CosError('InvalidArgument', `${where}: Expiration Days (${exp.days}) must be greater than Transition Days (${t.days}).`);
    }
    if (exp?.date !== undefined && t.date !== undefined && Date.parse(exp.date) <= Date.parse(t.date)) {
      throw new CosError('InvalidArgument', `${where}: the Expiration Date must be later than the Transition Date.`);
    }
  }
  const nve = rule.noncurrentVersionExpiration;
  for (const t of rule.noncurrentVersionTransitions) {
    if (nve && nve.noncurrentDays <= t.noncurrentDays) {
      throw new CosError('InvalidArgument', `${where}: NoncurrentVersionExpiration NoncurrentDays must be greater than NoncurrentVersionTransition NoncurrentDays.`);
    }
  }
}

type ActionType = 'Transition' | 'Expiration' | 'NoncurrentVersionTransition' | 'NoncurrentVersionExpiration' | 'AbortIncompleteMultipartUpload';

function actionTypes(rule: LifecycleRule): ActionType[] {
  const types: ActionType[] = [];
  if (rule.transitions.length > 0) types.push('Transition');
  if (rule.expiration) types.push('Expiration');
  if (rule.noncurrentVersionTransitions.length > 0) types.push('NoncurrentVersionTransition');
  if (rule.noncurrentVersionExpiration) types.push('NoncurrentVersionExpiration');
  if (rule.abortIncompleteMultipartUpload) types.push('AbortIncompleteMultipartUpload');
  return types;
}

/**
 * Two prefix-only rules whose prefixes overlap (one starts with the other) may not both take the
 * same kind of action: which one wins would be a guess. This is the "Conflict lifecycle rule" of
 * 004 (C290), as S3 defined it for prefix rules. Rules with tag filters are not compared.
 */
function checkConflicts(rules: readonly LifecycleRule[]): void {
  const prefixRules = rules.filter((r) => r.filter.tags.length === 0).map((r) => ({ prefix: r.filter.prefix ?? '', types: actionTypes(r) }));
  for (let i = 0; i < prefixRules.length; i++) {
    for (let j = i + 1; j < prefixRules.length; j++) {
      const a = prefixRules[i].prefix;
      const b = prefixRules[j].prefix;
      if (!a.startsWith(b) && !b.startsWith(a)) continue;
      const shared = prefixRules[i].types.find((t) => prefixRules[j].types.includes(t));
      if (shared) {
        throw new CosError('InvalidRequest', `Conflict lifecycle rule: the prefixes "${a}" and "${b}" overlap for the same action type ${shared}.`);
      }
    }
  }
}

/** A LifecycleConfiguration document (PUT Bucket lifecycle): MalformedXML, InvalidArgument, InvalidRequest. */
export function lifecycleFromXml(xml: string): LifecycleRule[] {
  const config = element(parseXml(xml).LifecycleConfiguration);
  if (!config) throw new CosError('MalformedXML', 'The body must be a LifecycleConfiguration document.');
  const entries = xmlList(config.Rule);
  if (entries.length === 0) throw new CosError('MalformedXML', 'The LifecycleConfiguration has no Rule.');
  if (entries.length > MAX_LIFECYCLE_RULES) throw new CosError('InvalidArgument', `A bucket has at most ${MAX_LIFECYCLE_RULES} lifecycle rules; ${entries.length} were given.`);
  const rules = entries.map(parseRule);
  const ids = new Set<string>();
  for (const r of rules) {
    if (r.id === undefined) continue;
    if (ids.has(r.id)) throw new CosError('InvalidArgument', `Rule ID must be unique. Found same ID for more than one rule: "${r.id}".`);
    ids.add(r.id);
  }
  checkConflicts(rules);
  return rules;
}

function filterXml(filter: LifecycleFilter): XmlObject | string {
  const tags = filter.tags.map((t) => ({ Key: t.key, Value: t.value }));
  if (tags.length === 0) return filter.prefix === undefined ? '' : { Prefix: filter.prefix };
  if (filter.prefix === undefined && tags.length === 1) return { Tag: tags[0] };
  return { And: { Prefix: filter.prefix, Tag: tags } };
}

/** The document GET Bucket lifecycle answers: the rules as they were put, elements in 004's order. */
export function lifecycleDocument(rules: readonly LifecycleRule[]): string {
  return buildXml('LifecycleConfiguration', {
    Rule: rules.map((r) => ({
      ID: r.id,
      Filter: filterXml(r.filter),
      Status: r.status,
      Transition: r.transitions.map((t) => ({ Days: t.days, Date: t.date, StorageClass: t.storageClass })),
      Expiration: r.expiration && {
        Days: r.expiration.days,
        Date: r.expiration.date,
        ExpiredObjectDeleteMarker: r.expiration.expiredObjectDeleteMarker === undefined ? undefined : String(r.expiration.expiredObjectDeleteMarker),
      },
      AbortIncompleteMultipartUpload: r.abortIncompleteMultipartUpload && { DaysAfterInitiation: r.abortIncompleteMultipartUpload.daysAfterInitiation },
      NoncurrentVersionExpiration: r.noncurrentVersionExpiration && { NoncurrentDays: r.noncurrentVersionExpiration.noncurrentDays },
      NoncurrentVersionTransition: r.noncurrentVersionTransitions.map((t) => ({ NoncurrentDays: t.noncurrentDays, StorageClass: t.storageClass })),
    })),
  });
}

// ---------------------------------------------------------------------------------------------
// Decisions

/** One version of a key as the rules see it (an unversioned bucket's objects are all latest). */
export interface VersionDescription {
  key: string;
  tags: readonly Tag[];
  storageClass: string;
  lastModified: number;
  isLatest: boolean;
  isDeleteMarker: boolean;
  /** When the version stopped being current (noncurrent versions); lastModified stands in when absent. */
  noncurrentSince?: number;
  /** How many versions of the key there are besides this one: a delete marker with none left is "expired". */
  otherVersionsCount: number;
}

export type VersionAction =
  | { kind: 'none' }
  /** Change the version's storage class (Transition, NoncurrentVersionTransition). */
  | { kind: 'transition'; storageClass: string; ruleId?: string }
  /**
   * Expire the current object (Expiration): delete it; in a versioning-enabled bucket a delete
   * marker is added instead and the object becomes a noncurrent version.
   */
  | { kind: 'expire'; ruleId?: string }
  /** Remove a noncurrent version (or noncurrent delete marker) for good (NoncurrentVersionExpiration). */
  | { kind: 'delete-version'; ruleId?: string }
  /** Remove a current delete marker that no other version is left behind (ExpiredObjectDeleteMarker). */
  | { kind: 'remove-delete-marker'; ruleId?: string };

const NONE: VersionAction = { kind: 'none' };

/** Whether a rule's filter selects this key with these tags (every filter tag present with its value). */
export function ruleMatches(filter: LifecycleFilter, key: string, tags: readonly Tag[]): boolean {
  if (filter.prefix !== undefined && !key.startsWith(filter.prefix)) return false;
  return filter.tags.every((want) => tags.some((t) => t.key === want.key && t.value === want.value));
}

/** Whether an action counted in days from `from`, or set for `date`, is due at `now`. */
function due(now: number, from: number, spec: { days?: number; date?: string }, timeScale: number): boolean {
  if (spec.days !== undefined) return now >= afterDays(from, spec.days, timeScale);
  if (spec.date !== undefined) return now >= Date.parse(spec.date);
  return false;
}

/** The coldest due transition colder than the version's class (S3 picks the cheapest class). */
function transitionTo(candidates: ReadonlyArray<{ storageClass: string; ruleId?: string }>, current: string): VersionAction {
  let best: { storageClass: string; ruleId?: string } | undefined;
  for (const c of candidates) {
    if (coldness(c.storageClass) <= coldness(current)) continue;
    if (!best || coldness(c.storageClass) > coldness(best.storageClass)) best = c;
  }
  return best ? { kind: 'transition', storageClass: best.storageClass, ...(best.ruleId !== undefined ? { ruleId: best.ruleId } : {}) } : NONE;
}

const withRule = <K extends VersionAction['kind']>(kind: K, rule: LifecycleRule) => ({ kind, ...(rule.id !== undefined ? { ruleId: rule.id } : {}) }) as VersionAction;

/**
 * What the enabled rules do to one version at `now` (C297-C300). Removal beats transition, as in S3.
 * Delete markers carry no tags, so tag-filtered rules never touch them.
 */
export function decideVersion(rules: readonly LifecycleRule[], version: VersionDescription, now: number, timeScale = 1): VersionAction {
  const applicable = rules.filter((r) => r.status === 'Enabled' && ruleMatches(r.filter, version.key, version.isDeleteMarker ? [] : version.tags));
  if (version.isLatest && version.isDeleteMarker) {
    if (version.otherVersionsCount > 0) return NONE;
    // A delete marker with nothing behind it goes with ExpiredObjectDeleteMarker, and, as S3 does,
    // with an Expiration in Days once it is that old.
    const rule = applicable.find((r) => r.expiration?.expiredObjectDeleteMarker === true || (r.expiration?.days !== undefined && due(now, version.lastModified, r.expiration, timeScale)));
    return rule ? withRule('remove-delete-marker', rule) : NONE;
  }
  if (version.isLatest) {
    const expiring = applicable.find((r) => r.expiration && due(now, version.lastModified, r.expiration, timeScale));
    if (expiring) return withRule('expire', expiring);
    const candidates = applicable.flatMap((r) => r.transitions.filter((t) => due(now, version.lastModified, t, timeScale)).map((t) => ({ storageClass: t.storageClass, ruleId: r.id })));
    return transitionTo(candidates, version.storageClass);
  }
  const since = version.noncurrentSince ?? version.lastModified;
  const removing = applicable.find((r) => r.noncurrentVersionExpiration && due(now, since, { days: r.noncurrentVersionExpiration.noncurrentDays }, timeScale));
  if (removing) return withRule('delete-version', removing);
  if (version.isDeleteMarker) return NONE;
  const candidates = applicable.flatMap((r) =>
    r.noncurrentVersionTransitions.filter((t) => due(now, since, { days: t.noncurrentDays }, timeScale)).map((t) => ({ storageClass: t.storageClass, ruleId: r.id })),
  );
  return transitionTo(candidates, version.storageClass);
}

/** Whether an incomplete multipart upload of `key` begun at `initiated` is to be aborted at `now` (C299). */
export function decideUploadAbort(rules: readonly LifecycleRule[], upload: { key: string; initiated: number }, now: number, timeScale = 1): boolean {
  return rules.some(
    (r) =>
      r.status === 'Enabled' &&
      r.abortIncompleteMultipartUpload !== undefined &&
      r.filter.tags.length === 0 &&
      ruleMatches(r.filter, upload.key, []) &&
      due(now, upload.initiated, { days: r.abortIncompleteMultipartUpload.daysAfterInitiation }, timeScale),
  );
}
