// Runs in Chromium on the @cosbox/sdk test page: OUR SDK's single-file bundle (window.COS, from
// packages/sdk/dist/cos-sdk.browser.js) against cosbox, with temporary keys from the page server's
// /credentials; the official cos-js-sdk-v5 beside it (window.OfficialCOS) for comparing errors; and
// a third instance against the page server's own /flaky/ endpoints (same origin) for retries and
// cancelation. The test calls these functions through page.evaluate; each resolves to plain data,
// an SDK error included ({ error: {...} }).
/* global COS, OfficialCOS, COSBOX */
const { Bucket, Region, Domain } = COSBOX;

const getAuthorization = (_options, callback) => {
  fetch('/credentials')
    .then((res) => res.json())
    .then(callback, (err) => callback({ error: String(err) }));
};
const cos = new COS({ Protocol: 'http:', Domain, getAuthorization });
const official = new OfficialCOS({ Protocol: 'http:', Domain, getAuthorization });
/** Frequent progress reports, to cancel an upload part-way through. */
const eager = new COS({ Protocol: 'http:', Domain, getAuthorization, ProgressInterval: 5 });
/** The page server itself (same origin: no CORS), scripted to fail in given ways. */
const flaky = new COS({ SecretId: 'AKIDflaky', SecretKey: 'flaky', Protocol: 'http:', Domain: location.host });

/** The fields of an SDK error the test compares. */
const errorFields = (err) => ({
  isError: err instanceof Error,
  code: err.code,
  message: err.message,
  statusCode: err.statusCode,
  RequestId: err.RequestId,
  url: err.url,
  method: err.method,
  hasHeaders: typeof err.headers === 'object' && err.headers !== null,
  error: err.error && { Code: err.error.Code, Message: err.error.Message, Resource: err.error.Resource, RequestId: err.error.RequestId },
  UploadId: err.UploadId,
});

/** Callback form, as the official SDK is mostly called. */
const settle = (run) => new Promise((resolve) => run((err, data) => resolve(err ? { error: errorFields(err) } : data)));
/** Promise form. */
const settled = (promise) => promise.then((data) => data, (err) => ({ error: errorFields(err) }));

/** The same bytes as bytesOf() in the Node test: i % 251 at offset i. */
const patternBytes = (size) => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
};
const patternFile = (size, name = 'pattern.bin', type = 'application/octet-stream') => new File([patternBytes(size)], name, { type });

const sha256Hex = async (buffer) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', buffer))].map((b) => b.toString(16).padStart(2, '0')).join('');

const progressRecorder = () => {
  const percents = [];
  const loaded = [];
  return { percents, loaded, onProgress: (info) => (percents.push(info.percent), loaded.push(info.loaded)) };
};

