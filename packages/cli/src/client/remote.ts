/**
 * Remote paths (`cos://<bucket-appid>/<key or prefix>`) and the SDK client that reaches them: an
 * endpoint on a bare address (cosbox on 127.0.0.1:9000) keeps the virtual-hosted Host and sends to
 * that address (the SDK's `Ip`); a host name becomes the Domain `{Bucket}.<host>`; no endpoint is
 * real COS at `https://<bucket>.cos.<region>.myqcloud.com`.
 */
import { isIP } from 'node:net';
import COS, { type COSOptions } from '@cosbox/sdk';
import type { Settings } from './config.js';
import { UsageError } from './errors.js';

export interface RemotePath {
  bucket: string;
  /** The key or prefix, '' for the whole bucket. */
  key: string;
}

const SCHEME = 'cos://';
/** `<name>-<appid>`, as COS names buckets. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]*-\d+$/;

export function isRemote(path: string): boolean {
  return path.startsWith(SCHEME);
}

export function parseRemote(path: string): RemotePath {
  if (!isRemote(path)) throw new UsageError(`not a remote path: ${JSON.stringify(path)} (expected cos://<bucket-appid>/<key>)`);
  const rest = path.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET_NAME.test(bucket)) throw new UsageError(`bad bucket name ${JSON.stringify(bucket)} in ${path}: expected <name>-<appid>, like photos-1250000000`);
  return { bucket, key };
}

export function formatRemote(bucket: string, key: string): string {
  return `${SCHEME}${bucket}/${key}`;
}

/** How requests reach the endpoint: the SDK options that say it. */
export interface Addressing {
  Protocol: 'http:' | 'https:';
  Ip?: string;
  Domain?: string;
  ServiceDomain?: string;
}

function isAddress(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 || bare === 'localhost';
}

/** The SDK options for an `--endpoint` URL (undefined: real COS, the SDK's default hosts). */
export function addressingFor(endpoint: string | undefined): Addressing {
  if (!endpoint) return { Protocol: 'https:' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  // A Domain template ({Bucket}, {Region}) is taken as it is.
  if (withScheme.includes('{')) {
    const protocol = withScheme.startsWith('http://') ? 'http:' : 'https:';
    return { Protocol: protocol, Domain: withScheme.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, '') };
  }
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`bad endpoint ${JSON.stringify(endpoint)}: expected a URL like http://127.0.0.1:9000 or https://cos.ap-guangzhou.myqcloud.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`bad endpoint ${JSON.stringify(endpoint)}: http or https only`);
  if (url.pathname !== '/' || url.search) throw new UsageError(`bad endpoint ${JSON.stringify(endpoint)}: no path or query`);
  if (isAddress(url.hostname)) return { Protocol: url.protocol, Ip: url.host };
  return { Protocol: url.protocol, Domain: `{Bucket}.${url.host}`, ServiceDomain: url.host };
}

/** Milliseconds without a byte either way before a request is given up (and retried). */
export const SOCKET_IDLE_TIMEOUT_MS = 120_000;

export interface ClientTuning {
  partSize?: number;
  partThreads?: number;
  fileThreads?: number;
}

/** The COS options of a connection; a region is needed to address any bucket. */
export function cosOptions(settings: Settings, tuning: ClientTuning = {}): COSOptions & { Region: string } {
  const region = settings.region ?? (settings.endpoint ? 'ap-guangzhou' : undefined);
  if (!region) throw new UsageError('no region: give --region, COS_REGION or a profile with region (cosbox config set region ap-guangzhou)');
  if ((settings.secretId === undefined) !== (settings.secretKey === undefined)) {
    throw new UsageError('give both a secret id and a secret key (or neither, for anonymous requests)');
  }
  return {
    ...addressingFor(settings.endpoint),
    Region: region,
    SecretId: settings.secretId,
    SecretKey: settings.secretKey,
    SecurityToken: settings.token,
    ChunkSize: tuning.partSize,
    ChunkParallelLimit: tuning.partThreads,
    CopyChunkSize: tuning.partSize,
    CopyChunkParallelLimit: tuning.partThreads,
    FileParallelLimit: tuning.fileThreads,
    UserAgent: 'cosbox-cli',
    // A connection silent this long fails (and is retried) instead of hanging the command.
    Timeout: SOCKET_IDLE_TIMEOUT_MS,
    // Parts and ranges report often enough for a progress bar.
    ProgressInterval: 200,
  };
}

export interface Connection {
  cos: COS;
  region: string;
  addressing: Addressing;
}

export function connect(settings: Settings, tuning: ClientTuning = {}): Connection {
  const { Region, ...options } = cosOptions(settings, tuning);
  return { cos: new COS(options), region: Region, addressing: addressingFor(settings.endpoint) };
}

/**
 * The Domain a pre-signed URL uses: with `Ip` the virtual host name would not resolve, so the URL
 * is path-style on the address itself (cosbox verifies path-style signatures too).
 */
export function signedUrlDomain(addressing: Addressing): string | undefined {
  return addressing.Ip ? `${addressing.Ip}/{Bucket}` : undefined;
}
