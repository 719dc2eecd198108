/**
 * The e2e harness: a real cosbox server on 127.0.0.1, port 0, in a fresh temporary data directory,
 * and the official cos-nodejs-sdk-v5 (unmodified) pointed at it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import COS from 'cos-nodejs-sdk-v5';
import { startServer, type RunningServer, type ServerOptions } from '@cosbox/server';
import { freshDatabase, usePostgres } from './postgres.js';

export const SECRET_ID = 'AKIDcosboxE2ETestKey0000000000000000';
export const SECRET_KEY = 'cosboxE2ETestSecretKey000000000000';
export const APPID = '1250000000';
export const UIN = '100000000001';
export const REGION = 'ap-guangzhou';

export interface Harness {
  server: RunningServer;
  port: number;
  dataDir: string;
  /** The PostgreSQL database of a server on PostgreSQL (COSBOX_TEST_METADATA=postgres). */
  metadataUrl?: string;
  cos: COS;
  /** A COS client for the same server with other credentials. */
  client(options?: Partial<COS.COSOptions>): COS;
  close(): Promise<void>;
}

/** `options` are passed to the server (a time scale, a lifecycle interval, ...). */
export async function startHarness(options: Partial<Omit<ServerOptions, 'dataDir' | 'port' | 'credentials'>> = {}): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cosbox-e2e-'));
  // COSBOX_TEST_METADATA=postgres: the same tests against a PostgreSQL-backed server.
  const metadataUrl = options.metadataUrl ?? (usePostgres() ? await freshDatabase() : undefined);
  const server = await startServer({
    dataDir,
    port: 0,
    credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY, appid: APPID, uin: UIN },
    logLevel: 'silent',
    ...options,
    ...(metadataUrl ? { metadataUrl } : {}),
  });
  const client = (options: Partial<COS.COSOptions> = {}) =>
    new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${server.port}`, ...options } as COS.COSOptions);
  return {
    server,
    port: server.port,
    dataDir,
    metadataUrl,
    cos: client(),
    client,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let bucketCounter = 0;
/** A fresh bucket name for one test. */
export function bucketName(label = 'b'): string {
  bucketCounter++;
  return `${label}${bucketCounter}-${Date.now().toString(36)}-${APPID}`;
}

/** Another account. The server knows one key pair, so this account's things are written to the stores directly. */
export const OTHER_ACCOUNT = { appid: '1259999999', uin: '100000000999' } as const;

/** A bucket owned by OTHER_ACCOUNT holding `objects` (key -> body), written straight into the server's stores. */
export async function foreignBucket(h: Harness, objects: Record<string, string> = {}): Promise<string> {
  const { meta, blobs } = h.server.services;
  const name = bucketName('foreign').replace(/-\d+$/, `-${OTHER_ACCOUNT.appid}`);
  await meta.createBucket({ name, appid: OTHER_ACCOUNT.appid, ownerUin: OTHER_ACCOUNT.uin, region: REGION, createdAt: Date.now() }, 200);
  for (const [key, body] of Object.entries(objects)) {
    const blob = await blobs.write(Readable.from([Buffer.from(body)]));
    await meta.putObject({
      bucket: name,
      key,
      size: blob.size,
      etag: `"${blob.md5Hex}"`,
      crc64: blob.crc64,
      lastModified: Date.now(),
      storageClass: 'STANDARD',
      objectType: 'normal',
      contentHeaders: {},
      meta: {},
      ownerUin: OTHER_ACCOUNT.uin,
      blobs: [{ id: blob.id, size: blob.size }],
    });
  }
  return name;
}

/** What `POST /sts` answers: a temporary key pair, its token and its times. */
export interface TemporaryKey {
  Credentials: { TmpSecretId: string; TmpSecretKey: string; Token: string };
  StartTime: number;
  ExpiredTime: number;
  Expiration: string;
}

/** The official SDK signing with a temporary key through a getAuthorization callback, as browser apps do it. */
export function temporaryKeyClient(h: Harness, keys: TemporaryKey): COS {
  return h.client({
    SecretId: undefined,
    SecretKey: undefined,
    getAuthorization: (_options: unknown, callback: (data: unknown) => void) =>
      callback({ TmpSecretId: keys.Credentials.TmpSecretId, TmpSecretKey: keys.Credentials.TmpSecretKey, SecurityToken: keys.Credentials.Token, StartTime: keys.StartTime, ExpiredTime: keys.ExpiredTime }),
  } as Partial<COS.COSOptions>);
}