window.cosboxPage = {
  /** putObject of a string (callback form), with onProgress. */
  async putText({ Key, text }) {
    const p = progressRecorder();
    const result = await settle((cb) => cos.putObject({ Bucket, Region, Key, Body: text, onProgress: p.onProgress }, cb));
    return { ...result, percents: p.percents };
  },

  /** putObject of a Blob (Promise form), with onProgress. */
  async putBlob({ Key, size, type }) {
    const p = progressRecorder();
    const Body = new Blob([patternBytes(size)], { type });
    const result = await settled(cos.putObject({ Bucket, Region, Key, Body, onProgress: p.onProgress }));
    return { ETag: result.ETag, statusCode: result.statusCode, Location: result.Location, error: result.error, percents: p.percents, loaded: p.loaded };
  },

  /** getObject: the default string Body, an ArrayBuffer, and a Blob; with download progress. */
  async getAll({ Key }) {
    const p = progressRecorder();
    const text = await settled(cos.getObject({ Bucket, Region, Key, onProgress: p.onProgress }));
    if (text.error) return text;
    const buffer = await settled(cos.getObject({ Bucket, Region, Key, DataType: 'arraybuffer' }));
    const blob = await settled(cos.getObject({ Bucket, Region, Key, DataType: 'blob' }));
    return {
      textType: typeof text.Body,
      text: text.Body.length < 10_000 ? text.Body : undefined,
      ETag: text.ETag,
      statusCode: text.statusCode,
      percents: p.percents,
      bufferIsArrayBuffer: buffer.Body instanceof ArrayBuffer,
      bufferSha256: await sha256Hex(buffer.Body),
      blobIsBlob: blob.Body instanceof Blob,
      blobSize: blob.Body.size,
      blobType: blob.Body.type,
    };
  },

  async head({ Key }) {
    const result = await settled(cos.headObject({ Bucket, Region, Key }));
    return result.error ? result : { statusCode: result.statusCode, ETag: result.ETag, length: result.headers['content-length'], RequestId: result.RequestId };
  },

  async list({ Prefix }) {
    const result = await settled(cos.getBucket({ Bucket, Region, Prefix }));
    return result.error ? result : { statusCode: result.statusCode, Keys: result.Contents.map((c) => c.Key), Sizes: result.Contents.map((c) => c.Size), IsTruncated: result.IsTruncated };
  },

  async del({ Key }) {
    const result = await settled(cos.deleteObject({ Bucket, Region, Key }));
    return result.error ? result : { statusCode: result.statusCode };
  },

  /** sliceUploadFile of a generated File, in parts of ChunkSize. */
  async sliceUpload({ Key, size, ChunkSize }) {
    const p = progressRecorder();
    const result = await settled(cos.sliceUploadFile({ Bucket, Region, Key, Body: patternFile(size), ChunkSize, onProgress: p.onProgress }));
    return { ETag: result.ETag, UploadId: result.UploadId, Location: result.Location, error: result.error, percents: p.percents };
  },

  /** uploadFile of a generated File (a text file: its type is stored), SliceSize deciding one request or parts. */
  async uploadFile({ Key, size, SliceSize }) {
    const p = progressRecorder();
    const finished = [];
    const result = await settled(
      cos.uploadFile({
        Bucket,
        Region,
        Key,
        Body: patternFile(size, 'notes.txt', 'text/plain'),
        SliceSize,
        onProgress: p.onProgress,
        onFileFinish: (err, data) => finished.push({ err: err && err.code, ETag: data && data.ETag }),
      }),
    );
    return { ETag: result.ETag, UploadId: result.UploadId, error: result.error, percents: p.percents, finished };
  },

  /** The low-level multipart calls, with Blob parts: init, two parts, complete. */
  async multipart({ Key, sizes }) {
    const init = await settled(cos.multipartInit({ Bucket, Region, Key, ContentType: 'application/x-parts' }));
    if (init.error) return init;
    const file = patternFile(sizes.reduce((a, b) => a + b, 0));
    const parts = [];
    let offset = 0;
    for (let i = 0; i < sizes.length; i++) {
      const part = await settled(cos.multipartUpload({ Bucket, Region, Key, UploadId: init.UploadId, PartNumber: i + 1, Body: file.slice(offset, offset + sizes[i]) }));
      if (part.error) return part;
      parts.push({ PartNumber: i + 1, ETag: part.ETag });
      offset += sizes[i];
    }
    const listed = await settled(cos.multipartListPart({ Bucket, Region, Key, UploadId: init.UploadId }));
    const done = await settled(cos.multipartComplete({ Bucket, Region, Key, UploadId: init.UploadId, Parts: parts }));
    return { UploadId: init.UploadId, parts, listed: listed.Part, ETag: done.ETag, Location: done.Location, error: done.error };
  },

  /** getObjectUrl (signed through getAuthorization: the URL comes to the callback), then a plain fetch of it. */
  async signedUrl({ Key }) {
    const url = await new Promise((resolve, reject) => cos.getObjectUrl({ Bucket, Region, Key }, (err, data) => (err ? reject(err) : resolve(data.Url))));
    const res = await fetch(url);
    return { url, status: res.status, text: await res.text() };
  },

  /** getObject of a missing key, with our SDK and with the official one. */
  async missing({ Key }) {
    const ours = await settled(cos.getObject({ Bucket, Region, Key }));
    const theirs = await settle((cb) => official.getObject({ Bucket, Region, Key }, cb));
    const headOurs = await settled(cos.headObject({ Bucket, Region, Key }));
    const headTheirs = await settle((cb) => official.headObject({ Bucket, Region, Key }, cb));
    return { ours: ours.error, theirs: theirs.error, headOurs: headOurs.error, headTheirs: headTheirs.error };
  },

  /** sliceUploadFile canceled through an AbortSignal once some bytes are reported sent. */
  async abortSliceUpload({ Key, size }) {
    const controller = new AbortController();
    const loaded = [];
    const result = await settled(
      eager.sliceUploadFile({
        Bucket,
        Region,
        Key,
        Body: patternFile(size),
        ChunkSize: 1024 * 1024,
        AsyncLimit: 1,
        Signal: controller.signal,
        onProgress: (info) => {
          loaded.push(info.loaded);
          if (info.loaded > 0) controller.abort();
        },
      }),
    );
    return { error: result.error, ETag: result.ETag, loaded };
  },

  /** A request the server holds unanswered, canceled while in flight; and a call with a signal aborted before it starts. */
  async abortInFlight({ Key, afterMs }) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), afterMs);
    const inFlight = await settled(flaky.putObject({ Bucket, Region, Key, Body: 'held', Signal: controller.signal }));
    const before = await settled(flaky.putObject({ Bucket, Region, Key: 'flaky/never', Body: 'x', Signal: AbortSignal.abort() }));
    return { inFlight: inFlight.error, before: before.error };
  },

  /** putObject against a scripted failure of the page server. */
  async flakyPut({ Key }) {
    const result = await settled(flaky.putObject({ Bucket, Region, Key, Body: `body of ${Key}` }));
    return result.error ? result : { ETag: result.ETag, statusCode: result.statusCode };
  },
};
