/**
 * The body of an S3 request as handlers see it: `x-amz-content-sha256` checked while it streams,
 * and aws-chunked bodies (`STREAMING-*`) decoded, each chunk's signature checked against the chain
 * that starts at the request's seed signature, and the trailer's checksum checked. Memory stays
 * flat: chunk data passes through as it arrives and is hashed on the way. A failed check throws
 * before the stream ends, so the store that reads it keeps nothing.
 */
import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  chunkStringToSign,
  CosError,
  equalHex,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  trailerStringToSign,
  UNSIGNED_PAYLOAD,
} from '@cosbox/protocol';

/** What a V4 signature's seed gives the chunk signatures: key, date and scope of the request. */
export interface ChunkSigning {
  key: Uint8Array;
  date: string;
  scope: string;
  seed: string;
}

export type PayloadRule =
  | { kind: 'as-sent' }
  | { kind: 'sha256'; hex: string }
  | { kind: 'chunked'; signing?: ChunkSigning; trailer: boolean; decodedLength?: number };

/** A chunk header line longer than this is no chunk header. */
const MAX_LINE = 4096;
/** Trailer lines together. */
const MAX_TRAILER = 16 * 1024;

/**
 * The rule for a request's body from its x-amz-content-sha256 (and, for signed chunks, the signing
 * key of its verified V4 signature). Anonymous and pre-signed requests may still send aws-chunked
 * bodies with an unsigned trailer, or a hex digest to check.
 */
export function payloadRule(header: (name: string) => string | undefined, signing?: ChunkSigning): PayloadRule {
  const declared = header('x-amz-content-sha256')?.trim();
  if (declared === undefined || declared === UNSIGNED_PAYLOAD || declared === '') return { kind: 'as-sent' };
  if (/^[0-9a-fA-F]{64}$/.test(declared)) return { kind: 'sha256', hex: declared.toLowerCase() };
  const decodedLength = decodedLengthOf(header('x-amz-decoded-content-length'));
  if (declared === STREAMING_UNSIGNED_TRAILER) return { kind: 'chunked', trailer: true, decodedLength };
  if (declared === STREAMING_SIGNED || declared === STREAMING_SIGNED_TRAILER) {
    if (!signing) throw new CosError('AccessDenied', `${declared} needs a request signed with AWS Signature V4 in the Authorization header.`);
    return { kind: 'chunked', signing, trailer: declared === STREAMING_SIGNED_TRAILER, decodedLength };
  }
  throw new CosError('InvalidArgument', `x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a SHA-256 hex digest, not "${declared}".`);
}

function decodedLengthOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw.trim())) throw new CosError('InvalidArgument', 'x-amz-decoded-content-length is not a number.');
  return Number(raw.trim());
}

/**
 * Headers as handlers read them: for an aws-chunked body the length is the decoded one and
 * `aws-chunked` is no content coding of the object.
 */
