/**
 * `request` (any signed request: the official SDK's escape hatch for APIs it has no method for) and
 * `abortUploadTask` (aborts multipart uploads by task, file or bucket), as cos-nodejs-sdk-v5 has
 * them (base.js request, advance.js abortUploadTask).
 */
import { run, type GeneralResult } from '../api.js';
import type { Headers, Query } from '../auth.js';
import { asCosSdkError, paramError, type CosSdkError } from '../errors.js';
import { checkParams, requestHeaders, type CommonParams } from '../params.js';
import { submit, type Client } from '../request.js';
import type { RequestBody } from '../transport.js';
import { hostOf } from '../url.js';
import type { JsonObject } from '../xml.js';
import { METHODS } from './index.js';
import { eachLimit } from './slices.js';
import type { MultipartUpload } from './multipart.js';

export interface RequestParams extends CommonParams {
  Method: string;
  /** The sub-resource (`acl`, `tagging`, ...): `?<Action>` first in the query. */
  Action?: string;
  Query?: Query;
  Body?: RequestBody;
  /** A full URL instead of the bucket's endpoint; its path is the Key unless one is given. */
  Url?: string;
  /** The body as bytes (`Body`) instead of parsed XML. */
  RawBody?: boolean;
}
export interface RequestResult extends GeneralResult {
  /** The raw body (RawBody), else the parsed XML's fields are the result's. */
  Body?: Uint8Array;
  [field: string]: unknown;
}

async function request(client: Client, input: RequestParams): Promise<RequestResult> {
  const params = checkParams('service', input, client.options);
  if (params.Bucket || params.Region) Object.assign(params, checkParams('bucket', params, client.options));
  let key = params.Key;
  if (params.Url && !key) {
    const path = /^https?:\/\/[^/]+(\/[^?#]*)?/.exec(params.Url)?.[1] ?? '';
    if (path) key = path.slice(1);
  }
  try {
    const res = await submit(client, {
      method: params.Method || 'GET',
      bucket: params.Bucket,
      region: params.Region,
      key,
      url: params.Url,
      signHost: params.Url ? hostOf(params.Url) : undefined,
      action: params.Action,
      query: params.Query as Record<string, string>,
      headers: requestHeaders(params),
      body: params.Body,
      rawBody: params.RawBody,
      scope: [{ action: '', bucket: params.Bucket ?? '', region: params.Region ?? '', prefix: key ?? '' }],
      signal: params.Signal,
    });
    const result: RequestResult = { ...(res.doc as JsonObject), statusCode: res.statusCode, headers: res.headers };
    if (res.body) result.Body = res.body;
    if (res.headers['x-cos-request-id']) result.RequestId = res.headers['x-cos-request-id'];
    return result;
  } catch (e) {
    const err = asCosSdkError(e);
    if (err.headers?.['x-cos-request-id']) err.RequestId = err.headers['x-cos-request-id'];
    throw err;
  }
}

export interface AbortUploadTaskParams extends CommonParams {
  Key: string;
  /** 'task' (default): the one UploadId; 'file': every upload of Key; 'bucket': every upload of the bucket. */
  Level?: 'task' | 'file' | 'bucket';
  UploadId?: string;
  /** Aborts at once (default 1). */
  AsyncLimit?: number;
}
export interface AbortedUpload {
  Bucket: string;
  Region: string;
  Key: string;
  UploadId: string;
}
export interface AbortUploadTaskResult {
  successList: AbortedUpload[];
  errorList: AbortedUpload[];
}

/** Every multipart upload under a prefix, all pages (advance.js wholeMultipartList). */
async function wholeMultipartList(client: Client, p: { Bucket: string; Region: string; Key?: string; Headers?: Headers }): Promise<MultipartUpload[]> {
  const uploads: MultipartUpload[] = [];
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await run(client, METHODS.multipartList, { Bucket: p.Bucket, Region: p.Region, Prefix: p.Key, ...markers });
    uploads.push(...(page.Upload ?? []));
    if (page.IsTruncated !== 'true') return uploads;
    markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
  }
}

async function abortUploadTask(client: Client, input: AbortUploadTaskParams): Promise<AbortUploadTaskResult> {
  const p = checkParams('object', input, client.options);
  const level = p.Level || 'task';
  let uploads: { Key: string; UploadId?: string; UploadID?: string }[];
  if (level === 'bucket') uploads = await wholeMultipartList(client, { Bucket: p.Bucket!, Region: p.Region! });
  else if (level === 'file') uploads = await wholeMultipartList(client, { Bucket: p.Bucket!, Region: p.Region!, Key: p.Key });
  else if (level === 'task') {
    if (!p.UploadId) throw paramError('abort_upload_task_no_id');
    uploads = [{ Key: p.Key, UploadId: p.UploadId }];
  } else throw paramError('abort_unknown_level');

  const outcomes: ({ task: AbortedUpload; error: CosSdkError | null } | undefined)[] = new Array(uploads.length);
  await eachLimit(uploads.map((upload, index) => ({ upload, index })), p.AsyncLimit || 1, async ({ upload, index }) => {
    // As the official SDK: with a Key, only that key's uploads are aborted (a bucket's list has them all).
    if (p.Key && p.Key !== upload.Key) return;
    const UploadId = (upload.UploadId || upload.UploadID) as string;
    const task = { Bucket: p.Bucket!, Region: p.Region!, Key: upload.Key, UploadId };
    try {
      await run(client, METHODS.multipartAbort, { Bucket: p.Bucket!, Region: p.Region!, Key: upload.Key, Headers: p.Headers, UploadId });
      outcomes[index] = { task, error: null };
    } catch (e) {
      outcomes[index] = { task, error: asCosSdkError(e) };
    }
  });
  const done = outcomes.filter((o) => o !== undefined);
  return { successList: done.filter((o) => !o.error).map((o) => o.task), errorList: done.filter((o) => o.error).map((o) => o.task) };
}

export const GENERIC_METHODS = { request, abortUploadTask };
