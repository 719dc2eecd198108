/**
 * The rest of COS's bucket configuration: policy, website, referer, domain, origin, logging,
 * inventory, accelerate, encryption, replication. Requests and results follow cos-nodejs-sdk-v5
 * base.js one by one, bodies built with the official json2xml (util.ts) so that the signed
 * Content-MD5 is the same; the quirks of its results are kept (they are what callers read).
 */
import { method, statusOnly, withStatus, type GeneralResult } from '../api.js';
import type { Headers } from '../auth.js';
import { paramError, type CosSdkError } from '../errors.js';
import type { Response } from '../request.js';
import { platform } from '../transport.js';
import { json2xml } from '../util.js';
import { asList, child, type Json, type JsonObject } from '../xml.js';
import type { BucketParams } from './bucket.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PutBucketPolicyParams extends BucketParams {
  /** The policy document, as an object or its JSON text. */
  Policy: Doc | string;
}
export interface GetBucketPolicyResult extends GeneralResult {
  Policy: Doc;
}
export interface PutBucketWebsiteParams extends BucketParams {
  WebsiteConfiguration: Doc;
}
export interface GetBucketWebsiteResult extends GeneralResult {
  WebsiteConfiguration: Doc;
}
export interface PutBucketRefererParams extends BucketParams {
  RefererConfiguration: Doc;
}
export interface GetBucketRefererResult extends GeneralResult {
  RefererConfiguration?: Doc;
  /** What the official SDK answers (sic) for a bucket without referer configuration. */
  WebsiteConfiguration?: Doc;
}
export interface PutBucketDomainParams extends BucketParams {
  DomainRule?: Doc[] | Doc;
  DomainConfiguration?: { DomainRule?: Doc[] | Doc };
}
export interface GetBucketDomainResult extends GeneralResult {
  DomainRule: Doc[];
}
export interface PutBucketOriginParams extends BucketParams {
  OriginRule?: Doc[] | Doc;
  OriginConfiguration?: { OriginRule?: Doc[] | Doc };
}
export interface GetBucketOriginResult extends GeneralResult {
  OriginRule: Doc[];
}
export interface PutBucketLoggingParams extends BucketParams {
  BucketLoggingStatus?: Doc | '';
}
export interface GetBucketLoggingResult extends GeneralResult {
  BucketLoggingStatus?: Json;
}
export interface InventoryIdParams extends BucketParams {
  Id: string;
}
export interface PutBucketInventoryParams extends InventoryIdParams {
  InventoryConfiguration: Doc;
}
export interface GetBucketInventoryResult extends GeneralResult {
  InventoryConfiguration: Doc;
}
export interface ListBucketInventoryParams extends BucketParams {
  ContinuationToken?: string;
}
export interface ListBucketInventoryResult extends GeneralResult {
  InventoryConfigurations: Doc[];
  IsTruncated?: string;
  ContinuationToken?: string;
  NextContinuationToken?: string;
}
export interface PutBucketAccelerateParams extends BucketParams {
  AccelerateConfiguration: { Status: 'Enabled' | 'Suspended'; Type?: string };
}
export interface GetBucketAccelerateResult extends GeneralResult {
  AccelerateConfiguration: Doc;
}
export interface PutBucketEncryptionParams extends BucketParams {
  ServerSideEncryptionConfiguration: { Rule?: Doc[] | Doc; Rules?: Doc[] | Doc };
}
export interface GetBucketEncryptionResult extends GeneralResult {
  EncryptionConfiguration: { Rules: Doc[] };
  ServerSideEncryptionConfiguration?: Doc;
}
export interface PutBucketReplicationParams extends BucketParams {
  ReplicationConfiguration: Doc;
}
export interface GetBucketReplicationResult extends GeneralResult {
  ReplicationConfiguration: Doc;
}

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
const listOf = <T>(value: T[] | T | undefined | null): T[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/** A body as the official SDK sends it: Content-Type and the Content-MD5 of the exact bytes. */
function withBody(type: string, body: (p: any) => string) {  // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    body,
    headers: (p: unknown, headers: Headers) => {
      headers['Content-Type'] = type;
      headers['Content-MD5'] = platform().crypto.md5Base64(body(p));
    },
  };
}
const xmlBody = (build: (p: any) => object) => withBody('application/xml', (p) => json2xml(build(p))); // eslint-disable-line @typescript-eslint/no-explicit-any

