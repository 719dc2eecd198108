/**
 * Credentials and signatures. Every signature is computed by @cosbox/protocol's `sign()`, the code
 * the cosbox server verifies with; what this module adds is the official SDK's choice of inputs
 * (util.getAuth, getAuthorizationAsync in cos-nodejs-sdk-v5):
 *
 *  - signed headers: x-cos-*, x-ci-* and a fixed list of standard ones, plus Host, so a signature
 *    only works for the bucket it was made for;
 *  - signed query: every parameter of the request, the sub-resource (`?uploads`) included;
 *  - sign time: [now - 1 s, now + Expires (default 900 s)] on the offset-corrected clock;
 *  - credentials: the options' SecretId/SecretKey, or the `getAuthorization` callback, whose
 *    temporary keys are cached until a minute before they expire.
 */
import { sign } from '@cosbox/protocol';
import { paramError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { platform } from './transport.js';

/** Standard headers that go into a signature when present (util.js signHeaders). */
const SIGNED_STANDARD_HEADERS = new Set([
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-length',
  'content-md5',
  'content-type',
  'expect',
  'expires',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-unmodified-since',
  'origin',
  'range',
  'transfer-encoding',
  'pic-operations',
]);

export type Headers = Record<string, string | number | boolean | undefined>;
export type Query = Record<string, string | number | boolean | undefined | null>;

/** One permission a request needs, for getAuthorization callbacks that hand out scoped keys. */
export interface ScopeItem {
  action: string;
  bucket: string;
  region: string;
  prefix: string;
}
export type Scope = ScopeItem[];

/** What getAuthorization is told about the request to authorize. */
export interface GetAuthorizationOptions {
  Bucket: string;
  Region: string;
  Method: string;
  /** Object key without the leading '/' ('' for bucket requests). */
  Key: string;
  /** '/' + Key. */
  Pathname: string;
  Query: Record<string, string>;
  Headers: Record<string, string>;
  Scope: Scope;
  SystemClockOffset: number;
  ForceSignHost: boolean;
}

/** Temporary keys from STS. */
export interface TemporaryCredentials {
  TmpSecretId: string;
  TmpSecretKey: string;
  SecurityToken?: string;
  XCosSecurityToken?: string;
  /** Server time when the keys were issued (unix seconds): signing uses it instead of the local clock. */
  StartTime?: number;
  ExpiredTime: number;
  /** The keys only cover requests with the same Scope. */
  ScopeLimit?: boolean;
}

/** A signature computed elsewhere (a signing server). */
export interface ExternalAuthorization {
  Authorization: string;
  SecurityToken?: string;
  XCosSecurityToken?: string;
}

export type AuthorizationSource = string | ExternalAuthorization | TemporaryCredentials;

/** What a request carries: the Authorization header and, for temporary keys, the session token. */
export interface AuthData {
  Authorization: string;
  SecurityToken: string;
}

export interface StaticGetAuthorizationOptions {
  SecretId: string;
  SecretKey: string;
  /** With Region, signs the Host `<Bucket>.cos.<Region>.myqcloud.com`. */
  Bucket?: string;
  Region?: string;
  Method?: string;
  /** '/' + key; takes precedence over Key. */
  Pathname?: string;
  Key?: string;
  Query?: Query;
  Headers?: Headers;
  /** Seconds the signature stays valid (default 900). */
  Expires?: number;
  /** `start;end` unix seconds; overrides Expires. */
  KeyTime?: string;
  SystemClockOffset?: number;
  UseRawKey?: boolean;
  /** false leaves the Host out of the signature. */
  ForceSignHost?: boolean;
}

/** The headers that go into a signature, values as strings. */
export function signedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.includes('x-cos-') || lower.includes('x-ci-') || SIGNED_STANDARD_HEADERS.has(lower)) {
      out[name] = value === undefined ? '' : String(value);
    }
  }
  return out;
}

/** Query values as the signature sees them: undefined and null are ''. */
export function stringValues(query: Query): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) out[k] = v === undefined || v === null ? '' : String(v);
  return out;
}

