// Zstandard, through zstddec (the reference decoder compiled to WebAssembly, as three.js ships it): a
// pure-JavaScript decoder was 30x slower on a kernel's 128 MiB window. Linux appends the decompressed
// size after the frame, which the one-shot decoder needs when the frame header omits it.
import type { ZSTDDecoder } from 'zstddec/stream';
import { OutBuffer } from './out-buffer';
import { fail, ok, Result } from '../result';

let decoder: Promise<ZSTDDecoder> | undefined;

export function isZstd(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd;
}

/** Loaded on first use: its 80 KB would otherwise be compiled and run on every start of the server and the CLI. */
function zstdDecoder(): Promise<ZSTDDecoder> {
  decoder ??= (async () => {
    const d = new (await import('zstddec/stream')).ZSTDDecoder();
    await d.init();
    return d;
  })();
  return decoder;
}

/** Decompresses a zstd stream piece by piece until `stopWhen` says enough (a package's data.tar.zst). */
export async function zstdStream(b: Uint8Array, stopWhen: (out: Uint8Array) => boolean, maxOutput = 2 ** 31): Promise<Result<Uint8Array>> {
  const d = await zstdDecoder();
  const out = new OutBuffer(b.length * 2, maxOutput);
  try {
    for (const piece of d.decodeStreaming([b])) {
      if (!out.push(piece)) return fail('decompressed data is larger than the limit');
      if (stopWhen(out.view())) break;
    }
  } catch (e) {
    return fail(`zstd data is corrupt: ${(e as Error).message}`);
  }
  return ok(out.view());
}

/** The frame's content size when its header records it. */
function frameContentSize(b: Uint8Array): number | undefined {
  const fhd = b[4];
  const fcsFlag = fhd >>> 6;
  const single = (fhd >>> 5) & 1;
  if (fcsFlag === 0 && !single) return undefined;
  const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3];
  const size = fcsFlag === 0 ? 1 : [1, 2, 4, 8][fcsFlag];
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return size === 2 ? v + 256 : v;
}

/** Where the zstd frame starting at 0 ends (its blocks walked), or undefined when it is cut off. */
export function zstdFrameEnd(b: Uint8Array): number | undefined {
  const fhd = b[4];
  const single = (fhd >>> 5) & 1;
  const fcs = [single ? 1 : 0, 2, 4, 8][fhd >>> 6];
  let at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + fcs;
  for (;;) {
    if (at + 3 > b.length) return undefined;
    const h = b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);
    const type = (h >>> 1) & 3;
    at += 3 + (type === 1 ? 1 : h >>> 3);
    if (h & 1) break;
  }
  at += fhd & 4 ? 4 : 0;
  return at <= b.length ? at : undefined;
}

/**
 * Decompresses one zstd frame. `sizeHint` is the decompressed size when the caller knows it (Linux's
 * appended size); without it and without a size in the frame header, the frame cannot be decoded here.
 */
export async function zstdDecompress(b: Uint8Array, sizeHint?: number, maxOutput = 2 ** 31): Promise<Result<Uint8Array>> {
  const size = frameContentSize(b) ?? sizeHint;
  if (size === undefined) return fail('the zstd frame does not record its decompressed size');
  if (size > maxOutput) return fail(`zstd data would decompress to ${size} bytes, more than the ${maxOutput} allowed`);
  const d = await zstdDecoder();
  let out: Uint8Array;
  try {
    out = d.decode(b, size);
  } catch (e) {
    return fail(`zstd data is corrupt: ${(e as Error).message}`);
  }
  if (out.length !== size) return fail(`zstd data is corrupt (decoded ${out.length} of ${size} bytes)`);
  return ok(out);
}
