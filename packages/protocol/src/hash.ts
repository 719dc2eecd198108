/**
 * MD5, SHA-1 and HMAC-SHA1 in plain JavaScript, for the SDK in browsers: the q-sign signature needs
 * SHA-1 and HMAC-SHA1 synchronously (SignatureCrypto is sync, so WebCrypto's async digest cannot
 * serve it), and Content-MD5 and the part checks of a resumed upload need MD5, which WebCrypto does
 * not offer at all. Node code keeps using node:crypto; these are tested against it.
 *
 * Both hashes are incremental (`update()` any number of times, then `digest()`), so a large Blob
 * can be hashed a chunk at a time. Strings are hashed as their UTF-8 bytes.
 *
 * No Node built-ins here: the protocol package also runs in browsers.
 */

const utf8 = new TextEncoder();

function bytesOf(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? utf8.encode(data) : data;
}

/** The Merkle–Damgård frame both hashes share: 64-byte blocks, a length in bits in the last 8 bytes. */
abstract class BlockHash {
  private readonly block = new Uint8Array(64);
  private readonly view = new DataView(this.block.buffer);
  private buffered = 0;
  /** Bytes hashed so far (a double: exact up to 2^53, far beyond any object). */
  private length = 0;
  private done = false;

  /** Mixes the 64-byte block at `offset` into the state. */
  protected abstract compress(block: DataView, offset: number): void;
  /** Whether the length and the output words are big-endian (SHA-1) or little-endian (MD5). */
  protected abstract readonly bigEndian: boolean;
  protected abstract state(): Int32Array;

  update(data: Uint8Array | string): this {
    if (this.done) throw new Error('hash already digested');
    const bytes = bytesOf(data);
    this.length += bytes.length;
    let offset = 0;
    if (this.buffered > 0) {
      const take = Math.min(64 - this.buffered, bytes.length);
      this.block.set(bytes.subarray(0, take), this.buffered);
      this.buffered += take;
      offset = take;
      if (this.buffered < 64) return this;
      this.compress(this.view, 0);
      this.buffered = 0;
    }
    // Whole blocks straight from the input, without copying.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (; offset + 64 <= bytes.length; offset += 64) this.compress(view, offset);
    this.block.set(bytes.subarray(offset), 0);
    this.buffered = bytes.length - offset;
    return this;
  }

  digest(): Uint8Array {
    if (this.done) throw new Error('hash already digested');
    const bits = this.length * 8;
    const high = Math.floor(bits / 0x100000000);
    const low = bits >>> 0;
    this.block[this.buffered++] = 0x80;
    if (this.buffered > 56) {
      this.block.fill(0, this.buffered);
      this.compress(this.view, 0);
      this.buffered = 0;
    }
    this.block.fill(0, this.buffered, 56);
    if (this.bigEndian) {
      this.view.setUint32(56, high, false);
      this.view.setUint32(60, low, false);
    } else {
      this.view.setUint32(56, low, true);
      this.view.setUint32(60, high, true);
    }
    this.compress(this.view, 0);
    this.done = true;
    const words = this.state();
    const out = new Uint8Array(words.length * 4);
    const outView = new DataView(out.buffer);
    words.forEach((word, i) => outView.setInt32(i * 4, word, !this.bigEndian));
    return out;
  }
}

/** Per-round shift amounts of MD5 (RFC 1321). */
const MD5_SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
/** floor(abs(sin(i + 1)) * 2^32), RFC 1321's table T. */
const MD5_T = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) | 0);

export class Md5 extends BlockHash {
  protected readonly bigEndian = false;
  private readonly h = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476);
  private readonly x = new Int32Array(16);

  protected state(): Int32Array {
    return this.h;
  }

  protected compress(block: DataView, offset: number): void {
    const { x, h } = this;
    for (let i = 0; i < 16; i++) x[i] = block.getInt32(offset + i * 4, true);
    let a = h[0];
    let b = h[1];
    let c = h[2];
    let d = h[3];
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      let f: number;
      let g: number;
      if (round === 0) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (round === 1) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (round === 2) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = MD5_SHIFTS[(round << 2) | (i & 3)];
      const sum = (a + f + MD5_T[i] + x[g]) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
  }
}

export class Sha1 extends BlockHash {
  protected readonly bigEndian = true;
  private readonly h = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);
  private readonly w = new Int32Array(80);

  protected state(): Int32Array {
    return this.h;
  }

  protected compress(block: DataView, offset: number): void {
    const { w, h } = this;
    for (let i = 0; i < 16; i++) w[i] = block.getInt32(offset + i * 4, false);
    for (let i = 16; i < 80; i++) {
      const v = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = (v << 1) | (v >>> 31);
    }
    let a = h[0];
    let b = h[1];
    let c = h[2];
    let d = h[3];
    let e = h[4];
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
  }
}

export const md5 = (data: Uint8Array | string): Uint8Array => new Md5().update(data).digest();
export const sha1 = (data: Uint8Array | string): Uint8Array => new Sha1().update(data).digest();

/** HMAC-SHA1 (RFC 2104): a key longer than the 64-byte block is hashed first. */
export function hmacSha1(key: Uint8Array | string, message: Uint8Array | string): Uint8Array {
  let k = bytesOf(key);
  if (k.length > 64) k = sha1(k);
  const inner = new Uint8Array(64);
  const outer = new Uint8Array(64);
  inner.set(k);
  outer.set(k);
  for (let i = 0; i < 64; i++) {
    inner[i] ^= 0x36;
    outer[i] ^= 0x5c;
  }
  return new Sha1().update(outer).update(new Sha1().update(inner).update(message).digest()).digest();
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The SignatureCrypto of the q-sign code, and the MD5s of the SDK, without node:crypto. */
export const pureCrypto = {
  sha1Hex: (message: string): string => toHex(sha1(message)),
  hmacSha1Hex: (key: string, message: string): string => toHex(hmacSha1(key, message)),
  md5Hex: (data: Uint8Array | string): string => toHex(md5(data)),
  md5Base64: (data: Uint8Array | string): string => toBase64(md5(data)),
};
