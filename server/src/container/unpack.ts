// Finds the raw BTF inside whatever a user points us at, by the bytes, never the file name:
// raw BTF, xz or gzip compression, a tar archive (BTFHub's .btf.tar.xz), or an ELF file's .BTF section.
import { gunzipSync } from 'node:zlib';
import { XzReadableStream } from 'xz-decompress';
import { parseElf } from '../elf/elf';
import { fail, ok, Result } from '../result';
import { readTar } from './tar';

export type ContainerFormat = 'btf' | 'xz' | 'gzip' | 'tar' | 'elf';

export interface Unpacked {
  btf: Uint8Array;
  /** Outermost first, e.g. ['xz', 'tar', 'btf']. */
  formats: ContainerFormat[];
}

const MAX_NESTING = 4;

export function detectFormat(bytes: Uint8Array): ContainerFormat | undefined {
  const b = bytes;
  if (b.length >= 2 && ((b[0] === 0x9f && b[1] === 0xeb) || (b[0] === 0xeb && b[1] === 0x9f))) return 'btf';
  if (b.length >= 6 && b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00) return 'xz';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) return 'elf';
  if (b.length >= 263 && String.fromCharCode(...b.subarray(257, 262)) === 'ustar') return 'tar';
  return undefined;
}

export async function unpackBtf(bytes: Uint8Array, source: string): Promise<Result<Unpacked>> {
  const formats: ContainerFormat[] = [];
  let cur = bytes;
  for (let depth = 0; depth <= MAX_NESTING; depth++) {
    const format = detectFormat(cur);
    if (!format) {
      const what = formats.length ? `the ${formats.join(' > ')} content` : 'the file';
      return fail(`${source}: ${what} is neither BTF, an ELF file, xz, gzip nor tar (first bytes ${hex(cur.subarray(0, 4))})`);
    }
    formats.push(format);
    if (format === 'btf') return ok({ btf: cur, formats });
    const next = await unwrap(format, cur, source);
    if (!next.ok) return next;
    cur = next.value;
  }
  return fail(`${source}: containers nested more than ${MAX_NESTING} deep`);
}

async function unwrap(format: Exclude<ContainerFormat, 'btf'>, bytes: Uint8Array, source: string): Promise<Result<Uint8Array>> {
  try {
    switch (format) {
      case 'xz':
        return ok(await xzDecompress(bytes));
      case 'gzip':
        return ok(gunzipSync(bytes));
      case 'tar': {
        const entries = readTar(bytes, source);
        if (!entries.ok) return entries;
        const hit = entries.value.find((e) => detectFormat(e.data) !== undefined && detectFormat(e.data) !== 'tar');
        if (!hit) return fail(`${source}: the tar archive holds no BTF, ELF or compressed file (${entries.value.length} entries)`);
        return ok(hit.data);
      }
      case 'elf': {
        const elf = parseElf(bytes, source);
        if (!elf.ok) return elf;
        const sec = elf.value.section('.BTF');
        if (!sec) return fail(`${source}: ELF file has no .BTF section: was it built with -g (BPF objects) or CONFIG_DEBUG_INFO_BTF (kernels)?`);
        return ok(elf.value.sectionData(sec));
      }
    }
  } catch (e) {
    return fail(`${source}: ${format} data is corrupt: ${(e as Error).message}`);
  }
}

async function xzDecompress(bytes: Uint8Array): Promise<Uint8Array> {
  const input = new Blob([bytes]).stream();
  const out = new XzReadableStream(input as never);
  const buf = await new Response(out as never).arrayBuffer();
  return new Uint8Array(buf);
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
