// CRC-32 (IEEE, as zlib and xz use it) and CRC-64 (ECMA-182, xz's default check), table-driven. CRC-64
// is kept in two 32-bit halves: BigInt per byte would cost more than the decompression it checks.

const CRC32_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = -1;
  const t = CRC32_TABLE;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// The reflected ECMA-182 polynomial 0xC96C5795D7870F42, as high and low words.
const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;

// Four tables (slicing-by-4): four bytes per step.
const CRC64_TABLES = (() => {
  const hi = new Int32Array(256 * 4);
  const lo = new Int32Array(256 * 4);
  for (let n = 0; n < 256; n++) {
    let h = 0;
    let l = n;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (carry) {
        h = (h ^ POLY_HI) >>> 0;
        l = (l ^ POLY_LO) >>> 0;
      }
    }
    hi[n] = h;
    lo[n] = l;
  }
  for (let t = 1; t < 4; t++) {
    for (let n = 0; n < 256; n++) {
      const ph = hi[(t - 1) * 256 + n];
      const pl = lo[(t - 1) * 256 + n];
      const idx = pl & 0xff;
      lo[t * 256 + n] = lo[idx] ^ ((pl >>> 8) | (ph << 24));
      hi[t * 256 + n] = hi[idx] ^ (ph >>> 8);
    }
  }
  return { hi, lo };
})();

/** CRC-64 as xz stores it: the low word, then the high word (both little-endian on disk). */
export function crc64(bytes: Uint8Array, start = 0, end = bytes.length): { lo: number; hi: number } {
  let h = -1;
  let l = -1;
  const { hi, lo } = CRC64_TABLES;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const x = l ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    const a = 768 + (x & 0xff);
    const b = 512 + ((x >>> 8) & 0xff);
    const c = 256 + ((x >>> 16) & 0xff);
    const d = x >>> 24;
    l = lo[a] ^ lo[b] ^ lo[c] ^ lo[d] ^ h;
    h = hi[a] ^ hi[b] ^ hi[c] ^ hi[d];
  }
  for (; i < end; i++) {
    const idx = (l ^ bytes[i]) & 0xff;
    l = lo[idx] ^ ((l >>> 8) | (h << 24));
    h = hi[idx] ^ (h >>> 8);
  }
  return { lo: ~l >>> 0, hi: ~h >>> 0 };
}
