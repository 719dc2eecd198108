;; CRC-64/ECMA-182, reflected (the CRC-64/XZ parameters COS uses): the hashing kernel behind
;; crc64.ts. After editing, run `node scripts/build-crc64-wasm.mjs` to regenerate crc64-wasm.ts.
;;
;; Memory (two fixed pages, never grown):
;;   0x00000   8 bytes  the register after the last `update` (i64, little-endian), read by JS
;;   0x00040  32 KiB    slicing-by-16 tables T0..T15, 256 i64 each, T_k at 0x40 + k * 0x800,
;;                      built by the start function
;;   0x10000  64 KiB    input region: JS copies each chunk of data here before `update`
;;
;; The register lives in the caller (one per Crc64 instance) and is passed in and out of every
;; call, so interleaved instances need no state here.
(module
  (memory (export "memory") 2 2)

  ;; T0[i] = i run through 8 zero bits; T_k[i] = (T_{k-1}[i] >> 8) ^ T0[T_{k-1}[i] & 0xff].
  (func $init
    (local $i i32) (local $bit i32) (local $crc i64) (local $p i32)
    (loop $byte
      (local.set $crc (i64.extend_i32_u (local.get $i)))
      (local.set $bit (i32.const 8))
      (loop $shift
        ;; crc = (crc >> 1) ^ (POLY if the low bit was set)
        (local.set $crc
          (i64.xor
            (i64.shr_u (local.get $crc) (i64.const 1))
            (i64.and
              (i64.const 0xC96C5795D7870F42)
              (i64.sub (i64.const 0) (i64.and (local.get $crc) (i64.const 1))))))
        (br_if $shift (local.tee $bit (i32.sub (local.get $bit) (i32.const 1)))))
      (i64.store offset=0x40 (i32.shl (local.get $i) (i32.const 3)) (local.get $crc))
      (br_if $byte
        (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 256))))
    ;; T1..T15 are contiguous after T0: walk their entries, each from the one 0x800 bytes before.
    (local.set $p (i32.const 0x800))
    (loop $entry
      (local.set $crc (i64.load offset=0x40 (i32.sub (local.get $p) (i32.const 0x800))))
      (i64.store offset=0x40 (local.get $p)
        (i64.xor
          (i64.shr_u (local.get $crc) (i64.const 8))
          (i64.load offset=0x40
            (i32.shl (i32.and (i32.wrap_i64 (local.get $crc)) (i32.const 0xff)) (i32.const 3)))))
      (br_if $entry
        (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 8))) (i32.const 0x8000)))))
  (start $init)

  ;; Runs the register lo | hi << 32 (pre-inverted) over len bytes at ptr and stores it at 0.
  (func (export "update") (param $lo i32) (param $hi i32) (param $p i32) (param $len i32)
    (local $crc i64) (local $end i32) (local $x i64) (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local.set $crc
      (i64.or
        (i64.extend_i32_u (local.get $lo))
        (i64.shl (i64.extend_i32_u (local.get $hi)) (i64.const 32))))
    ;; Sixteen bytes at a time (slicing-by-16): the first eight xored into the register, then one
    ;; lookup per byte, the first byte through T15, the last through T0. The lookups of one round
    ;; are independent: twice the bytes per trip round the loop-carried dependency of slicing-by-8.
    (local.set $end (i32.add (local.get $p) (i32.and (local.get $len) (i32.const -16))))
    (if (i32.ne (local.get $p) (local.get $end))
      (then
        (loop $sixteen
          (local.set $x (i64.xor (local.get $crc) (i64.load (local.get $p))))
          (local.set $a (i32.wrap_i64 (local.get $x)))
          (local.set $b (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 32))))
          (local.set $c (i32.load offset=8 (local.get $p)))
          (local.set $d (i32.load offset=12 (local.get $p)))
          (local.set $crc
            (i64.xor
              (i64.xor
                (i64.xor
                  (i64.xor
                    (i64.load offset=0x7840 (i32.and (i32.shl (local.get $a) (i32.const 3)) (i32.const 0x7f8)))
                    (i64.load offset=0x7040 (i32.and (i32.shr_u (local.get $a) (i32.const 5)) (i32.const 0x7f8))))
                  (i64.xor
                    (i64.load offset=0x6840 (i32.and (i32.shr_u (local.get $a) (i32.const 13)) (i32.const 0x7f8)))
                    (i64.load offset=0x6040 (i32.and (i32.shr_u (local.get $a) (i32.const 21)) (i32.const 0x7f8)))))
                (i64.xor
                  (i64.xor
                    (i64.load offset=0x5840 (i32.and (i32.shl (local.get $b) (i32.const 3)) (i32.const 0x7f8)))
                    (i64.load offset=0x5040 (i32.and (i32.shr_u (local.get $b) (i32.const 5)) (i32.const 0x7f8))))
                  (i64.xor
                    (i64.load offset=0x4840 (i32.and (i32.shr_u (local.get $b) (i32.const 13)) (i32.const 0x7f8)))
                    (i64.load offset=0x4040 (i32.and (i32.shr_u (local.get $b) (i32.const 21)) (i32.const 0x7f8))))))
              (i64.xor
                (i64.xor
                  (i64.xor
                    (i64.load offset=0x3840 (i32.and (i32.shl (local.get $c) (i32.const 3)) (i32.const 0x7f8)))
                    (i64.load offset=0x3040 (i32.and (i32.shr_u (local.get $c) (i32.const 5)) (i32.const 0x7f8))))
                  (i64.xor
                    (i64.load offset=0x2840 (i32.and (i32.shr_u (local.get $c) (i32.const 13)) (i32.const 0x7f8)))
                    (i64.load offset=0x2040 (i32.and (i32.shr_u (local.get $c) (i32.const 21)) (i32.const 0x7f8)))))
                (i64.xor
                  (i64.xor
                    (i64.load offset=0x1840 (i32.and (i32.shl (local.get $d) (i32.const 3)) (i32.const 0x7f8)))
                    (i64.load offset=0x1040 (i32.and (i32.shr_u (local.get $d) (i32.const 5)) (i32.const 0x7f8))))
                  (i64.xor
                    (i64.load offset=0x840 (i32.and (i32.shr_u (local.get $d) (i32.const 13)) (i32.const 0x7f8)))
                    (i64.load offset=0x40 (i32.and (i32.shr_u (local.get $d) (i32.const 21)) (i32.const 0x7f8))))))))
          (br_if $sixteen
            (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))))
    ;; At most one round of eight bytes for what is left: xor them into the register, then one
    ;; lookup per byte, the first byte through T7 (seven more bytes follow it), the last through T0.
    ;; The index of byte j of a 32-bit half is ((half >> 8j) & 0xff) << 3 = (half >> (8j - 3)) & 0x7f8.
    (local.set $end (i32.add (local.get $p) (i32.and (local.get $len) (i32.const 8))))
    (if (i32.ne (local.get $p) (local.get $end))
      (then
        (loop $eight
          (local.set $x (i64.xor (local.get $crc) (i64.load (local.get $p))))
          (local.set $a (i32.wrap_i64 (local.get $x)))
          (local.set $b (i32.wrap_i64 (i64.shr_u (local.get $x) (i64.const 32))))
          (local.set $crc
            (i64.xor
              (i64.xor
                (i64.xor
                  (i64.load offset=0x3840
                    (i32.and (i32.shl (local.get $a) (i32.const 3)) (i32.const 0x7f8)))
                  (i64.load offset=0x3040
                    (i32.and (i32.shr_u (local.get $a) (i32.const 5)) (i32.const 0x7f8))))
                (i64.xor
                  (i64.load offset=0x2840
                    (i32.and (i32.shr_u (local.get $a) (i32.const 13)) (i32.const 0x7f8)))
                  (i64.load offset=0x2040
                    (i32.and (i32.shr_u (local.get $a) (i32.const 21)) (i32.const 0x7f8)))))
              (i64.xor
                (i64.xor
                  (i64.load offset=0x1840
                    (i32.and (i32.shl (local.get $b) (i32.const 3)) (i32.const 0x7f8)))
                  (i64.load offset=0x1040
                    (i32.and (i32.shr_u (local.get $b) (i32.const 5)) (i32.const 0x7f8))))
                (i64.xor
                  (i64.load offset=0x0840
                    (i32.and (i32.shr_u (local.get $b) (i32.const 13)) (i32.const 0x7f8)))
                  (i64.load offset=0x0040
                    (i32.and (i32.shr_u (local.get $b) (i32.const 21)) (i32.const 0x7f8)))))))
          (br_if $eight
            (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 8))) (local.get $end))))))
    ;; The last len % 8 bytes one at a time through T0.
    (local.set $end (i32.add (local.get $p) (i32.and (local.get $len) (i32.const 7))))
    (if (i32.ne (local.get $p) (local.get $end))
      (then
        (loop $one
          (local.set $crc
            (i64.xor
              (i64.shr_u (local.get $crc) (i64.const 8))
              (i64.load offset=0x40
                (i32.shl
                  (i32.and
                    (i32.xor (i32.wrap_i64 (local.get $crc)) (i32.load8_u (local.get $p)))
                    (i32.const 0xff))
                  (i32.const 3)))))
          (br_if $one
            (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $end))))))
    (i64.store (i32.const 0) (local.get $crc))))
