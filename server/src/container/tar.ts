// A minimal reader of tar archives (ustar, GNU and pax): the regular files' names and contents, as views.
// BTFHub ships one kernel's BTF as a `.btf.tar.xz` holding a single `<release>.btf` file.
import { fail, ok, Result } from '../result';

export interface TarEntry {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;

function field(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len && b[i] !== 0; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** Octal, or base-256 when the top bit of the first byte is set (GNU, for sizes over 8 GiB). */
function size(b: Uint8Array, off: number): number {
  if (b[off] & 0x80) {
    let n = 0;
    for (let i = off + 1; i < off + 12; i++) n = n * 256 + b[i];
    return n;
  }
  const text = field(b, off, 12).trim();
  return text === '' ? 0 : /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

export function readTar(bytes: Uint8Array, source: string): Result<TarEntry[]> {
  return walkTar(bytes, source, false);
}

/** The entries wholly inside `bytes`, the start of an archive still being decompressed (no error for the cut). */
export function readTarPrefix(bytes: Uint8Array): TarEntry[] {
  const r = walkTar(bytes, '', true);
  return r.ok ? r.value : [];
}

function walkTar(bytes: Uint8Array, source: string, partial: boolean): Result<TarEntry[]> {
  const entries: TarEntry[] = [];
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= bytes.length; ) {
    const h = bytes.subarray(at, at + BLOCK);
    if (h.every((x) => x === 0)) break;
    const n = size(h, 124);
    if (!Number.isFinite(n)) return fail(`${source}: corrupt tar header at offset ${at}: bad size field`);
    const start = at + BLOCK;
    if (start + n > bytes.length && partial) break;
    if (start + n > bytes.length) return fail(`${source}: tar entry at offset ${at} (${n} bytes) runs past the end of the archive: file truncated?`);
    const data = bytes.subarray(start, start + n);
    const type = String.fromCharCode(h[156] || 0x30);
    const prefix = field(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    if (type === 'L') longName = field(data, 0, data.length);
    else if (type === '0' || type === '7') entries.push({ name, data });
    at = start + Math.ceil(n / BLOCK) * BLOCK;
  }
  return ok(entries);
}