/** A "not configured" 404 the official SDK answers as data: `{ ...empty, statusCode: 404, headers }`. */
function emptyWhen<R>(matches: (err: CosSdkError) => boolean, empty: () => R) {
  return (err: CosSdkError): (R & GeneralResult) | undefined =>
    err.statusCode === 404 && matches(err) ? { ...empty(), statusCode: 404, ...(err.headers ? { headers: err.headers } : {}) } : undefined;
}
const errorCode = (code: string) => (err: CosSdkError) => err.error?.Code === code;

/** OptionalFields.Field as a list and SSE-COS as SSECOS, as the official results give an inventory. */
function inventoryResult(conf: Doc | undefined): Doc {
  if (!conf || typeof conf !== 'object') return conf as unknown as Doc;
  if (conf.OptionalFields?.Field) conf.OptionalFields = listOf(conf.OptionalFields.Field);
  const encryption = conf.Destination?.COSBucketDestination?.Encryption;
  if (encryption && typeof encryption === 'object' && 'SSE-COS' in encryption) {
    encryption.SSECOS = encryption['SSE-COS'];
    delete encryption['SSE-COS'];
  }
  return conf;
}

function policyText(p: PutBucketPolicyParams): string {
  let policy = p.Policy;
  try {
    if (typeof policy === 'string') policy = JSON.parse(policy) as Doc;
  } catch {
    // left a string: refused below
  }
  if (!policy || typeof policy === 'string') throw paramError('Policy format error');
  return JSON.stringify(policy);
}

/** The ErrorStatus the official getBucketPolicy adds, and its own words for a missing policy. */
function policyError(err: CosSdkError): CosSdkError {
  const status = { 403: 'Access Denied', 405: 'Method Not Allowed', 404: 'Policy Not Found' }[err.statusCode ?? 0];
  if (!status) return err;
  if (err.statusCode === 404 && (err.error?.Code === 'NoSuchPolicy' || err.error?.Code === 'NoSuchPolicyVersion')) {
    err.code = '404';
    err.message = 'Policy Not found';
    Object.assign(err.error!, { code: '404', message: 'Policy Not found', statusCode: err.statusCode, headers: err.headers, url: err.url, method: err.method, ErrorStatus: status });
  }
  err.ErrorStatus = status;
  return err;
}

const inventoryMethod = (verb: 'PUT' | 'POST', cam: string) =>
  method<PutBucketInventoryParams, GeneralResult>({
    cam,
    method: verb,
    target: 'bucket',
    action: 'inventory',
    query: (p) => ({ id: p.Id }),
    check: (p) => {
      if (!p.InventoryConfiguration) throw paramError('missing param InventoryConfiguration');
    },
    ...xmlBody((p: PutBucketInventoryParams) => {
      const conf = clone(p.InventoryConfiguration);
      if (conf.OptionalFields) conf.OptionalFields = { Field: conf.OptionalFields || [] };
      const encryption = conf.Destination?.COSBucketDestination?.Encryption;
      if (encryption && 'SSECOS' in encryption) {
        encryption['SSE-COS'] = encryption.SSECOS;
        delete encryption.SSECOS;
      }
      return { InventoryConfiguration: conf };
    }),
    result: statusOnly,
  });

const deleteMethod = (cam: string, action: string) => method<BucketParams, GeneralResult>({ cam, method: 'DELETE', target: 'bucket', action, result: statusOnly });

