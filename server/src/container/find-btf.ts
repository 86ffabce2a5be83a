// Finding a kernel's BTF inside an image that has no section table (a raw arm64 Image, a vmlinux whose
// section headers were stripped): every place where a BTF header could start is tried, the sizes its
// header claims must fit, and the blob must pass the whole validation of btf/parse.ts. Magic bytes alone
// decide nothing: `9f eb 01 00` turns up in code and data too.
import { Btf } from '../btf/btf';
import { parseBtf } from '../btf/parse';

export interface FoundBtf {
  offset: number;
  bytes: Uint8Array;
  btf: Btf;
}

function headerLength(b: Uint8Array, at: number, le: boolean): number | undefined {
  const dv = new DataView(b.buffer, b.byteOffset + at, Math.min(24, b.length - at));
  if (dv.byteLength < 24) return undefined;
  const hdrLen = dv.getUint32(4, le);
  if (hdrLen < 24 || hdrLen > 256) return undefined;
  const typeOff = dv.getUint32(8, le);
  const typeLen = dv.getUint32(12, le);
  const strOff = dv.getUint32(16, le);
  const strLen = dv.getUint32(20, le);
  const total = hdrLen + Math.max(typeOff + typeLen, strOff + strLen);
  return typeLen > 0 && strLen > 0 && at + total <= b.length ? total : undefined;
}

/**
 * The largest BTF blob in `b` that validates (a kernel image holds one vmlinux BTF; small blobs that
 * validate by chance, or BTF of embedded BPF programs, lose to it).
 */
export function findBtf(b: Uint8Array, source: string): FoundBtf | undefined {
  let best: FoundBtf | undefined;
  for (let at = b.indexOf(0x9f); at >= 0 && at + 24 <= b.length; at = b.indexOf(0x9f, at + 1)) {
    // Little-endian `9f eb 01 00`, or big-endian `eb 9f 01 00` one byte earlier.
    const le = b[at + 1] === 0xeb && b[at + 2] === 1 && b[at + 3] === 0;
    const beAt = at - 1;
    const be = !le && beAt >= 0 && b[beAt] === 0xeb && b[at + 1] === 1 && b[at + 2] === 0;
    const start = le ? at : be ? beAt : -1;
    if (start < 0) continue;
    const total = headerLength(b, start, le);
    if (total === undefined || (best && total <= best.bytes.length)) continue;
    const bytes = b.subarray(start, start + total);
    const parsed = parseBtf(bytes, { source });
    if (parsed.ok) best = { offset: start, bytes, btf: parsed.value };
  }
  return best;
}
