/**
 * CRC-64/ECMA-182 as COS reports it in `x-cos-hash-crc64ecma`: the reflected ECMA-182 polynomial
 * with all-ones initial value and final xor (the parameter set also known as CRC-64/XZ, and what
 * Go's `crc64.Checksum(data, crc64.MakeTable(crc64.ECMA))` computes), printed as an unsigned decimal.
 *
 * The hashing runs in a small WebAssembly kernel, crc64.wat (slicing-by-8 with 64-bit loads; about
 * three times what the same loop did in JS over two 32-bit halves, which made the CRC and not the
 * disk the bottleneck of every upload). Its bytes are embedded, base64, in the generated
 * crc64-wasm.ts, which is committed so builds need no wabt: after editing crc64.wat, regenerate it
 * by hand with `node scripts/build-crc64-wasm.mjs`. `combineCrc64` joins the CRCs of two adjacent
 * pieces without their bytes (multipart Complete, append) using zlib's GF(2) matrix method; it runs
 * once per piece, so BigInt is fine there.
 *
 * No Node built-ins here: the protocol package also runs in browsers.
 */

import { CRC64_WASM_BASE64 } from './crc64-wasm.js';

const POLY = 0xc96c5795d7870f42n;
const MASK64 = (1n << 64n) - 1n;

// The slice of the WebAssembly JS API used here: lib is ES2022 (no DOM) and @types/node has none.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

// The kernel's fixed memory layout (see crc64.wat): the register after a call, and the input region.
const REGISTER = 0;
const INPUT = 0x10000;
const INPUT_SIZE = 0x10000;

interface Kernel {
  update: (lo: number, hi: number, ptr: number, len: number) => void;
  bytes: Uint8Array;
  words: Uint32Array;
}

let kernel: Kernel | undefined;

// Compiled on first use (synchronously: the module is a few hundred bytes), so importing the
// package works even where WebAssembly is unavailable and only hashing would fail.
function getKernel(): Kernel {
  if (kernel) return kernel;
  const binary = atob(CRC64_WASM_BASE64);
  const code = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) code[i] = binary.charCodeAt(i);
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(code));
  // The memory has a fixed size (never grown), so these views stay valid.
  const { buffer } = exports.memory as { buffer: ArrayBuffer };
  kernel = {
    update: exports.update as Kernel['update'],
    bytes: new Uint8Array(buffer),
    words: new Uint32Array(buffer, REGISTER, 2),
  };
  return kernel;
}

/** Incremental CRC-64/ECMA-182. `update()` with each chunk, then `digest()` (decimal string). */
export class Crc64 {
  // The register, pre-inverted (init = all ones), in two unsigned 32-bit halves. Kept here, not in
  // the kernel, so that instances updated in turn (concurrent uploads) do not disturb each other.
  private lo = 0xffffffff;
  private hi = 0xffffffff;

  update(data: Uint8Array): this {
    const { update, bytes, words } = getKernel();
    let lo = this.lo;
    let hi = this.hi;
    for (let offset = 0; offset < data.length; offset += INPUT_SIZE) {
      const chunk = data.subarray(offset, offset + INPUT_SIZE);
      bytes.set(chunk, INPUT);
      update(lo, hi, INPUT, chunk.length);
      lo = words[0];
      hi = words[1];
    }
    this.lo = lo;
    this.hi = hi;
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

function gf2Times(mat: readonly bigint[], vec: bigint): bigint {
  let sum = 0n;
  let i = 0;
  while (vec !== 0n) {
    if (vec & 1n) sum ^= mat[i];
    vec >>= 1n;
    i++;
  }
  return sum;
}

function gf2Square(mat: readonly bigint[]): bigint[] {
  return mat.map((row) => gf2Times(mat, row));
}

/**
 * ZERO_BYTES[k] is the operator that feeds 2^k zero bytes through the CRC register, built once as
 * needed: one squaring per power of two instead of ~50 per combine, so a Complete of 10,000 parts
 * stays in the milliseconds.
 */
const ZERO_BYTES: bigint[][] = [];

function zeroBytesOperator(k: number): readonly bigint[] {
  if (ZERO_BYTES.length === 0) {
    // One zero bit, then squared three times: one zero byte.
    const oneBit: bigint[] = [POLY];
    for (let n = 1; n < 64; n++) oneBit.push(1n << BigInt(n - 1));
    ZERO_BYTES.push(gf2Square(gf2Square(gf2Square(oneBit))));
  }
  while (ZERO_BYTES.length <= k) ZERO_BYTES.push(gf2Square(ZERO_BYTES[ZERO_BYTES.length - 1]));
  return ZERO_BYTES[k];
}

/**
 * CRC of A‖B from crc(A), crc(B) and |B| (zlib's crc32_combine, widened to 64 bits). Accepts and
 * returns decimal strings, as stored and reported.
 */
export function combineCrc64(crcA: string, crcB: string, lengthB: number | bigint): string {
  let len = BigInt(lengthB);
  let crc = BigInt(crcA);
  for (let k = 0; len !== 0n; k++, len >>= 1n) {
    if (len & 1n) crc = gf2Times(zeroBytesOperator(k), crc);
  }
  return ((crc ^ BigInt(crcB)) & MASK64).toString();
}