function hasHeader(headers: Headers, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/** Unix seconds on the corrected clock. */
export function nowSeconds(clockOffsetMs = 0): number {
  return Math.round((Date.now() + clockOffsetMs) / 1000);
}

/** COS.getAuthorization: an `Authorization` value for the given request. */
export function getAuthorization(opt: StaticGetAuthorizationOptions): string {
  if (!opt.SecretId) throw new Error('missing param SecretId');
  if (!opt.SecretKey) throw new Error('missing param SecretKey');
  const headers = signedHeaders(opt.Headers ?? {});
  if (opt.ForceSignHost !== false && opt.Bucket && opt.Region && !hasHeader(headers, 'host')) {
    headers.Host = `${opt.Bucket}.cos.${opt.Region}.myqcloud.com`;
  }
  let pathname = opt.Pathname ?? (opt.UseRawKey ? '/' + (opt.Key ?? '') : (opt.Key ?? ''));
  if (!pathname.startsWith('/')) pathname = '/' + pathname;

  // Valid from a second ago, so a server clock a little behind ours still accepts it.
  const start = nowSeconds(opt.SystemClockOffset) - 1;
  const end = start + (opt.Expires === undefined ? 900 : Number(opt.Expires) || 0);
  const signTime = opt.KeyTime || `${start};${end}`;
  return sign(platform().crypto, {
    secretId: opt.SecretId,
    secretKey: opt.SecretKey,
    method: opt.Method ?? 'get',
    pathname,
    query: stringValues(opt.Query ?? {}),
    headers,
    signTime,
  }).authorization;
}

/** A request as the credentials see it. */
export interface AuthorizeInput {
  method: string;
  bucket: string;
  region: string;
  key: string;
  query: Record<string, string>;
  headers: Headers;
  /** The Host to sign ('' for none). */
  signHost: string;
  scope: Scope;
  /** Seconds of validity (getObjectUrl's Expires). */
  expires?: number;
  /** Overrides the ForceSignHost option (getObjectUrl's ForceSignHost param). */
  forceSignHost?: boolean;
}

interface CachedCredentials extends TemporaryCredentials {
  scopeKey: string;
}

/** A request ready to be signed with whichever key pair the credentials come up with. */
interface Signable {
  options: GetAuthorizationOptions;
  sign(secretId: string, secretKey: string, keyTime?: string): string;
}

/**
 * The credentials of one COS instance: its SecretId/SecretKey, or the getAuthorization callback
 * and the temporary keys it handed out, kept per instance while they have more than a minute left.
 */
export class CredentialSource {
  private cache: CachedCredentials[] = [];

  constructor(private readonly options: ResolvedOptions) {}

  /** The Authorization for a request, or undefined when there are no credentials (anonymous). */
  async authorize(input: AuthorizeInput): Promise<AuthData | undefined> {
    if (!this.options.getAuthorization && !this.options.getSTS) return this.authorizeNow(input);
    const request = this.prepare(input);
    const scopeKey = JSON.stringify(input.scope);
    const cached = this.cachedFor(scopeKey);
    if (cached) return signWithTemporary(cached, request, input.expires);

    const source = this.options.getAuthorization ? await this.ask(request.options) : await this.askSts(input);
    if (typeof source === 'string') return { Authorization: source, SecurityToken: '' };
    if ('Authorization' in source && source.Authorization) {
      return { Authorization: source.Authorization, SecurityToken: source.SecurityToken ?? source.XCosSecurityToken ?? '' };
    }
    const entry = { ...checkTemporary(source as TemporaryCredentials), scopeKey };
    this.cache.push(entry);
    return signWithTemporary(entry, request, input.expires);
  }

  /**
   * The Authorization from the options' key pair, computed synchronously (getObjectUrl returns a
   * signed URL at once); undefined when the instance has no key pair or uses getAuthorization.
   */
  authorizeNow(input: AuthorizeInput): AuthData | undefined {
    const { SecretId, SecretKey, SecurityToken, XCosSecurityToken } = this.currentKeys();
    if (this.options.getAuthorization || this.options.getSTS || !SecretId || !SecretKey) return undefined;
    return { Authorization: this.prepare(input).sign(SecretId, SecretKey), SecurityToken: SecurityToken || XCosSecurityToken };
  }

  /**
   * The key pair to sign with: `Credentials` when it has both keys, read at every request (the
   * official SDK watches the object, so a caller may rotate keys in place), else SecretId/SecretKey.
   */
  private currentKeys(): Pick<ResolvedOptions, 'SecretId' | 'SecretKey' | 'SecurityToken' | 'XCosSecurityToken'> {
    const credentials = this.options.Credentials;
    if (credentials?.secretId && credentials.secretKey) {
      return { SecretId: credentials.secretId, SecretKey: credentials.secretKey, SecurityToken: credentials.securityToken || this.options.SecurityToken, XCosSecurityToken: this.options.XCosSecurityToken };
    }
    return this.options;
  }

  /** getSTS({ Bucket, Region }, callback): temporary keys, `SecretId`/`SecretKey` accepted for `TmpSecretId`/`TmpSecretKey`. */
  private askSts(input: AuthorizeInput): Promise<TemporaryCredentials> {
    const getSTS = this.options.getSTS!;
    return new Promise((resolve, reject) => {
      try {
        getSTS({ Bucket: input.bucket, Region: input.region }, (data) => {
          const keys = { ...(data ?? {}) } as TemporaryCredentials & { SecretId?: string; SecretKey?: string };
          keys.TmpSecretId ||= keys.SecretId ?? '';
          keys.TmpSecretKey ||= keys.SecretKey ?? '';
          resolve(keys);
        });
      } catch (e) {
        reject(e);
      }
    });
  }

  private prepare(input: AuthorizeInput): Signable {
    const { options } = this;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(input.headers)) {
      // Empty headers are sent but not signed, as the official SDK does.
      if (v !== undefined && v !== '') headers[k] = String(v);
    }
    const forceSignHost = input.forceSignHost ?? options.ForceSignHost;
    if (input.signHost && forceSignHost && !hasHeader(headers, 'host')) headers.Host = input.signHost;
    const pathname = '/' + input.key;
    return {
      options: {
        Bucket: input.bucket,
        Region: input.region,
        Method: input.method,
        Key: input.key,
        Pathname: pathname,
        Query: input.query,
        Headers: headers,
        Scope: input.scope,
        SystemClockOffset: options.SystemClockOffset,
        ForceSignHost: forceSignHost,
      },
      sign: (secretId, secretKey, keyTime) =>
        getAuthorization({
          SecretId: secretId,
          SecretKey: secretKey,
          Method: input.method,
          Pathname: pathname,
          Query: input.query,
          Headers: headers,
          Expires: input.expires,
          KeyTime: keyTime,
          SystemClockOffset: options.SystemClockOffset,
        }),
    };
  }

  private ask(opts: GetAuthorizationOptions): Promise<AuthorizationSource> {
    const callback = this.options.getAuthorization!;
    return new Promise((resolve, reject) => {
      try {
        callback(opts, resolve);
      } catch (e) {
        reject(e);
      }
    });
  }

  /** Cached keys good for this scope with more than a minute left; expired ones are dropped. */
  private cachedFor(scopeKey: string): CachedCredentials | undefined {
    const now = nowSeconds(this.options.SystemClockOffset);
    this.cache = this.cache.filter((c) => !((c.StartTime && now + 30 < c.StartTime) || now + 30 >= c.ExpiredTime));
    for (let i = this.cache.length - 1; i >= 0; i--) {
      const c = this.cache[i];
      if ((!c.ScopeLimit || c.scopeKey === scopeKey) && c.ExpiredTime - now > 60) return c;
    }
    return undefined;
  }
}

