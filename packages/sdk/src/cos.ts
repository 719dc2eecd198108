/**
 * The COS class: `new COS(options)`, then `cos.putObject(params, callback)` or
 * `await cos.putObject(params)`. Its request methods are built from the METHODS table; what is here
 * besides is the construction of an instance and the two methods that send nothing: getAuth and
 * getObjectUrl.
 */
import { camSafeUrlEncode, hmacSha1, toBase64 } from '@cosbox/protocol';
import { run, type ApiOf, type Callback, type FunctionsApiOf, type MethodSpec } from './api.js';
import {
  CredentialSource,
  getAuthorization,
  stringValues,
  type AuthData,
  type AuthorizeInput,
  type Headers,
  type Query,
} from './auth.js';
import { CosSdkError, asCosSdkError } from './errors.js';
import { Emitter, type Listener } from './events.js';
import { ADVANCED_METHODS, queuedUpload, sliceUpload, type SliceUploadFileParams } from './methods/advanced.js';
import { DOWNLOAD_METHODS } from './methods/download.js';
import { GENERIC_METHODS } from './methods/generic.js';
import type { SelectObjectContentParams } from './methods/select.js';
import { METHODS, type MethodTable } from './methods/index.js';
import type { GetObjectParams, ObjectParams, PutObjectParams } from './methods/object.js';
import { resolveOptions, type COSOptions, type Protocol, type ResolvedOptions } from './options.js';
import { checkParams, type CommonParams } from './params.js';
import { installTaskQueue, TaskQueue, taskQueueOf, type TaskApi, type TaskInfo, type TaskParams, type TaskRunner } from './queue.js';
import type { Client } from './request.js';
import { platform, type OutputSink, type PassThroughLike, type StreamBody } from './transport.js';
import { appendQuery, endpointUrl, hostOf, normalizeProtocol } from './url.js';
import { util } from './util.js';
import { VERSION } from './version.js';

export interface GetAuthParams {
  /** Default: the instance's key pair. */
  SecretId?: string;
  SecretKey?: string;
  /** With Region, the Host `<Bucket>.cos.<Region>.myqcloud.com` is signed. */
  Bucket?: string;
  Region?: string;
  Method?: string;
  Key?: string;
  /** Seconds the signature stays valid (default 900). */
  Expires?: number;
  Query?: Query;
  Headers?: Headers;
}

export interface GetObjectUrlParams extends ObjectParams {
  /** false: the plain URL, unsigned. */
  Sign?: boolean;
  /** The method the URL is signed for (default GET). */
  Method?: string;
  /** Query parameters, encoded, signed and appended. */
  Query?: Query;
  /** Appended as given: neither encoded nor signed. */
  QueryString?: string;
  /** Seconds the URL stays valid (default 900). */
  Expires?: number;
  UseAccelerate?: boolean;
  Domain?: string;
  Protocol?: Protocol;
  /** false leaves the Host out of the signature. */
  ForceSignHost?: boolean;
}

export interface GetV4AuthParams {
  SecretId?: string;
  SecretKey?: string;
  Bucket: string;
  Key?: string;
  /** Seconds the signature stays valid (default 900). */
  Expires?: number;
}

/** The stream getObjectStream and selectObjectContentStream return (a Node PassThrough). */
export type ReturnedStream = OutputSink & StreamBody & PassThroughLike;

export interface GetObjectUrlResult {
  Url: string;
}

const clients = new WeakMap<object, Client>();
const emitters = new WeakMap<object, Emitter>();

/** How a task's upload runs: putObject in one request, sliceUploadFile continuing the task's upload. */
const TASK_RUNNERS: Record<TaskApi, TaskRunner> = {
  putObject: (client, params) => run(client, METHODS.putObject, params as unknown as PutObjectParams),
  sliceUploadFile: (client, params, upload) => sliceUpload(client, params as unknown as SliceUploadFileParams, upload),
};

function clientOf(cos: object): Client {
  const client = clients.get(cos);
  if (!client) throw new TypeError('COS methods must be called on a COS instance');
  return client;
}

export class COS {
  static readonly version = VERSION;
  /** Computes an Authorization value (the official SDK's COS.getAuthorization). */
  static readonly getAuthorization = getAuthorization;
  /** The official SDK's helpers: md5, xml2json, json2xml, encodeBase64. */
  static readonly util = util;

  /** The options in effect, defaults filled in (SystemClockOffset moves when COS reports clock skew). */
  readonly options: ResolvedOptions;