export function payloadHeader(header: (name: string) => string | undefined, rule: PayloadRule): (name: string) => string | undefined {
  if (rule.kind !== 'chunked') return header;
  return (name) => {
    if (name === 'content-length') return rule.decodedLength === undefined ? undefined : String(rule.decodedLength);
    if (name === 'content-encoding') {
      const rest = (header(name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
      return rest.length ? rest.join(', ') : undefined;
    }
    // The length is the decoded one: the body is no longer chunked on the wire as handlers see it.
    if (name === 'transfer-encoding') return rule.decodedLength === undefined ? 'chunked' : undefined;
    return header(name);
  };
}

/** The payload as handlers read it: decoded, and checked against every digest the request declares. */
export function awsBody(body: AsyncIterable<Uint8Array>, rule: PayloadRule, header: (name: string) => string | undefined): AsyncIterable<Uint8Array> {
  let trailer: ReadonlyMap<string, string> | undefined;
  const payload = rule.kind === 'sha256' ? checkedSha256(body, rule.hex) : rule.kind === 'chunked' ? decodeChunked(body, rule, (t) => (trailer = t)) : body;
  const trailing = rule.kind === 'chunked' && rule.trailer;
  return checkedChecksums(payload, header, trailing ? () => trailer ?? new Map() : undefined);
}

async function* checkedSha256(body: AsyncIterable<Uint8Array>, expected: string): AsyncIterable<Uint8Array> {
  const hash = createHash('sha256');
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
  if (hash.digest('hex') !== expected) throw new CosError('XAmzContentSHA256Mismatch');
}

/** Reads an aws-chunked body: `hex-size[;chunk-signature=sig]\r\n data \r\n` ... `0...\r\n` trailer `\r\n`. */
class ChunkReader {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** More bytes into the buffer; false at the end of the stream. */
  private async fill(): Promise<boolean> {
    const next = await this.source.next();
    if (next.done) return false;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, next.value]) : Buffer.from(next.value);
    return true;
  }

  /** One CRLF-terminated line (without the CRLF), or undefined at the end of the stream. */
  async line(limit = MAX_LINE): Promise<string | undefined> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end >= 0) {
        if (end > limit) break;
        const text = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 2);
        return text;
      }
      // A lone CR at the end may be the start of the CRLF.
      if (this.buffer.length > limit + 1) break;
      if (!(await this.fill())) return this.buffer.length ? malformed('the body ends inside a chunk header') : undefined;
    }
    return malformed('a chunk header line is too long');
  }

  /** Up to `max` bytes of chunk data as they arrive. */
  async data(max: number): Promise<Buffer> {
    if (this.buffer.length === 0 && !(await this.fill())) throw new CosError('IncompleteBody', 'The aws-chunked body ends inside a chunk.');
    const take = this.buffer.subarray(0, Math.min(max, this.buffer.length));
    this.buffer = this.buffer.subarray(take.length);
    return take;
  }

  async rest(): Promise<boolean> {
    if (this.buffer.length) return true;
    return this.fill();
  }
}

function malformed(why: string): never {
  throw new CosError('IncompleteBody', `The aws-chunked body is malformed: ${why}.`);
}

function badChunkSignature(): never {
  throw new CosError('SignatureDoesNotMatch', 'The chunk signature does not match: the body is not the one the request signed.');
}

