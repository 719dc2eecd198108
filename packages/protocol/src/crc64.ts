/**
 * CRC-64/ECMA-182 as COS reports it in `x-cos-hash-crc64ecma`: the reflected ECMA-182 polynomial
 * with all-ones initial value and final xor (the parameter set also known as CRC-64/XZ, and what
 * Go's `crc64.Checksum(data, crc64.MakeTable(crc64.ECMA))` computes), printed as an unsigned decimal.
 *
 * The hot loop works on two 32-bit halves with slicing-by-8 tables: BigInt arithmetic per byte
 * would make hashing, not the disk, the bottleneck of every upload. `combineCrc64` joins the CRCs
 * of two adjacent pieces without their bytes (multipart Complete, append) using zlib's GF(2)
 * matrix method; it runs once per piece, so BigInt is fine there.
 */

const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;
const POLY = (BigInt(POLY_HI) << 32n) | BigInt(POLY_LO);
const MASK64 = (1n << 64n) - 1n;

// TABLE_LO[k * 256 + i], TABLE_HI[k * 256 + i]: the slicing-by-8 tables, k = 0..7.
const TABLE_LO = new Uint32Array(256 * 8);
const TABLE_HI = new Uint32Array(256 * 8);

for (let i = 0; i < 256; i++) {
  let lo = i;
  let hi = 0;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      lo = (lo ^ POLY_LO) >>> 0;
      hi = (hi ^ POLY_HI) >>> 0;
    }
  }
  TABLE_LO[i] = lo;
  TABLE_HI[i] = hi;
}
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const prevLo = TABLE_LO[(k - 1) * 256 + i];
    const prevHi = TABLE_HI[(k - 1) * 256 + i];
    const idx = prevLo & 0xff;
    TABLE_LO[k * 256 + i] = (((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[idx]) >>> 0;
    TABLE_HI[k * 256 + i] = ((prevHi >>> 8) ^ TABLE_HI[idx]) >>> 0;
  }
}

/** Incremental CRC-64/ECMA-182. `update()` with each chunk, then `digest()` (decimal string). */
export class Crc64 {
  // The register, pre-inverted (init = all ones).
  private lo = 0xffffffff;
  private hi = 0xffffffff;

  update(data: Uint8Array): this {
    let lo = this.lo;
    let hi = this.hi;
    const n = data.length;
    let i = 0;
    const end8 = n - (n % 8);
    const T_LO = TABLE_LO;
    const T_HI = TABLE_HI;
    while (i < end8) {
      const a = lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
      const b = hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24));
      const i7 = 7 * 256 + (a & 0xff);
      const i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff);
      const i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff);
      const i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = T_LO[i7] ^ T_LO[i6] ^ T_LO[i5] ^ T_LO[i4] ^ T_LO[i3] ^ T_LO[i2] ^ T_LO[i1] ^ T_LO[i0];
      hi = T_HI[i7] ^ T_HI[i6] ^ T_HI[i5] ^ T_HI[i4] ^ T_HI[i3] ^ T_HI[i2] ^ T_HI[i1] ^ T_HI[i0];
      i += 8;
    }
    while (i < n) {
      const idx = (lo ^ data[i]) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ T_LO[idx];
      hi = (hi >>> 8) ^ T_HI[idx];
      i++;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The CRC as an unsigned 64-bit integer. */
  value(): bigint {
    return ((BigInt(~this.hi >>> 0) << 32n) | BigInt(~this.lo >>> 0)) & MASK64;
  }

  /** The CRC as COS prints it: an unsigned decimal string. */
  digest(): string {
    return this.value().toString();
  }
}

export function crc64(data: Uint8Array): string {
  return new Crc64().update(data).digest();
}

function gf2Times(mat: bigint[], vec: bigint): bigint {
  let sum = 0n;
  let i = 0;
  while (vec !== 0n) {
    if (vec & 1n) sum ^= mat[i];
    vec >>= 1n;
    i++;
  }
  return sum;
}

function gf2Square(mat: bigint[]): bigint[] {
  return mat.map((row) => gf2Times(mat, row));
}

/**
 * CRC of A‖B from crc(A), crc(B) and |B| (zlib's crc32_combine, widened to 64 bits). Accepts and
 * returns decimal strings, as stored and reported.
 */
export function combineCrc64(crcA: string, crcB: string, lengthB: number | bigint): string {
  let len = BigInt(lengthB);
  let crc1 = BigInt(crcA);
  const crc2 = BigInt(crcB);
  if (len === 0n) return crc1.toString();
  // The operator for one zero bit, then squared to two and four bits.
  let odd: bigint[] = [POLY];
  let row = 1n;
  for (let n = 1; n < 64; n++) {
    odd.push(row);
    row <<= 1n;
  }
  let even = gf2Square(odd);
  odd = gf2Square(even);
  // Apply len zero bytes to crc1 (the first square gives the one-byte operator).
  do {
    even = gf2Square(odd);
    if (len & 1n) crc1 = gf2Times(even, crc1);
    len >>= 1n;
    if (len === 0n) break;
    odd = gf2Square(even);
    if (len & 1n) crc1 = gf2Times(odd, crc1);
    len >>= 1n;
  } while (len !== 0n);
  return ((crc1 ^ crc2) & MASK64).toString();
}
