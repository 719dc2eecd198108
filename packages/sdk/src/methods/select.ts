/**
 * COS Select (POST Object ?select&select-type=2): the request of cos-nodejs-sdk-v5, and its answer,
 * an event stream of messages (total length, headers length, prelude CRC, headers, payload, CRC;
 * select-stream.js), read into the official result: `Payload` (the Records), `Stats`, progress
 * events to onProgress, an error event as the error. cosbox does not serve Select.
 */
import { method, type GeneralResult } from '../api.js';
import { CosSdkError, paramError } from '../errors.js';
import { platform } from '../transport.js';
import { json2xml, xml2json } from '../util.js';
import type { ObjectParams } from './object.js';

export interface SelectObjectContentParams extends ObjectParams {
  /** 2 (the only type COS has). */
  SelectType: number | string;
  SelectRequest: Record<string, unknown>;
  VersionId?: string;
  /** 'raw': the answer's bytes as they came, not its Records. */
  DataType?: 'raw';
  onProgress?: (progress: Record<string, unknown>) => void;
}
export interface SelectObjectContentResult extends GeneralResult {
  /** The Records' bytes: a Buffer in Node, a string in browsers (as cos-js-sdk-v5). */
  Payload?: Uint8Array;
  Stats?: Record<string, unknown>;
}

interface SelectMessage {
  headers: Record<string, string>;
  payload: Uint8Array;
}

/** The messages of an event stream; a truncated last message is dropped. */
export function selectMessages(bytes: Uint8Array): SelectMessage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end));
  const messages: SelectMessage[] = [];
  let offset = 0;
  while (offset + 12 <= bytes.length) {
    const total = view.getInt32(offset);
    const headersLength = view.getInt32(offset + 4);
    if (total < 16 || offset + total > bytes.length) break;
    const headers: Record<string, string> = {};
    let at = offset + 12;
    const headersEnd = at + headersLength;
    while (at < headersEnd) {
      const nameLength = bytes[at];
      const name = ascii(at + 1, at + 1 + nameLength);
      const valueLength = view.getInt16(at + nameLength + 2);
      headers[name] = ascii(at + nameLength + 4, at + nameLength + 4 + valueLength);
      at += nameLength + 4 + valueLength;
    }
    messages.push({ headers, payload: bytes.subarray(headersEnd, offset + total - 4) });
    offset += total;
  }
  return messages;
}

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

/** The official result of an answer: Records as Payload, Stats, progress reported; an error event throws. */
export function selectResult(
  bytes: Uint8Array,
  p: Pick<SelectObjectContentParams, 'onProgress'>,
  fields: { statusCode?: number; headers?: Record<string, string> } = {},
): { Payload?: Uint8Array; Stats?: Record<string, unknown> } {
  const records: Uint8Array[] = [];
  let Stats: Record<string, unknown> | undefined;
  for (const { headers, payload } of selectMessages(bytes)) {
    const text = () => new TextDecoder().decode(payload);
    const event = headers[':event-type'];
    if (headers[':message-type'] === 'error' || event === 'error') throw new CosSdkError(headers[':error-code'], headers[':error-message'], fields);
    if (event === 'Records') records.push(payload);
    else if (event === 'Progress') p.onProgress?.(xml2json(text()).Progress);
    else if (event === 'Stats') Stats = xml2json(text()).Stats;
  }
  const result: { Payload?: Uint8Array; Stats?: Record<string, unknown> } = {};
  if (Stats) result.Stats = Stats;
  result.Payload = platform().responseBody(concat(records), undefined, undefined) as Uint8Array;
  return result;
}

const selectXml = (p: SelectObjectContentParams) => json2xml({ SelectRequest: p.SelectRequest || {} });

export const selectMethods = {
  selectObjectContent: method<SelectObjectContentParams, SelectObjectContentResult>({
    cam: 'GetObject',
    method: 'POST',
    target: 'object',
    action: 'select',
    check: (p) => {
      if (!p.SelectType) throw paramError('missing param SelectType');
    },
    query: (p) => ({ 'select-type': p.SelectType, versionId: p.VersionId }),
    body: selectXml,
    headers: (p, headers) => {
      headers['Content-Type'] = 'application/xml';
      headers['Content-MD5'] = platform().crypto.md5Base64(selectXml(p));
    },
    rawBody: true,
    result: (res, p) => {
      const bytes = res.body ?? new Uint8Array();
      const fields = p.DataType === 'raw' ? { Payload: platform().responseBody(bytes, undefined, undefined) as Uint8Array } : selectResult(bytes, p, { statusCode: res.statusCode, headers: res.headers });
      return { statusCode: res.statusCode, headers: res.headers, ...fields };
    },
  }),
};