  constructor(options: COSOptions = {}) {
    // As the official SDK: path-style addressing is refused outright.
    if (options.ForcePathStyle) throw new Error('ForcePathStyle is not supported');
    this.options = resolveOptions(options);
    const client: Client = {
      options: this.options,
      credentials: new CredentialSource(this.options),
      transport: platform().createTransport({ keepAlive: this.options.KeepAlive, strictSsl: this.options.StrictSsl, proxy: this.options.Proxy }),
      uploadsInUse: new Set(),
    };
    const events = new Emitter();
    clients.set(this, client);
    emitters.set(this, events);
    installTaskQueue(client, new TaskQueue(client, events, TASK_RUNNERS));
  }

  /** Listens to an event: 'list-update' (and its older name 'task-list-update') get `{ list }` of the upload tasks. */
  on(name: string, listener: Listener): void {
    emitters.get(this)!.on(name, listener);
  }

  off(name: string, listener: Listener): void {
    emitters.get(this)!.off(name, listener);
  }

  emit(name: string, data?: unknown): void {
    emitters.get(this)!.emit(name, data);
  }

  /** The upload tasks, oldest first: `{ id, Bucket, Region, Key, FilePath, state, loaded, size, speed, percent, hashPercent, error }`. */
  getTaskList(): TaskInfo[] {
    return taskQueueOf(clientOf(this)).list();
  }

  /** Stops a task for good: its requests in flight are aborted, and its multipart upload. */
  cancelTask(taskId: string): void {
    taskQueueOf(clientOf(this)).cancel(taskId);
  }

  /** Stops a waiting or running task; its multipart upload stays, for restartTask. */
  pauseTask(taskId: string): void {
    taskQueueOf(clientOf(this)).pause(taskId);
  }

  /** Queues a paused or failed task again; a multipart upload continues from the parts the server has. */
  restartTask(taskId: string): void {
    taskQueueOf(clientOf(this)).restart(taskId);
  }

  /** As the official SDK: the number of running upload tasks if any (1, 2...), else whether one waits (false). */
  isUploadRunning(): number | boolean {
    return taskQueueOf(clientOf(this)).isUploadRunning();
  }

  /** An Authorization value signed with this instance's (or the given) key pair. */
  getAuth(params: GetAuthParams): string {
    return getAuthorization({
      SecretId: params.SecretId || keysOf(this.options).SecretId,
      SecretKey: params.SecretKey || keysOf(this.options).SecretKey,
      Bucket: params.Bucket,
      Region: params.Region,
      Method: params.Method,
      Key: params.Key,
      Query: params.Query,
      Headers: params.Headers,
      Expires: params.Expires,
      UseRawKey: this.options.UseRawKey,
      SystemClockOffset: this.options.SystemClockOffset,
    });
  }

  /**
   * The signature of COS's older JSON API (util.getV4Auth): `a=<AppId>&b=<bucket>&k=<SecretId>&t=&e=&r=&f=`
   * signed with HMAC-SHA1, base64 of the digest and the text. undefined without a key pair or Bucket.
   */
  getV4Auth(params: GetV4AuthParams): string | undefined {
    const SecretId = params.SecretId || keysOf(this.options).SecretId;
    const SecretKey = params.SecretKey || keysOf(this.options).SecretKey;
    if (!SecretId || !SecretKey || !params.Bucket) return undefined;
    const dash = params.Bucket.lastIndexOf('-');
    const bucket = params.Bucket.slice(0, dash);
    const appId = params.Bucket.slice(dash + 1);
    const random = Math.round(Math.random() * 2 ** 32);
    const now = Math.round(Date.now() / 1000);
    const expires = now + (params.Expires === undefined ? 900 : params.Expires);
    const path = `/${appId}/${bucket}/${encodeURIComponent((params.Key || '').replace(/^\/*/, '')).replace(/%2F/g, '/')}`;
    const text = `a=${appId}&b=${bucket}&k=${SecretId}&t=${now}&e=${expires}&r=${random}&f=${path}`;
    const digest = hmacSha1(SecretKey, text);
    const textBytes = new TextEncoder().encode(text);
    const signed = new Uint8Array(digest.length + textBytes.length);
    signed.set(digest);
    signed.set(textBytes, digest.length);
    return toBase64(signed);
  }