export const bucketConfigMethods = {
  putBucketPolicy: method<PutBucketPolicyParams, GeneralResult>({
    cam: 'PutBucketPolicy',
    method: 'PUT',
    target: 'bucket',
    action: 'policy',
    check: (p) => void policyText(p),
    ...withBody('application/json', policyText),
    result: statusOnly,
  }),
  getBucketPolicy: method<BucketParams, GetBucketPolicyResult>({
    cam: 'GetBucketPolicy',
    method: 'GET',
    target: 'bucket',
    action: 'policy',
    rawBody: true,
    result: (res) => {
      let Policy: Doc = {};
      try {
        Policy = JSON.parse(new TextDecoder().decode(res.body ?? new Uint8Array())) as Doc;
      } catch {
        // the official SDK answers {} for a body that is not JSON
      }
      return { Policy, statusCode: res.statusCode, headers: res.headers };
    },
    mapError: policyError,
  }),
  deleteBucketPolicy: deleteMethod('DeleteBucketPolicy', 'policy'),

  putBucketWebsite: method<PutBucketWebsiteParams, GeneralResult>({
    cam: 'PutBucketWebsite',
    method: 'PUT',
    target: 'bucket',
    action: 'website',
    check: (p) => {
      if (!p.WebsiteConfiguration) throw paramError('missing param WebsiteConfiguration');
    },
    ...xmlBody((p: PutBucketWebsiteParams) => {
      const conf = clone(p.WebsiteConfiguration || {});
      const rules = listOf(conf.RoutingRules || conf.RoutingRule || []);
      delete conf.RoutingRule;
      delete conf.RoutingRules;
      if (rules.length) conf.RoutingRules = { RoutingRule: rules };
      return { WebsiteConfiguration: conf };
    }),
    result: statusOnly,
  }),
  getBucketWebsite: method<BucketParams, GetBucketWebsiteResult>({
    cam: 'GetBucketWebsite',
    method: 'GET',
    target: 'bucket',
    action: 'website',
    result: (res) => {
      const conf: Doc = child(res.doc, 'WebsiteConfiguration');
      if (conf.RoutingRules) conf.RoutingRules = listOf(conf.RoutingRules.RoutingRule || []);
      return { WebsiteConfiguration: conf, statusCode: res.statusCode, headers: res.headers };
    },
    recover: emptyWhen(errorCode('NoSuchWebsiteConfiguration'), () => ({ WebsiteConfiguration: {} })),
  }),
  deleteBucketWebsite: deleteMethod('DeleteBucketWebsite', 'website'),

  putBucketReferer: method<PutBucketRefererParams, GeneralResult>({
    cam: 'PutBucketReferer',
    method: 'PUT',
    target: 'bucket',
    action: 'referer',
    check: (p) => {
      if (!p.RefererConfiguration) throw paramError('missing param RefererConfiguration');
    },
    ...xmlBody((p: PutBucketRefererParams) => {
      const conf = clone(p.RefererConfiguration || {});
      const list = conf.DomainList || {};
      const domains = listOf(list.Domains || list.Domain || []);
      if (domains.length) conf.DomainList = { Domain: domains };
      return { RefererConfiguration: conf };
    }),
    result: statusOnly,
  }),
  getBucketReferer: method<BucketParams, GetBucketRefererResult>({
    cam: 'GetBucketReferer',
    method: 'GET',
    target: 'bucket',
    action: 'referer',
    result: (res) => {
      const conf: Doc = child(res.doc, 'RefererConfiguration');
      if (conf.DomainList) conf.DomainList = { Domains: listOf(conf.DomainList.Domain || []) };
      return { RefererConfiguration: conf, statusCode: res.statusCode, headers: res.headers };
    },
    recover: emptyWhen(errorCode('NoSuchRefererConfiguration'), () => ({ WebsiteConfiguration: {} })),
  }),

  putBucketDomain: method<PutBucketDomainParams, GeneralResult>({
    cam: 'PutBucketDomain',
    method: 'PUT',
    target: 'bucket',
    action: 'domain',
    ...xmlBody((p: PutBucketDomainParams) => ({ DomainConfiguration: { DomainRule: clone(p.DomainConfiguration?.DomainRule || p.DomainRule || []) } })),
    result: statusOnly,
  }),
  getBucketDomain: method<BucketParams, GetBucketDomainResult>({
    cam: 'GetBucketDomain',
    method: 'GET',
    target: 'bucket',
    action: 'domain',
    result: (res) => ({ DomainRule: asList<Doc>(child(res.doc, 'DomainConfiguration').DomainRule), statusCode: res.statusCode, headers: res.headers }),
  }),
  deleteBucketDomain: deleteMethod('DeleteBucketDomain', 'domain'),

  putBucketOrigin: method<PutBucketOriginParams, GeneralResult>({
    cam: 'PutBucketOrigin',
    method: 'PUT',
    target: 'bucket',
    action: 'origin',
    ...xmlBody((p: PutBucketOriginParams) => ({ OriginConfiguration: { OriginRule: clone(p.OriginConfiguration?.OriginRule || p.OriginRule || []) } })),
    result: statusOnly,
  }),
  getBucketOrigin: method<BucketParams, GetBucketOriginResult>({
    cam: 'GetBucketOrigin',
    method: 'GET',
    target: 'bucket',
    action: 'origin',
    result: (res) => ({ OriginRule: asList<Doc>(child(res.doc, 'OriginConfiguration').OriginRule), statusCode: res.statusCode, headers: res.headers }),
  }),
  deleteBucketOrigin: deleteMethod('DeleteBucketOrigin', 'origin'),

  putBucketLogging: method<PutBucketLoggingParams, GeneralResult>({
    cam: 'PutBucketLogging',
    method: 'PUT',
    target: 'bucket',
    action: 'logging',
    ...xmlBody((p: PutBucketLoggingParams) => ({ BucketLoggingStatus: p.BucketLoggingStatus || '' })),
    result: statusOnly,
  }),
  getBucketLogging: method<BucketParams, GetBucketLoggingResult>({
    cam: 'GetBucketLogging',
    method: 'GET',
    target: 'bucket',
    action: 'logging',
    result: (res) => ({ BucketLoggingStatus: res.doc.BucketLoggingStatus, statusCode: res.statusCode, headers: res.headers }),
  }),

  putBucketInventory: inventoryMethod('PUT', 'PutBucketInventory'),
  /** cos-js-sdk-v5: a one-time inventory, run at once. */
  postBucketInventory: inventoryMethod('POST', 'PostBucketInventory'),
  getBucketInventory: method<InventoryIdParams, GetBucketInventoryResult>({
    cam: 'GetBucketInventory',
    method: 'GET',
    target: 'bucket',
    action: 'inventory',
    query: (p) => ({ id: p.Id }),
    result: (res) => ({ InventoryConfiguration: inventoryResult(res.doc.InventoryConfiguration as Doc), statusCode: res.statusCode, headers: res.headers }),
  }),
  listBucketInventory: method<ListBucketInventoryParams, ListBucketInventoryResult>({
    cam: 'ListBucketInventory',
    method: 'GET',
    target: 'bucket',
    action: 'inventory',
    query: (p) => ({ 'continuation-token': p.ContinuationToken }),
    result: (res) => {
      const { InventoryConfiguration, ...list } = child(res.doc, 'ListInventoryConfigurationResult') as Doc;
      const configurations = listOf<Doc>(InventoryConfiguration).map(inventoryResult);
      return { ...list, InventoryConfigurations: configurations, statusCode: res.statusCode, headers: res.headers };
    },
  }),
  deleteBucketInventory: method<InventoryIdParams, GeneralResult>({
    cam: 'DeleteBucketInventory',
    method: 'DELETE',
    target: 'bucket',
    action: 'inventory',
    query: (p) => ({ id: p.Id }),
    result: statusOnly,
  }),

  putBucketAccelerate: method<PutBucketAccelerateParams, GeneralResult>({
    cam: 'PutBucketAccelerate',
    method: 'PUT',
    target: 'bucket',
    action: 'accelerate',
    check: (p) => {
      if (!p.AccelerateConfiguration) throw paramError('missing param AccelerateConfiguration');
    },
    body: (p) => json2xml({ AccelerateConfiguration: p.AccelerateConfiguration || {} }),
    headers: (p, headers) => {
      // The official SDK sends only its body's headers here (not params.Headers).
      for (const name of Object.keys(headers)) delete headers[name];
      headers['Content-Type'] = 'application/xml';
      headers['Content-MD5'] = platform().crypto.md5Base64(json2xml({ AccelerateConfiguration: p.AccelerateConfiguration || {} }));
    },
    result: statusOnly,
  }),
  getBucketAccelerate: method<BucketParams, GetBucketAccelerateResult>({
    cam: 'GetBucketAccelerate',
    method: 'GET',
    target: 'bucket',
    action: 'accelerate',
    headers: (_p, headers) => {
      for (const name of Object.keys(headers)) delete headers[name];
    },
    result: (res) => withStatus(res, { ...res.doc, AccelerateConfiguration: (res.doc.AccelerateConfiguration as Doc) || {} }),
  }),

  putBucketEncryption: method<PutBucketEncryptionParams, GeneralResult>({
    cam: 'PutBucketEncryption',
    method: 'PUT',
    target: 'bucket',
    action: 'encryption',
    ...xmlBody((p: PutBucketEncryptionParams) => {
      const conf = p.ServerSideEncryptionConfiguration || {};
      return { ServerSideEncryptionConfiguration: { Rule: conf.Rule || conf.Rules || [] } };
    }),
    result: statusOnly,
  }),
  getBucketEncryption: method<BucketParams, GetBucketEncryptionResult>({
    cam: 'GetBucketEncryption',
    method: 'GET',
    target: 'bucket',
    action: 'encryption',
    // As the official SDK: the rules are read from <EncryptionConfiguration> (COS answers
    // <ServerSideEncryptionConfiguration>, which stays in the result as it came).
    result: (res) => withStatus(res, { ...res.doc, EncryptionConfiguration: { Rules: asList<Doc>((res.doc.EncryptionConfiguration as JsonObject | undefined)?.Rule) } }),
    recover: emptyWhen((err) => err.code === 'NoSuchEncryptionConfiguration', () => ({ EncryptionConfiguration: { Rules: [] as Doc[] } })),
  }),
  deleteBucketEncryption: deleteMethod('DeleteBucketReplication', 'encryption'),

  putBucketReplication: method<PutBucketReplicationParams, GeneralResult>({
    cam: 'PutBucketReplication',
    method: 'PUT',
    target: 'bucket',
    action: 'replication',
    ...withBody('application/xml', (p: PutBucketReplicationParams) =>
      json2xml({ ReplicationConfiguration: clone(p.ReplicationConfiguration) })
        .replace(/<(\/?)Rules>/gi, '<$1Rule>')
        .replace(/<(\/?)Tags>/gi, '<$1Tag>'),
    ),
    result: statusOnly,
  }),
  getBucketReplication: method<BucketParams, GetBucketReplicationResult>({
    cam: 'GetBucketReplication',
    method: 'GET',
    target: 'bucket',
    action: 'replication',
    result: (res) => {
      const conf: Doc = { ...child(res.doc, 'ReplicationConfiguration') };
      if (conf.Rule) {
        conf.Rules = listOf(conf.Rule);
        delete conf.Rule;
      }
      return withStatus(res, { ...res.doc, ReplicationConfiguration: conf });
    },
    recover: emptyWhen(errorCode('ReplicationConfigurationnotFoundError'), () => ({ ReplicationConfiguration: { Rules: [] as Doc[] } })),
  }),
  deleteBucketReplication: deleteMethod('DeleteBucketReplication', 'replication'),
};
