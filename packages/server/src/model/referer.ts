/**
 * Referer protection (`?referer`, issue 16 item 4): COS's hotlink protection. The RefererConfiguration
 * document (Status Enabled/Disabled, RefererType White-List/Black-List, DomainList of domains with
 * `*` wildcards, EmptyReferConfiguration Allow/Deny), and the check authorize.ts makes.
 *
 * Which requests: the reads a web page embeds (GET and HEAD Object), whoever signs them. COS checks
 * the Referer whatever the signature, since the point is a page on another site embedding a
 * (pre-signed or public) URL; SDKs and the CLI send no Referer, which EmptyReferConfiguration Allow
 * (the default) lets through.
 */
import { buildXml, CosError, parseXml, xmlChild, xmlList, xmlText, type OperationName } from '@cosbox/protocol';
import type { BucketRecord } from '../storage/metadata/store.js';
import { wildcardCount, wildcardMatch } from './wildcard.js';

export const MAX_REFERER_BYTES = 64 * 1024;
const MAX_DOMAINS = 1000;

export interface RefererConfig {
  enabled: boolean;
  type: 'White-List' | 'Black-List';
  domains: string[];
  allowEmpty: boolean;
}

/** The operations the Referer is checked for. */
export const REFERER_CHECKED: ReadonlySet<OperationName> = new Set(['GetObject', 'HeadObject']);

const text = (v: unknown) => (xmlText(v as never) ?? '').trim();

export function refererFromXml(body: string): RefererConfig {
  const config = xmlChild(parseXml(body).RefererConfiguration);
  if (!config) throw new CosError('MalformedXML');
  const status = text(config.Status);
  if (status !== 'Enabled' && status !== 'Disabled') throw new CosError('InvalidArgument', 'Status must be Enabled or Disabled.');
  const type = text(config.RefererType);
  if (type !== 'White-List' && type !== 'Black-List') throw new CosError('InvalidArgument', 'RefererType must be White-List or Black-List.');
  const list = config.DomainList === undefined ? undefined : xmlChild(config.DomainList);
  if (config.DomainList !== undefined && !list) throw new CosError('MalformedXML', 'DomainList must hold Domain elements.');
  const domains = list ? xmlList(list.Domain).map(text) : [];
  if (status === 'Enabled' && domains.length === 0) throw new CosError('InvalidArgument', 'An enabled configuration needs at least one Domain.');
  if (domains.length > MAX_DOMAINS) throw new CosError('InvalidArgument', `At most ${MAX_DOMAINS} domains.`);
  for (const d of domains) {
    if (d === '' || d.length > 255 || !/^[A-Za-z0-9.*:\-_]+$/.test(d.replace(/^https?:\/\//i, '')) || wildcardCount(d) > 4) {
      throw new CosError('InvalidArgument', `Not a domain: ${JSON.stringify(d.slice(0, 100))}.`);
    }
  }
  const empty = config.EmptyReferConfiguration === undefined ? 'Allow' : text(config.EmptyReferConfiguration);
  if (empty !== 'Allow' && empty !== 'Deny') throw new CosError('InvalidArgument', 'EmptyReferConfiguration must be Allow or Deny.');
  return { enabled: status === 'Enabled', type, domains, allowEmpty: empty === 'Allow' };
}

export function refererDocument(c: RefererConfig): string {
  return buildXml('RefererConfiguration', {
    Status: c.enabled ? 'Enabled' : 'Disabled',
    RefererType: c.type,
    DomainList: { Domain: c.domains },
    EmptyReferConfiguration: c.allowEmpty ? 'Allow' : 'Deny',
  });
}

export function refererOf(bucket: BucketRecord | undefined): RefererConfig | undefined {
  return bucket?.configs?.referer as RefererConfig | undefined;
}

/** The `host` and `host:port` of a Referer URL, lower-cased; undefined when it is no URL. */
function refererHosts(referer: string): string[] | undefined {
  try {
    const url = new URL(referer);
    return url.port ? [url.hostname, url.host] : [url.hostname];
  } catch {
    return undefined;
  }
}

/** AccessDenied when the bucket's referer configuration refuses a request with this Referer. */
export function checkReferer(config: RefererConfig | undefined, op: OperationName, referer: string | undefined): void {
  if (!config?.enabled || !REFERER_CHECKED.has(op)) return;
  if (referer === undefined || referer.trim() === '') {
    if (config.allowEmpty) return;
    throw new CosError('AccessDenied', 'Access denied by the bucket referer configuration: the request has no Referer.');
  }
  const hosts = refererHosts(referer.trim());
  const listed = !!hosts && config.domains.some((d) => {
    const pattern = d.replace(/^https?:\/\//i, '');
    return hosts.some((h) => wildcardMatch(pattern, h, { caseInsensitive: true }));
  });
  if (listed !== (config.type === 'White-List')) throw new CosError('AccessDenied', 'Access denied by the bucket referer configuration.');
}
