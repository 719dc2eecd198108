/**
 * Back-to-origin rules (`?origin`, COS's OriginConfiguration): a GET of a key the bucket does not
 * have, under a rule's prefix, is fetched from the rule's origin host, served, and (Mirror with
 * CopyOriginData) stored.
 *
 * SSRF: a rule makes the server issue requests to a host of the bucket owner's choosing, from inside
 * the server's network. The server therefore only contacts origins its operator allowed
 * (`--origin-allow`, default: loopback only); any host may be configured, but a fetch from an origin
 * not allowed is refused at request time and the GET answers NoSuchKey as without a rule.
 */
import { buildXml, CosError, xmlChild, xmlList } from '@cosbox/protocol';
import type { BucketRecord } from '../storage/metadata/store.js';
import { choice, flag, optionalText, requiredText, rootOf, wholeNumber } from './config-doc.js';

export const MAX_ORIGIN_BYTES = 32 * 1024;
export const MAX_ORIGIN_RULES = 20;

export interface OriginRule {
  priority: number;
  type: 'Mirror' | 'Proxy';
  prefix: string;
  protocol: 'HTTP' | 'HTTPS' | 'FOLLOW';
  followQueryString: boolean;
  copyOriginData: boolean;
  /** `host` or `host:port` (IPv6 in brackets). */
  hostName: string;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export function originFromXml(text: string): OriginRule[] {
  const root = rootOf(text, 'OriginConfiguration', 24 * MAX_ORIGIN_RULES + 4);
  const entries = xmlList(root.OriginRule);
  if (entries.length === 0) throw new CosError('MalformedXML', 'The configuration has no OriginRule.');
  if (entries.length > MAX_ORIGIN_RULES) throw new CosError('InvalidArgument', `At most ${MAX_ORIGIN_RULES} origin rules.`);
  const rules = entries.map((entry) => {
    const rule = xmlChild(entry);
    const host = xmlChild(xmlChild(rule?.OriginInfo)?.HostInfo);
    if (!rule || !host) throw new CosError('MalformedXML', 'Every OriginRule needs OriginInfo.HostInfo.HostName.');
    const condition = xmlChild(rule.OriginCondition) ?? {};
    const parameter = xmlChild(rule.OriginParameter) ?? {};
    const status = optionalText(condition.HTTPStatusCode, 'HTTPStatusCode', 3);
    if (status !== undefined && status !== '404') throw new CosError('InvalidArgument', 'HTTPStatusCode must be 404.');
    const hostName = requiredText(host.HostName, 'HostName', 260);
    if (!HOST.test(hostName) || (hostName.includes(':') && !/:(\d+)$/.test(hostName) && !hostName.endsWith(']'))) throw new CosError('InvalidArgument', 'HostName must be a host name or IP address with an optional port.');
    const port = /:(\d+)$/.exec(hostName.replace(/^\[.*\]/, ''))?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new CosError('InvalidArgument', 'The port must be 1-65535.');
    return {
      priority: wholeNumber(rule.RulePriority, 'RulePriority', 1, 1000),
      type: choice(rule.OriginType, 'OriginType', ['Mirror', 'Proxy'] as const),
      prefix: optionalText(condition.Prefix, 'Prefix', 850) ?? '',
      protocol: parameter.Protocol === undefined ? 'FOLLOW' : choice(parameter.Protocol, 'Protocol', ['HTTP', 'HTTPS', 'FOLLOW'] as const),
      followQueryString: flag(parameter.FollowQueryString, 'FollowQueryString', true),
      copyOriginData: flag(parameter.CopyOriginData, 'CopyOriginData', true),
      hostName,
    };
  });
  if (new Set(rules.map((r) => r.priority)).size !== rules.length) throw new CosError('InvalidArgument', 'RulePriority values must be unique.');
  return rules.sort((a, b) => a.priority - b.priority);
}

export function originDocument(rules: readonly OriginRule[]): string {
  return buildXml('OriginConfiguration', {
    OriginRule: rules.map((r) => ({
      RulePriority: r.priority,
      OriginType: r.type,
      OriginCondition: { HTTPStatusCode: 404, Prefix: r.prefix },
      OriginParameter: { Protocol: r.protocol, FollowQueryString: r.followQueryString, CopyOriginData: r.copyOriginData },
      OriginInfo: { HostInfo: { HostName: r.hostName } },
    })),
  });
}

export function originOf(bucket: BucketRecord | undefined): OriginRule[] | undefined {
  return bucket?.configs?.origin as OriginRule[] | undefined;
}

/** The first rule (by priority) whose prefix the key starts with. */
export function originRuleFor(rules: readonly OriginRule[] | undefined, key: string): OriginRule | undefined {
  return rules?.find((r) => key.startsWith(r.prefix));
}

/** The host part of a HostName, without brackets or port. */
export function hostOf(hostName: string): string {
  const bracketed = /^\[(.*)\]/.exec(hostName);
  return (bracketed ? bracketed[1] : hostName.replace(/:\d+$/, '')).toLowerCase();
}

/**
 * Whether the operator allows fetches from `hostName`: `allow` lists host names or IP addresses
 * (`*` allows any host); an empty list allows only loopback addresses.
 */
export function originAllowed(hostName: string, allow: readonly string[]): boolean {
  const host = hostOf(hostName);
  if (allow.includes('*')) return true;
  if (allow.length === 0) return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  return allow.map((a) => a.toLowerCase()).includes(host);
}