/** `hex-size` or `hex-size;chunk-signature=<64 hex>`, exactly: a header is part of what is verified. */
function parseChunkHeader(line: string, signed: boolean): { size: number; signature?: string } {
  const m = /^([0-9a-fA-F]{1,15})(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(line);
  if (!m) malformed(`"${line.slice(0, 80)}" is no chunk header`);
  if (signed && m[2] === undefined) throw new CosError('SignatureDoesNotMatch', 'A chunk has no chunk-signature.');
  return { size: parseInt(m[1], 16), signature: m[2] };
}

async function* decodeChunked(
  body: AsyncIterable<Uint8Array>,
  rule: Extract<PayloadRule, { kind: 'chunked' }>,
  onTrailer: (trailer: ReadonlyMap<string, string>) => void,
): AsyncIterable<Uint8Array> {
  const reader = new ChunkReader(body[Symbol.asyncIterator]());
  const signing = rule.signing;
  let previous = signing?.seed ?? '';
  let total = 0;
  for (;;) {
    const line = await reader.line();
    if (line === undefined) throw new CosError('IncompleteBody', 'The aws-chunked body ends before its last chunk.');
    const { size, signature } = parseChunkHeader(line, signing !== undefined);
    total += size;
    if (rule.decodedLength !== undefined && total > rule.decodedLength) malformed('the chunks hold more than x-amz-decoded-content-length');
    const hash = signing ? createHash('sha256') : undefined;
    for (let left = size; left > 0; ) {
      const piece = await reader.data(left);
      left -= piece.length;
      hash?.update(piece);
      yield piece;
    }
    if (signing) {
      const expected = hmacHex(signing.key, chunkStringToSign(signing.date, signing.scope, previous, hash!.digest('hex')));
      if (!equalHex(expected, signature!)) badChunkSignature();
      previous = expected;
    }
    if (size === 0) break;
    if ((await reader.line(0)) !== '') malformed('chunk data is not followed by CRLF');
  }
  if (rule.trailer) onTrailer(await readTrailer(reader, signing, previous));
  else await reader.line(0); // the final CRLF; a client that leaves it out loses nothing
  if (await reader.rest()) malformed('bytes follow the last chunk');
  if (rule.decodedLength !== undefined && total !== rule.decodedLength) {
    throw new CosError('IncompleteBody', 'The aws-chunked body holds fewer bytes than x-amz-decoded-content-length.');
  }
}

function hmacHex(key: Uint8Array, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}

/**
 * The trailer: `name:value` lines up to an empty line. A signed trailer ends with
 * `x-amz-trailer-signature`, chained from the last chunk's signature over the other lines.
 * Checksums it carries are checked against the decoded bytes by the caller's hash pass.
 */
async function readTrailer(reader: ChunkReader, signing: ChunkSigning | undefined, previous: string): Promise<Map<string, string>> {
  const trailer = new Map<string, string>();
  let signature: string | undefined;
  let bytes = 0;
  for (;;) {
    const line = await reader.line();
    if (line === undefined || line === '') break;
    bytes += line.length;
    if (bytes > MAX_TRAILER) malformed('the trailer is too long');
    const colon = line.indexOf(':');
    // Control characters have no place in a header line (and would hide a changed CRLF from the signature).
    if (colon <= 0 || /[\x00-\x08\x0a-\x1f\x7f]/.test(line)) malformed('a trailer line is no header');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (name === 'x-amz-trailer-signature') signature = value.toLowerCase();
    else trailer.set(name, value);
  }
  if (signing) {
    if (signature === undefined) throw new CosError('SignatureDoesNotMatch', 'The signed trailer has no x-amz-trailer-signature.');
    const canonical = [...trailer].map(([n, v]) => `${n}:${v}\n`).join('');
    const expected = hmacHex(signing.key, trailerStringToSign(signing.date, signing.scope, previous, createHash('sha256').update(canonical).digest('hex')));
    if (!equalHex(expected, signature)) badChunkSignature();
  }
  return trailer;
}

/** The checksum algorithms of `x-amz-checksum-*`, as S3 spells them: base64 of the digest. */
const CHECKSUMS: Record<string, () => { update(b: Uint8Array): void; digest(): Buffer }> = {
  'x-amz-checksum-crc32': () => crc32Hash(crc32),
  'x-amz-checksum-crc32c': () => crc32Hash(crc32c),
  'x-amz-checksum-sha1': () => createHash('sha1'),
  'x-amz-checksum-sha256': () => createHash('sha256'),
};

function crc32Hash(fn: (data: Uint8Array, value: number) => number): { update(b: Uint8Array): void; digest(): Buffer } {
  let value = 0;
  return {
    update: (b) => void (value = fn(b, value)),
    digest: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out;
    },
  };
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(data: Uint8Array, value = 0): number {
  let c = ~value >>> 0;
  for (const b of data) c = CRC32C_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * A checksum the request declares for its payload (`x-amz-checksum-<alg>` as a header, or named by
 * `x-amz-trailer` and sent in the trailer), checked against the bytes as they pass: BadDigest.
 * Algorithms cosbox does not compute (CRC64NVME) pass unchecked.
 */
function checkedChecksums(
  body: AsyncIterable<Uint8Array>,
  header: (name: string) => string | undefined,
  trailer: (() => ReadonlyMap<string, string>) | undefined,
): AsyncIterable<Uint8Array> {
  const named = trailer ? (header('x-amz-trailer') ?? '').trim().toLowerCase() : '';
  const fromHeader = Object.keys(CHECKSUMS).find((name) => header(name) !== undefined);
  const name = CHECKSUMS[named] ? named : fromHeader;
  if (!name) return body;
  return (async function* () {
    const hash = CHECKSUMS[name]();
    for await (const chunk of body) {
      hash.update(chunk);
      yield chunk;
    }
    const expected = name === named ? trailer!().get(name) : header(name);
    if (expected === undefined) throw new CosError('InvalidRequest', `x-amz-trailer announces ${name}, which the trailer does not carry.`);
    if (hash.digest().toString('base64') !== expected.trim()) {
      throw new CosError('BadDigest', `The ${name.slice('x-amz-checksum-'.length).toUpperCase()} you specified did not match the calculated checksum.`);
    }
  })();
}

