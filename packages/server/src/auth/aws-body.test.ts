import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { chunkStringToSign, CosError, signingKey, trailerStringToSign } from '@cosbox/protocol';
import { awsBody, crc32c, payloadHeader, payloadRule, type ChunkSigning, type PayloadRule } from './aws-body.js';
import { nodeCrypto } from './node-crypto.js';

const DATE = '20260101T000000Z';
const SCOPE = '20260101/ap-guangzhou/s3/aws4_request';
const signing: ChunkSigning = { key: signingKey(nodeCrypto, 'secret', { date: '20260101', region: 'ap-guangzhou', service: 's3' }), date: DATE, scope: SCOPE, seed: 'a'.repeat(64) };

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const hmac = (m: string) => createHmac('sha256', signing.key).update(m).digest('hex');
const b64crc32 = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString('base64');
};

/** The wire form of a signed aws-chunked body; `trailer` lines are signed too when given. */
function signedBody(chunks: Buffer[], trailer?: Record<string, string>): { wire: Buffer; parts: Buffer[] } {
  const parts: Buffer[] = [];
  let previous = signing.seed;
  for (const data of [...chunks, Buffer.alloc(0)]) {
    previous = hmac(chunkStringToSign(DATE, SCOPE, previous, sha256(data)));
    parts.push(Buffer.from(`${data.length.toString(16)};chunk-signature=${previous}\r\n`), data);
    if (data.length) parts.push(Buffer.from('\r\n'));
  }
  if (trailer) {
    const lines = Object.entries(trailer).map(([n, v]) => `${n}:${v}\n`).join('');
    const signature = hmac(trailerStringToSign(DATE, SCOPE, previous, sha256(lines)));
    parts.push(Buffer.from(Object.entries(trailer).map(([n, v]) => `${n}:${v}\r\n`).join('') + `x-amz-trailer-signature:${signature}\r\n\r\n`));
  } else {
    parts.push(Buffer.from('\r\n'));
  }
  return { wire: Buffer.concat(parts), parts };
}

/** `wire` split into pieces of `size` bytes, as a socket might deliver it. */
async function* pieces(wire: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < wire.length; i += size) yield wire.subarray(i, i + size);
}

async function read(wire: Buffer, rule: PayloadRule, headers: Record<string, string> = {}, size = 7): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of awsBody(pieces(wire, size), rule, (n) => headers[n])) out.push(Buffer.from(chunk));
  return Buffer.concat(out);
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => e instanceof CosError && e.code === code);
}

const data = [Buffer.alloc(1000, 'a'), Buffer.alloc(17, 'b')];
const whole = Buffer.concat(data);

test('signed aws-chunked: decoded across any split of the wire; a flipped byte or a reordered chunk is SignatureDoesNotMatch', async () => {
  const { wire } = signedBody(data);
  const rule = payloadRule((n) => ({ 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '1017' })[n], signing);
  for (const size of [1, 2, 7, 1000, 1 << 20]) assert.ok((await read(wire, rule, {}, size)).equals(whole));
  const flipped = Buffer.from(wire);
  flipped[wire.indexOf('aaaa') + 10] ^= 1;
  await rejectsWith(read(flipped, rule), 'SignatureDoesNotMatch');
  // The chunks as signed, sent in another order: each signature is chained to the one before.
  const [h0, d0, crlf0, h1, d1, crlf1, ...rest] = signedBody(data).parts;
  const reordered = Buffer.concat([h1, d1, crlf1, h0, d0, crlf0, ...rest]);
  await rejectsWith(read(reordered, rule), 'SignatureDoesNotMatch');
  await rejectsWith(read(wire, { ...rule, signing: { ...signing, seed: 'b'.repeat(64) } } as PayloadRule), 'SignatureDoesNotMatch');
});

test('aws-chunked framing errors are IncompleteBody: cut short, bad size, missing CRLF, extra bytes, wrong decoded length', async () => {
  const { wire } = signedBody(data);
  const rule: PayloadRule = { kind: 'chunked', signing, trailer: false, decodedLength: 1017 };
  await rejectsWith(read(wire.subarray(0, 500), rule), 'IncompleteBody');
  await rejectsWith(read(wire.subarray(0, wire.length - 90), rule), 'IncompleteBody');
  await rejectsWith(read(Buffer.concat([wire, Buffer.from('junk')]), rule), 'IncompleteBody');
  await rejectsWith(read(wire, { ...rule, decodedLength: 1016 }), 'IncompleteBody');
  await rejectsWith(read(wire, { ...rule, decodedLength: 2000 }), 'IncompleteBody');
  await rejectsWith(read(Buffer.from('zz;chunk-signature=x\r\n'), rule), 'IncompleteBody');
  await rejectsWith(read(Buffer.from('1'.repeat(5000)), rule), 'IncompleteBody');
  const noCrlf = Buffer.from(wire.toString('latin1').replace('a\r\n11;', 'aXX11;'), 'latin1');
  await rejectsWith(read(noCrlf, rule), 'IncompleteBody');
  const unsignedChunk = Buffer.from('3\r\nabc\r\n0\r\n\r\n');
  await rejectsWith(read(unsignedChunk, rule), 'SignatureDoesNotMatch');
});

