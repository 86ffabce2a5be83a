// The .xz container (xz-file-format 1.2): streams, block headers, filter chains (LZMA2, with the x86 or
// ARM64 branch filter before it), checks (CRC-32 and CRC-64 verified; SHA-256 skipped), the index and
// stream padding. Decodes into one flat buffer, sized from the index when the whole file is wanted, and
// can stop early between LZMA2 chunks (a .deb's data.tar.xz is read only up to the kernel image).
import { fail, ok, Result } from '../result';
import { unBcjArm64, unBcjX86 } from './bcj';
import { crc32, crc64 } from './crc';
import { decodeLzma2 } from './lzma';
import { OutBuffer } from './out-buffer';

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FILTER_DELTA = 0x03;
const FILTER_X86 = 0x04;
const FILTER_ARM64 = 0x0a;
const FILTER_LZMA2 = 0x21;
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

export interface XzOptions {
  /** Called between LZMA2 chunks with the output so far; true stops decoding (the result is then partial). */
  stopWhen?: (out: Uint8Array) => boolean;
  /** Fail rather than produce more than this many bytes. */
  maxOutput?: number;
  /** Bytes after the first stream are not xz (Linux appends the decompressed size to a kernel's payload). */
  ignoreTrailing?: boolean;
  /** A buffer to decode into, reused across calls (the result is then a view of it, valid until its next use). */
  output?: OutBuffer;
}

export function isXz(b: Uint8Array): boolean {
  return b.length >= 6 && MAGIC.every((m, i) => b[i] === m);
}

function varint(b: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= b.length) return undefined;
    const byte = b[at + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) return { value, next: at + i + 1 };
  }
  return undefined;
}

const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

interface BlockHeader {
  size: number;
  filters: { id: number; props: Uint8Array }[];
  uncompressedSize?: number;
}

function blockHeader(b: Uint8Array, at: number): BlockHeader | string {
  const size = (b[at] + 1) * 4;
  if (at + size > b.length) return 'a block header is cut off: file truncated?';
  if (crc32(b, at, at + size - 4) !== u32(b, at + size - 4)) return 'a block header fails its CRC32: the file is corrupt';
  const flags = b[at + 1];
  if (flags & 0x3c) return 'a block header has reserved flags set';
  let p = at + 2;
  const end = at + size - 4;
  let uncompressedSize: number | undefined;
  for (const present of [flags & 0x40, flags & 0x80]) {
    if (!present) continue;
    const v = varint(b, p);
    if (!v || v.next > end) return 'a block header is malformed';
    if (present === 0x80) uncompressedSize = v.value;
    p = v.next;
  }
  const filters: BlockHeader['filters'] = [];
  for (let i = 0; i <= (flags & 3); i++) {
    const id = varint(b, p);
    const len = id && varint(b, id.next);
    if (!id || !len || len.next + len.value > end) return 'a block header is malformed';
    filters.push({ id: id.value, props: b.subarray(len.next, len.next + len.value) });
    p = len.next + len.value;
  }
  return { size, filters, uncompressedSize };
}

/** The x86/ARM64 branch filters and delta before LZMA2, checked: what each filter needs to undo it. */
function filterChain(h: BlockHeader): { dictSize: number; undo: ((buf: Uint8Array) => string | undefined)[] } | string {
  const last = h.filters[h.filters.length - 1];
  if (last.id !== FILTER_LZMA2 || last.props.length !== 1 || last.props[0] > 40) return `unsupported xz filter chain (${h.filters.map((f) => '0x' + f.id.toString(16)).join(', ')}): only LZMA2, optionally after x86, ARM64 or delta`;
  const bits = last.props[0];
  const dictSize = bits === 40 ? 0xffffffff : (2 | (bits & 1)) * 2 ** (bits / 2 + 11);
  const undo: ((buf: Uint8Array) => string | undefined)[] = [];
  for (const f of h.filters.slice(0, -1).reverse()) {
    const start = f.props.length === 4 ? u32(f.props, 0) : 0;
    if (f.id === FILTER_X86) undo.push((buf) => void unBcjX86(buf, start));
    else if (f.id === FILTER_ARM64) undo.push((buf) => void unBcjArm64(buf, start));
    else if (f.id === FILTER_DELTA && f.props.length === 1) {
      const dist = f.props[0] + 1;
      undo.push((buf) => {
        for (let i = dist; i < buf.length; i++) buf[i] = (buf[i] + buf[i - dist]) & 0xff;
        return undefined;
      });
    } else return `unsupported xz filter 0x${f.id.toString(16)}`;
  }
  return { dictSize, undo };
}

function verifyCheck(type: number, data: Uint8Array, b: Uint8Array, at: number): boolean {
  if (type === 1) return crc32(data) === u32(b, at);
  if (type === 4) {
    const c = crc64(data);
    return c.lo === u32(b, at) && c.hi === u32(b, at + 4);
  }
  return true; // none, SHA-256 and reserved check types are not verified
}