/** Keys issued with the server's time (StartTime) are signed with that time, immune to a wrong local clock. */
function signWithTemporary(keys: TemporaryCredentials, request: Signable, expires: number | undefined): AuthData {
  let keyTime: string | undefined;
  if (keys.StartTime && expires) keyTime = `${keys.StartTime};${keys.StartTime + Number(expires)}`;
  else if (keys.StartTime && keys.ExpiredTime) keyTime = `${keys.StartTime};${keys.ExpiredTime}`;
  return {
    Authorization: request.sign(keys.TmpSecretId, keys.TmpSecretKey, keyTime),
    SecurityToken: keys.SecurityToken || keys.XCosSecurityToken || '',
  };
}

function checkTemporary(keys: TemporaryCredentials): TemporaryCredentials {
  const missing = (name: string) => paramError(`getAuthorization callback params missing "${name}"`);
  if (!keys || typeof keys !== 'object') throw paramError('getAuthorization callback params format error');
  if (!keys.TmpSecretId) throw missing('TmpSecretId');
  if (!keys.TmpSecretKey) throw missing('TmpSecretKey');
  if (!keys.SecurityToken && !keys.XCosSecurityToken) throw missing('SecurityToken');
  if (!keys.ExpiredTime) throw missing('ExpiredTime');
  if (String(keys.ExpiredTime).length !== 10) throw paramError('getAuthorization callback params "ExpiredTime" should be 10 digits');
  if (keys.StartTime && String(keys.StartTime).length !== 10) throw paramError('getAuthorization callback params "StartTime" should be 10 digits');
  return keys;
}