test('STREAMING-UNSIGNED-PAYLOAD-TRAILER: decoded, the trailer checksum checked (CRC32, CRC32C, SHA-256); a wrong one is BadDigest', async () => {
  const body = (trailer: string) => Buffer.from(`3e8\r\n${'a'.repeat(1000)}\r\n11\r\n${'b'.repeat(17)}\r\n0\r\n${trailer}\r\n`);
  const headers = { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-decoded-content-length': '1017' };
  const rule = payloadRule((n) => headers[n as keyof typeof headers]);
  assert.ok((await read(body(`x-amz-checksum-crc32:${b64crc32(whole)}\r\n`), rule, headers)).equals(whole));
  await rejectsWith(read(body('x-amz-checksum-crc32:AAAAAA==\r\n'), rule, headers), 'BadDigest');
  await rejectsWith(read(body(''), rule, headers), 'InvalidRequest');
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc32c(whole));
  const crc32cHeaders = { ...headers, 'x-amz-trailer': 'x-amz-checksum-crc32c' };
  assert.ok((await read(body(`x-amz-checksum-crc32c:${c.toString('base64')}\r\n`), rule, crc32cHeaders)).equals(whole));
  const shaHeaders = { ...headers, 'x-amz-trailer': 'x-amz-checksum-sha256' };
  const sha = createHash('sha256').update(whole).digest('base64');
  assert.ok((await read(body(`x-amz-checksum-sha256:${sha}\r\n`), rule, shaHeaders)).equals(whole));
});

test('CRC32C is the Castagnoli polynomial (check value of "123456789")', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

test('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the trailer signature is chained from the last chunk; a changed trailer is refused', async () => {
  const checksum = b64crc32(whole);
  const { wire } = signedBody(data, { 'x-amz-checksum-crc32': checksum });
  const headers = { 'x-amz-trailer': 'x-amz-checksum-crc32' };
  const rule: PayloadRule = { kind: 'chunked', signing, trailer: true, decodedLength: 1017 };
  assert.ok((await read(wire, rule, headers)).equals(whole));
  const changed = Buffer.from(wire.toString('latin1').replace(checksum, 'AAAAAA=='), 'latin1');
  await rejectsWith(read(changed, rule, headers), 'SignatureDoesNotMatch');
  const unsignedTrailer = Buffer.from(wire.toString('latin1').replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, ''), 'latin1');
  await rejectsWith(read(unsignedTrailer, rule, headers), 'SignatureDoesNotMatch');
});

test('a hex x-amz-content-sha256 is checked at the end of the stream; a checksum header is checked too', async () => {
  const rule = payloadRule((n) => (n === 'x-amz-content-sha256' ? sha256(whole).toUpperCase() : undefined));
  assert.ok((await read(whole, rule)).equals(whole));
  await rejectsWith(read(Buffer.from('other'), rule), 'XAmzContentSHA256Mismatch');
  const asSent: PayloadRule = { kind: 'as-sent' };
  assert.ok((await read(whole, asSent, { 'x-amz-checksum-crc32': b64crc32(whole) })).equals(whole));
  await rejectsWith(read(whole, asSent, { 'x-amz-checksum-crc32': 'AAAAAA==' }), 'BadDigest');
});

test('payloadRule: UNSIGNED-PAYLOAD streams as sent; signed streaming needs a V4 header signature; junk is InvalidArgument', () => {
  const rule = (value: string, withSigning = false) => payloadRule((n) => (n === 'x-amz-content-sha256' ? value : undefined), withSigning ? signing : undefined);
  assert.deepEqual(rule('UNSIGNED-PAYLOAD'), { kind: 'as-sent' });
  assert.throws(() => rule('STREAMING-AWS4-HMAC-SHA256-PAYLOAD'), (e: unknown) => e instanceof CosError && e.code === 'AccessDenied');
  assert.equal(rule('STREAMING-AWS4-HMAC-SHA256-PAYLOAD', true).kind, 'chunked');
  assert.throws(() => rule('md5-please'), (e: unknown) => e instanceof CosError && e.code === 'InvalidArgument');
  assert.throws(() => payloadRule((n) => ({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-decoded-content-length': '-1' })[n]), (e: unknown) => e instanceof CosError && e.code === 'InvalidArgument');
});

test('handlers see the decoded length and no aws-chunked coding', () => {
  const raw: Record<string, string> = { 'content-length': '1200', 'content-encoding': 'aws-chunked, gzip', 'transfer-encoding': 'chunked', 'x-amz-meta-a': 'b' };
  const header = payloadHeader((n) => raw[n], { kind: 'chunked', trailer: true, decodedLength: 1017 });
  assert.equal(header('content-length'), '1017');
  assert.equal(header('content-encoding'), 'gzip');
  assert.equal(header('transfer-encoding'), undefined);
  assert.equal(header('x-amz-meta-a'), 'b');
  assert.equal(payloadHeader((n) => raw[n], { kind: 'chunked', trailer: false })('content-encoding'), 'gzip');
});

test('property: any split of a signed aws-chunked body (with or without a signed trailer) decodes to its data; any flipped byte is refused', async () => {
  const fc = (await import('fast-check')).default;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 64 }),
      fc.nat(),
      fc.boolean(),
      async (arrays, split, at, withTrailer) => {
        const chunks = arrays.map((a) => Buffer.from(a));
        const expected = Buffer.concat(chunks);
        const trailer = withTrailer ? { 'x-amz-checksum-crc32': b64crc32(expected) } : undefined;
        const headers: Record<string, string> = withTrailer ? { 'x-amz-trailer': 'x-amz-checksum-crc32' } : {};
        const { wire } = signedBody(chunks, trailer);
        const rule: PayloadRule = { kind: 'chunked', signing, trailer: withTrailer, decodedLength: expected.length };
        assert.ok((await read(wire, rule, headers, split)).equals(expected));
        const flipped = Buffer.from(wire);
        flipped[at % wire.length] ^= 1;
        await assert.rejects(read(flipped, rule, headers, split), (e: unknown) => e instanceof CosError && ['SignatureDoesNotMatch', 'IncompleteBody', 'BadDigest'].includes(e.code));
      },
    ),
    { numRuns: 200 },
  );
});