/** The total uncompressed size from the last stream's index, when the file is a single stream. */
function indexedSize(b: Uint8Array): number | undefined {
  const n = b.length;
  if (n < 24 || b[n - 2] !== 0x59 || b[n - 1] !== 0x5a) return undefined;
  const backward = (u32(b, n - 8) + 1) * 4;
  let p = n - 12 - backward;
  if (p < 12 || b[p] !== 0) return undefined;
  const count = varint(b, p + 1);
  if (!count) return undefined;
  let total = 0;
  let blocks = 0;
  p = count.next;
  for (let i = 0; i < count.value && i < 1e6; i++) {
    const unpadded = varint(b, p);
    const size = unpadded && varint(b, unpadded.next);
    if (!unpadded || !size) return undefined;
    blocks += Math.ceil(unpadded.value / 4) * 4;
    total += size.value;
    p = size.next;
  }
  return 12 + blocks === n - 12 - backward ? total : undefined;
}

/** Decompresses a whole .xz file (every stream), or up to where `stopWhen` says. */
export function xzDecompress(b: Uint8Array, opts: XzOptions = {}): Result<Uint8Array> {
  const limit = opts.maxOutput ?? 2 ** 31;
  const known = opts.stopWhen ? undefined : indexedSize(b);
  if (known !== undefined && known > limit) return fail(`xz data would decompress to ${known} bytes, more than the ${limit} allowed`);
  const out = opts.output ?? new OutBuffer(known ?? b.length * 4, limit);
  out.len = 0;
  if (known !== undefined && !out.ensure(known)) return fail(`xz data would decompress to ${known} bytes, more than the ${limit} allowed`);
  let at = 0;
  while (at < b.length) {
    const r = xzStream(b, at, out, opts.stopWhen);
    if (typeof r === 'string') return fail(r);
    if (r.stopped) return ok(out.view());
    at = r.end;
    if (opts.ignoreTrailing) break;
    while (at + 4 <= b.length && u32(b, at) === 0) at += 4;
    if (at < b.length && !isXz(b.subarray(at))) return fail(`garbage after the xz stream at offset ${at}`);
  }
  return ok(out.view());
}

function xzStream(b: Uint8Array, start: number, out: OutBuffer, stopWhen?: (out: Uint8Array) => boolean): { end: number; stopped?: boolean } | string {
  if (!isXz(b.subarray(start))) return 'not xz data (bad magic)';
  if (start + 12 > b.length) return 'the xz stream header is cut off';
  if (crc32(b, start + 6, start + 8) !== u32(b, start + 8)) return 'the xz stream header fails its CRC32: the file is corrupt';
  const checkType = b[start + 7] & 0x0f;
  let at = start + 12;
  for (;;) {
    if (at >= b.length) return 'the xz data is cut off: file truncated?';
    if (b[at] === 0) break; // the index
    const h = blockHeader(b, at);
    if (typeof h === 'string') return h;
    const chain = filterChain(h);
    if (typeof chain === 'string') return chain;
    const blockStart = out.len;
    if (h.uncompressedSize !== undefined && !out.ensure(h.uncompressedSize)) return 'the xz data decompresses to more than the limit';
    const stop = stopWhen && chain.undo.length === 0 ? () => stopWhen(out.view()) : undefined;
    const r = decodeLzma2(b, at + h.size, out, stop);
    if (typeof r === 'string') return r;
    if (r.stopped) return { end: r.end, stopped: true };
    const data = out.buf.subarray(blockStart, out.len);
    if (h.uncompressedSize !== undefined && data.length !== h.uncompressedSize) return 'a block decompresses to another size than its header says: the file is corrupt';
    for (const undo of chain.undo) undo(data);
    at = r.end;
    while (at % 4 !== (start % 4) && at < b.length) if (b[at++] !== 0) return 'nonzero block padding: the file is corrupt';
    const checkSize = CHECK_SIZES[checkType];
    if (at + checkSize > b.length) return 'the xz data is cut off: file truncated?';
    if (!verifyCheck(checkType, data, b, at)) return `the decompressed data fails its ${checkType === 1 ? 'CRC32' : 'CRC64'} check: the file is corrupt`;
    at += checkSize;
    if (stopWhen?.(out.view())) return { end: at, stopped: true };
  }
  return { end: skipIndexAndFooter(b, at) ?? b.length };
}

/** The offset just past the index and the stream footer that follow the last block. */
function skipIndexAndFooter(b: Uint8Array, at: number): number | undefined {
  const count = varint(b, at + 1);
  if (!count) return undefined;
  let p = count.next;
  for (let i = 0; i < count.value; i++) {
    const a = varint(b, p);
    const c = a && varint(b, a.next);
    if (!c) return undefined;
    p = c.next;
  }
  while ((p - at) % 4 !== 0) p++;
  return p + 4 + 12;
}
