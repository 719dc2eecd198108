/**
 * Custom domains (`?domain`, issue 16 item 9): DomainConfiguration with DomainRule entries (Status
 * ENABLED/DISABLED, Name, Type REST/WEBSITE, ForcedReplacement CNAME/TXT). A request whose Host is an
 * ENABLED rule's Name reaches that bucket, and its static website when the Type is WEBSITE.
 *
 * Finding the bucket of a host must be cheap (it runs for requests whose Host names no bucket): an
 * in-process index, host -> bucket, built once from the metadata store and kept current by the
 * PUT/DELETE handlers of this process. A hit is checked against the bucket's stored configuration
 * (one indexed read), so an entry left by a bucket deleted since is ignored, never followed.
 */
import { buildXml, CosError, parseXml, xmlChild, xmlList, xmlText, type XmlValue } from '@cosbox/protocol';
import type { BucketRecord, MetadataStore } from '../storage/metadata/store.js';

export const MAX_DOMAIN_BYTES = 64 * 1024;
const MAX_RULES = 20;
const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

export interface DomainRule {
  status: 'ENABLED' | 'DISABLED';
  name: string;
  type: 'REST' | 'WEBSITE';
  forcedReplacement?: 'CNAME' | 'TXT';
}

const text = (v: XmlValue | undefined) => (xmlText(v) ?? '').trim();

export function domainsFromXml(body: string): DomainRule[] {
  const config = xmlChild(parseXml(body).DomainConfiguration);
  if (!config) throw new CosError('MalformedXML');
  const rules = xmlList(config.DomainRule).map((entry): DomainRule => {
    const rule = xmlChild(entry);
    if (!rule) throw new CosError('MalformedXML', 'A DomainRule must hold Status, Name and Type.');
    const status = text(rule.Status);
    const name = text(rule.Name).toLowerCase();
    const type = text(rule.Type);
    const forced = text(rule.ForcedReplacement);
    if (status !== 'ENABLED' && status !== 'DISABLED') throw new CosError('InvalidArgument', 'Status must be ENABLED or DISABLED.');
    if (!HOST.test(name)) throw new CosError('InvalidArgument', `Not a domain name: ${JSON.stringify(name.slice(0, 100))}.`);
    if (type !== 'REST' && type !== 'WEBSITE') throw new CosError('InvalidArgument', 'Type must be REST or WEBSITE.');
    if (forced !== '' && forced !== 'CNAME' && forced !== 'TXT') throw new CosError('InvalidArgument', 'ForcedReplacement must be CNAME or TXT.');
    return { status, name, type, forcedReplacement: forced === '' ? undefined : forced };
  });
  if (rules.length === 0) throw new CosError('MalformedXML', 'The configuration has no DomainRule.');
  if (rules.length > MAX_RULES) throw new CosError('InvalidArgument', `At most ${MAX_RULES} domain rules.`);
  if (new Set(rules.map((r) => r.name)).size !== rules.length) throw new CosError('InvalidArgument', 'A domain is named twice.');
  return rules;
}

export function domainDocument(rules: readonly DomainRule[]): string {
  return buildXml('DomainConfiguration', {
    DomainRule: rules.map((r) => ({ Status: r.status, Name: r.name, Type: r.type, ForcedReplacement: r.forcedReplacement })),
  });
}

export function domainsOf(bucket: BucketRecord | undefined): DomainRule[] | undefined {
  return bucket?.configs?.domain as DomainRule[] | undefined;
}

/** What a bound host addresses: the bucket and whether as its website. */
export interface BoundDomain {
  bucket: string;
  website: boolean;
}

/**
 * host -> bucket name, per metadata store (one per server), built again when the store's bucket
 * epoch moved (a bucket changed in another worker process).
 */
const indexes = new WeakMap<MetadataStore, { epoch: number | undefined; index: Promise<Map<string, string>> }>();

async function buildIndex(meta: MetadataStore): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  for (const account of await meta.listAccounts()) {
    if (account.uin !== account.rootUin) continue;
    for (const bucket of await meta.listBuckets(account.uin)) {
      for (const rule of domainsOf(bucket) ?? []) index.set(rule.name, bucket.name);
    }
  }
  return index;
}

function indexOf(meta: MetadataStore): Promise<Map<string, string>> {
  // Another gateway may bind a domain at any time: a shared store's index is built for each use.
  if (meta.shared) return buildIndex(meta);
  const epoch = meta.bucketEpoch?.();
  const known = indexes.get(meta);
  if (known && known.epoch === epoch) return known.index;
  const index = buildIndex(meta);
  // A failed build is retried by the next request rather than remembered.
  index.catch(() => indexes.delete(meta));
  indexes.set(meta, { epoch, index });
  return index;
}

/** The bucket an ENABLED custom domain is bound to, if `host` (no port, lower case) is one. */
export async function boundDomain(meta: MetadataStore, host: string): Promise<BoundDomain | undefined> {
  const name = (await indexOf(meta)).get(host);
  if (name === undefined) return undefined;
  const rule = domainsOf(await meta.getBucket(name))?.find((r) => r.name === host);
  return rule?.status === 'ENABLED' ? { bucket: name, website: rule.type === 'WEBSITE' } : undefined;
}

/**
 * Binds `rules` to `bucket` (replacing its previous ones): DomainConflict when another bucket holds
 * one of the names.
 */
export async function bindDomains(meta: MetadataStore, bucket: string, rules: readonly DomainRule[] | undefined): Promise<void> {
  const index = await indexOf(meta);
  for (const rule of rules ?? []) {
    const holder = index.get(rule.name);
    if (holder !== undefined && holder !== bucket && domainsOf(await meta.getBucket(holder))?.some((r) => r.name === rule.name)) {
      throw new CosError('DomainConflict', `The domain ${rule.name} is bound to another bucket.`);
    }
  }
  await meta.setBucketConfig(bucket, 'domain', rules);
  for (const [host, holder] of index) if (holder === bucket) index.delete(host);
  for (const rule of rules ?? []) index.set(rule.name, bucket);
}
