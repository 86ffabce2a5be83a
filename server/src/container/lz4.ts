// LZ4 as Linux packs its images: the legacy frame (`lz4 -l`: magic 0x184C2102, then blocks of at most
// 8 MiB, each a little-endian compressed size and an LZ4 block), which Debian's 6.1 cloud kernels use,
// and the modern frame (magic 0x184D2204). Pure TypeScript: the block format is a few lines.
import { fail, ok, Result } from '../result';
import { OutBuffer } from './out-buffer';

const LEGACY_MAGIC = 0x184c2102;
const FRAME_MAGIC = 0x184d2204;
const LEGACY_BLOCK = 8 << 20;

const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

export function isLz4(b: Uint8Array): boolean {
  return b.length >= 4 && (u32(b, 0) === LEGACY_MAGIC || u32(b, 0) === FRAME_MAGIC);
}

/** One LZ4 block `src[start, end)` appended to `out`; an error string when it is corrupt. */
export function lz4Block(src: Uint8Array, start: number, end: number, out: OutBuffer, maxSize: number): string | undefined {
  if (!out.ensure(maxSize)) return 'decompressed data is larger than the limit';
  const buf = out.buf;
  let pos = out.len;
  const limit = pos + maxSize;
  let i = start;
  while (i < end) {
    const token = src[i++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b;
      do {
        if (i >= end) return 'corrupt LZ4 block: a literal length runs past the block';
        b = src[i++];
        lit += b;
      } while (b === 255);
    }
    if (i + lit > end || pos + lit > limit) return 'corrupt LZ4 block: literals run past the block';
    if (lit > 32) buf.set(src.subarray(i, i + lit), pos);
    else for (let k = 0; k < lit; k++) buf[pos + k] = src[i + k];
    i += lit;
    pos += lit;
    if (i >= end) break; // the last sequence has literals only
    const dist = src[i] | (src[i + 1] << 8);
    i += 2;
    let len = (token & 15) + 4;
    if (len === 19) {
      let b;
      do {
        if (i >= end) return 'corrupt LZ4 block: a match length runs past the block';
        b = src[i++];
        len += b;
      } while (b === 255);
    }
    const from = pos - dist;
    if (dist === 0 || from < 0 || pos + len > limit) return 'corrupt LZ4 block: a match reaches outside the output';
    if (dist >= len && len > 32) buf.copyWithin(pos, from, from + len);
    else for (let k = 0; k < len; k++) buf[pos + k] = buf[from + k];
    pos += len;
  }
  out.len = pos;
  return undefined;
}

/** Decompresses a legacy or modern LZ4 frame; trailing bytes after the last block are ignored (Linux appends the size). */
export function lz4Decompress(b: Uint8Array, maxOutput = 2 ** 31): Result<Uint8Array> {
  const out = new OutBuffer(b.length * 3, maxOutput);
  const magic = u32(b, 0);
  if (magic === LEGACY_MAGIC) {
    let at = 4;
    while (at + 4 <= b.length) {
      const size = u32(b, at);
      if (size === LEGACY_MAGIC) { at += 4; continue; } // concatenated legacy frames
      if (size > b.length - at - 4 || size > LEGACY_BLOCK + (LEGACY_BLOCK >>> 8) + 16) break; // the trailer
      const err = lz4Block(b, at + 4, at + 4 + size, out, LEGACY_BLOCK);
      if (err) return fail(err);
      at += 4 + size;
    }
    return out.len ? ok(out.view()) : fail('LZ4 legacy frame holds no block: file truncated?');
  }
  if (magic !== FRAME_MAGIC) return fail('not LZ4 data (bad magic)');
  return lz4Frame(b, out);
}

function lz4Frame(b: Uint8Array, out: OutBuffer): Result<Uint8Array> {
  const flg = b[4];
  const bd = b[5];
  if ((flg >>> 6) !== 1) return fail(`unsupported LZ4 frame version ${flg >>> 6}`);
  if (flg & 1) return fail('LZ4 frames with a dictionary id are not supported');
  const maxBlock = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20][(bd >>> 4) & 7];
  if (!maxBlock) return fail('corrupt LZ4 frame: bad block size');
  const blockChecksum = (flg & 0x10) !== 0;
  let at = 6 + (flg & 8 ? 8 : 0) + 1;
  for (;;) {
    if (at + 4 > b.length) return fail('LZ4 frame is cut off: file truncated?');
    const word = u32(b, at);
    at += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (at + size > b.length) return fail('LZ4 frame is cut off: file truncated?');
    if (word & 0x80000000) {
      if (!out.push(b.subarray(at, at + size))) return fail('decompressed data is larger than the limit');
    } else {
      const err = lz4Block(b, at, at + size, out, maxBlock);
      if (err) return fail(err);
    }
    at += size + (blockChecksum ? 4 : 0);
  }
  return ok(out.view());
}