  /**
   * getObject into a stream, returned at once (Node): the callback (if any) gets the result without
   * Body. A failure goes to the callback, and to the stream as 'error' when it has an 'error' listener.
   */
  getObjectStream(params: Omit<GetObjectParams, 'Output'>, callback?: Callback<unknown>): ReturnedStream {
    const stream = passThrough();
    const call = (this as unknown as { getObject(p: GetObjectParams): Promise<unknown> }).getObject({ ...params, Output: stream } as GetObjectParams);
    settleStream(stream, call, callback, true);
    return stream;
  }

  /** selectObjectContent whose Records (or, with DataType 'raw', the answer's bytes) are written to the returned stream (Node). */
  selectObjectContentStream(params: SelectObjectContentParams, callback?: Callback<unknown>): ReturnedStream {
    const stream = passThrough();
    const call = (this as unknown as { selectObjectContent(p: SelectObjectContentParams): Promise<{ Payload?: unknown }> })
      .selectObjectContent(params)
      .then(({ Payload, ...result }) => {
        stream.end(Payload);
        return result;
      });
    settleStream(stream, call, callback, true);
    return stream;
  }

  /**
   * A pre-signed URL of an object. With a key pair in the options the URL is returned at once (and
   * passed to the callback too); with getAuthorization only the callback gets the signed URL and
   * the return value is unsigned. Invalid params go to the callback, or are thrown without one.
   */
  getObjectUrl(params: GetObjectUrlParams, callback?: Callback<GetObjectUrlResult>): string {
    const client = clientOf(this);
    const { options } = client;
    let p: GetObjectUrlParams;
    try {
      p = checkParams('object', params, options);
    } catch (e) {
      if (!callback) throw e;
      callback(e as CosSdkError, undefined as unknown as GetObjectUrlResult);
      return '';
    }
    const useAccelerate = p.UseAccelerate ?? options.UseAccelerate;
    const url = endpointUrl({
      protocol: normalizeProtocol(p.Protocol || options.Protocol, platform().defaultProtocol()),
      domain: p.Domain || options.Domain,
      bucket: p.Bucket,
      region: useAccelerate ? 'accelerate' : p.Region,
      key: p.Key,
    });
    const extraQuery = [p.Query ? sortedQueryString(p.Query) : '', p.QueryString ?? ''].filter(Boolean).join('&');

    if (p.Sign === false) {
      const plain = appendQuery(url, extraQuery);
      callback?.(null, { Url: plain });
      return plain;
    }

    const method = p.Method || 'get';
    const input: AuthorizeInput = {
      method,
      bucket: p.Bucket,
      region: p.Region,
      key: p.Key,
      query: stringValues(p.Query ?? {}),
      headers: p.Headers ?? {},
      signHost: hostOf(url),
      scope: [
        {
          action: method.toUpperCase() === 'PUT' ? 'name/cos:PutObject' : 'name/cos:GetObject',
          bucket: p.Bucket,
          region: p.Region,
          prefix: p.Key,
        },
      ],
      expires: p.Expires,
      forceSignHost: p.ForceSignHost,
    };

    if (!options.getAuthorization && !options.getSTS) {
      const auth = client.credentials.authorizeNow(input);
      const signed = auth ? signedUrl(url, auth, extraQuery, false) : appendQuery(url, extraQuery);
      // The official SDK calls back asynchronously here, with q-url-param-list encoded.
      if (callback) setTimeout(() => callback(null, { Url: auth ? signedUrl(url, auth, extraQuery, true) : signed }));
      return signed;
    }
    client.credentials.authorize(input).then(
      (auth) => callback?.(null, { Url: auth ? signedUrl(url, auth, extraQuery, true) : appendQuery(url, extraQuery) }),
      (err: unknown) => callback?.(asCosSdkError(err), undefined as unknown as GetObjectUrlResult),
    );
    return appendQuery(url, extraQuery);
  }
}

/** The request methods, typed from the METHODS table, and the advanced ones. */
export interface COS extends ApiOf<MethodTable & typeof ALIASES>, FunctionsApiOf<typeof ADVANCED_METHODS & typeof DOWNLOAD_METHODS & typeof GENERIC_METHODS> {}

/** The older upper-case names the official SDK still has (its warnOldApi), each the method it names. */
const ALIASES = {
  putBucketACL: METHODS.putBucketAcl,
  getBucketACL: METHODS.getBucketAcl,
  putBucketCORS: METHODS.putBucketCors,
  getBucketCORS: METHODS.getBucketCors,
  deleteBucketCORS: METHODS.deleteBucketCors,
  putObjectACL: METHODS.putObjectAcl,
  getObjectACL: METHODS.getObjectAcl,
};

