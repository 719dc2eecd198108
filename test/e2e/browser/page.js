// Runs in Chromium on the test page: the official cos-js-sdk-v5 (window.COS, loaded unmodified from
// node_modules) against cosbox, with temporary keys that the page's own server hands out at
// /credentials. The test calls these functions through page.evaluate; each resolves to plain data,
// an SDK error included ({ error: { statusCode, code, message } }).
/* global COS, COSBOX */
const { Bucket, Region, Domain } = COSBOX;

const cos = new COS({
  Protocol: 'http:',
  Domain,
  getAuthorization(_options, callback) {
    fetch('/credentials')
      .then((res) => res.json())
      .then(callback, (err) => callback({ error: String(err) }));
  },
});

const settle = (run) =>
  new Promise((resolve) =>
    run((err, data) =>
      resolve(err ? { error: { statusCode: err.statusCode, code: err.code, message: err.message || String(err.error || err) } } : data),
    ),
  );

/** The same bytes as bytesOf() in the Node test: i % 251 at offset i. */
const patternBlob = (size) => {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return new File([bytes], 'pattern.bin', { type: 'application/octet-stream' });
};

const sha256Hex = async (buffer) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', buffer))].map((b) => b.toString(16).padStart(2, '0')).join('');

window.cosboxPage = {
  /** putObject of a text, recording every onProgress percent. */
  async putWithProgress({ Key, text }) {
    const percents = [];
    const onProgress = (info) => percents.push(info.percent);
    const result = await settle((cb) => cos.putObject({ Bucket, Region, Key, Body: text, onProgress }, cb));
    return { ...result, percents };
  },

  /** sliceUploadFile of a generated file of `size` bytes in parts of `ChunkSize`. */
  async sliceUpload({ Key, size, ChunkSize }) {
    const percents = [];
    const onProgress = (info) => percents.push(info.percent);
    const result = await settle((cb) => cos.sliceUploadFile({ Bucket, Region, Key, Body: patternBlob(size), ChunkSize, onProgress }, cb));
    return { ...result, percents };
  },

  /** getObject as text. */
  async getText({ Key }) {
    const result = await settle((cb) => cos.getObject({ Bucket, Region, Key }, cb));
    return result.error ? result : { Body: result.Body, ETag: result.ETag, statusCode: result.statusCode };
  },

  /** getObject as bytes: their length and SHA-256. */
  async getDigest({ Key }) {
    const result = await settle((cb) => cos.getObject({ Bucket, Region, Key, DataType: 'arraybuffer' }, cb));
    return result.error ? result : { size: result.Body.byteLength, sha256: await sha256Hex(result.Body), statusCode: result.statusCode };
  },
};