/** The key pair in effect: `Credentials` when it has both keys (they may have been rotated in place). */
function keysOf(options: ResolvedOptions): { SecretId: string; SecretKey: string } {
  const credentials = options.Credentials;
  if (credentials?.secretId && credentials.secretKey) return { SecretId: credentials.secretId, SecretKey: credentials.secretKey };
  return options;
}

function passThrough(): ReturnedStream {
  const create = platform().createPassThrough;
  if (!create) throw new CosSdkError('Error', 'streams need Node: use getObject or selectObjectContent');
  return create();
}

/** Ends a returned stream's call: the callback hears of it; the stream gets an error only when it listens for one. */
function settleStream(stream: ReturnedStream, call: Promise<unknown>, callback: Callback<unknown> | undefined, endOnError: boolean): void {
  call.then(
    (data) => callback?.(null, data),
    (e: unknown) => {
      const err = asCosSdkError(e);
      if (stream.listenerCount('error') > 0) stream.emit('error', err);
      else if (endOnError) stream.end();
      callback?.(err, undefined);
    },
  );
}

type Implementation = (client: Client, params: CommonParams) => Promise<unknown>;

const IMPLEMENTATIONS: Record<string, Implementation> = {
  ...Object.fromEntries(
    Object.entries(METHODS as Record<string, MethodSpec<CommonParams, unknown>>).map(([name, spec]) => [name, (client: Client, params: CommonParams) => run(client, spec, params)]),
  ),
  ...(ADVANCED_METHODS as unknown as Record<string, Implementation>),
  ...(DOWNLOAD_METHODS as unknown as Record<string, Implementation>),
  ...(GENERIC_METHODS as unknown as Record<string, Implementation>),
  ...Object.fromEntries(
    Object.entries(ALIASES as Record<string, MethodSpec<CommonParams, unknown>>).map(([name, spec]) => [name, (client: Client, params: CommonParams) => run(client, spec, params)]),
  ),
};

/** The methods whose calls are upload tasks (the official task.js transferToTaskMethod), unless SkipTask. */
const TASK_METHODS: ReadonlySet<string> = new Set<TaskApi>(['putObject', 'sliceUploadFile']);

// Every method with the official calling convention: (params, callback), or a Promise without callback.
for (const [name, implementation] of Object.entries(IMPLEMENTATIONS)) {
  Object.defineProperty(COS.prototype, name, {
    configurable: true,
    writable: true,
    value: function (this: COS, params?: CommonParams | Callback<unknown>, callback?: Callback<unknown>) {
      if (typeof params === 'function') {
        callback = params;
        params = undefined;
      }
      const client = clientOf(this);
      if (TASK_METHODS.has(name) && !(params as TaskParams | undefined)?.SkipTask) {
        // The callback is called at every end of the task (again after a restart), as the official SDK does.
        const queued = queuedUpload(client, name as TaskApi, (params ?? {}) as TaskParams, callback);
        if (!callback) return queued;
        queued.catch(() => {});
        return;
      }
      const promise = implementation(client, params ?? {});
      if (!callback) return promise;
      const done = callback;
      promise.then(
        (data) => done(null, data),
        (err: unknown) => done(asCosSdkError(err), undefined),
      );
    },
  });
}

/** The URL with the signature (and session token) in its query. */
function signedUrl(url: string, auth: AuthData, extraQuery: string, encodeParamList: boolean): string {
  let authorization = auth.Authorization;
  if (encodeParamList) {
    // The official SDK encodes the ';' of q-url-param-list in the asynchronous form of the URL.
    authorization = authorization.replace(/q-url-param-list=([^&]*)/, (_m, list: string) => `q-url-param-list=${encodeURIComponent(list).toLowerCase()}`);
  }
  let signed = `${url}?${authorization}`;
  if (auth.SecurityToken) signed += `&x-cos-security-token=${camSafeUrlEncode(auth.SecurityToken)}`;
  return appendQuery(signed, extraQuery);
}

/** `a=1&b=2` sorted by key, keys and values encoded (util.obj2str). */
function sortedQueryString(query: Query): string {
  return Object.entries(stringValues(query))
    .sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))
    .map(([k, v]) => `${camSafeUrlEncode(k)}=${camSafeUrlEncode(v)}`)
    .join('&');
}
