// Finds the raw BTF inside whatever a user points us at, by the bytes, never the file name: raw BTF;
// xz (with the x86 and ARM64 branch filters), gzip, zstd or LZ4 compression; tar archives (BTFHub's
// .btf.tar.xz) and ar archives (Debian's linux-image .deb, read only up to boot/vmlinuz); an x86
// bzImage, an arm64 Image or EFI zboot image; an ELF file's .BTF section. Where there is no section
// table (a raw Image), the BTF is found by validating candidates (find-btf.ts). Where the bytes say so,
// the architecture comes along: BTF itself does not record it.
import { gunzipSync } from 'node:zlib';
import { parseElf } from '../elf/elf';
import { Arch, archFromElfMachine } from '../kernels/arch';
import { fail, ok, Result } from '../result';
import { isAr, readAr } from './ar';
import { findBtf } from './find-btf';
import { bzImagePayload, isArm64Image, isBzImage, isZboot, zbootPayload } from './kernel-image';
import { isLz4, lz4Decompress } from './lz4';
import { TarEntry, readTar, readTarPrefix } from './tar';
import { OutBuffer } from './out-buffer';
import { isXz, xzDecompress } from './xz';
import { isZstd, zstdDecompress, zstdFrameEnd, zstdStream } from './zstd';

export type ContainerFormat = 'btf' | 'xz' | 'gzip' | 'zstd' | 'lz4' | 'tar' | 'ar' | 'elf' | 'bzimage' | 'zboot' | 'arm64-image';

export interface Unpacked {
  btf: Uint8Array;
  /** Outermost first, e.g. ['ar', 'xz', 'tar', 'bzimage', 'xz', 'elf', 'btf']. */
  formats: ContainerFormat[];
  /** From an ELF header or the kind of kernel image; undefined when the bytes do not say. */
  arch?: Arch;
  /** The archive member the BTF came from (`boot/vmlinuz-6.1.0-56-amd64`, `6.1.0-56-amd64.btf`). */
  member?: string;
  /** The kernel the BTF came from, when it came from one (the vmlinux ELF or raw Image). */
  kernel?: Uint8Array;
}

export interface UnpackOptions {
  /** Largest decompressed size allowed for any one layer (default 2 GiB). */
  maxOutput?: number;
  /**
   * A buffer the outermost xz layer decodes into, reused from kernel to kernel so that a thousand
   * kernels do not mean a thousand large allocations; the result then lives only until its next use.
   */
  scratch?: OutBuffer;
}

const MAX_NESTING = 8;

export function detectFormat(bytes: Uint8Array): ContainerFormat | undefined {
  const b = bytes;
  if (b.length >= 2 && ((b[0] === 0x9f && b[1] === 0xeb) || (b[0] === 0xeb && b[1] === 0x9f))) return 'btf';
  if (isXz(b)) return 'xz';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (isZstd(b)) return 'zstd';
  if (isLz4(b)) return 'lz4';
  if (b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) return 'elf';
  if (b.length >= 263 && String.fromCharCode(...b.subarray(257, 262)) === 'ustar') return 'tar';
  if (isAr(b)) return 'ar';
  if (isBzImage(b)) return 'bzimage';
  if (isZboot(b)) return 'zboot';
  if (isArm64Image(b)) return 'arm64-image';
  return undefined;
}

interface Layer {
  bytes: Uint8Array;
  /** Linux's appended decompressed size, for a payload taken out of a kernel image. */
  sizeHint?: number;
  member?: string;
  arch?: Arch;
  kernel?: Uint8Array;
  /** The BTF, once found (ELF section or a validated blob in a raw image). */
  btf?: Uint8Array;
  /** Formats passed through on the way (a .deb's data.tar.xz). */
  via?: ContainerFormat[];
}

export async function unpackBtf(bytes: Uint8Array, source: string, opts: UnpackOptions = {}): Promise<Result<Unpacked>> {
  const formats: ContainerFormat[] = [];
  let cur: Layer = { bytes };
  for (let depth = 0; depth <= MAX_NESTING; depth++) {
    if (cur.btf) return ok({ btf: cur.btf, formats: [...formats, 'btf'], arch: cur.arch, member: cur.member, kernel: cur.kernel });
    const format = detectFormat(cur.bytes);
    if (!format) {
      const what = formats.length ? `the ${formats.join(' > ')} content${cur.member ? ` (${cur.member})` : ''}` : 'the file';
      return fail(`${source}: ${what} is neither BTF, an ELF file, a kernel image (bzImage, arm64 Image, EFI zboot) nor xz, gzip, zstd, lz4, tar or ar (first bytes ${hex(cur.bytes.subarray(0, 4))})`);
    }
    formats.push(format);
    if (format === 'btf') return ok({ btf: cur.bytes, formats, arch: cur.arch, member: cur.member, kernel: cur.kernel });
    const next = await unwrap(format, cur, source, opts.maxOutput ?? 2 ** 31, depth === 0 ? opts.scratch : undefined);
    if (!next.ok) return next;
    formats.push(...(next.value.via ?? []));
    cur = { ...next.value, member: next.value.member ?? cur.member, arch: next.value.arch ?? cur.arch };
  }
  return fail(`${source}: containers nested more than ${MAX_NESTING} deep`);
}

async function unwrap(format: Exclude<ContainerFormat, 'btf'>, layer: Layer, source: string, max: number, scratch?: OutBuffer): Promise<Result<Layer>> {
  const b = layer.bytes;
  const where = layer.member ? `${source} (${layer.member})` : source;
  const corrupt = (r: Result<Uint8Array>): Result<Layer> => (r.ok ? ok({ bytes: r.value }) : fail(`${where}: ${format} data is corrupt: ${r.error}`));
  try {
    switch (format) {
      case 'xz':
        return corrupt(xzDecompress(b, { maxOutput: max, ignoreTrailing: layer.sizeHint !== undefined, output: scratch }));
      case 'gzip':
        return ok({ bytes: gunzipSync(b, { maxOutputLength: max }) });
      case 'zstd':
        return corrupt(await zstdDecompress(b.subarray(0, zstdFrameEnd(b) ?? b.length), layer.sizeHint, max));
      case 'lz4':
        return corrupt(lz4Decompress(b, max));
      case 'tar':
        return tarMember(b, source);
      case 'ar':
        return debKernel(b, source, max);
      case 'elf':
        return elfBtf(b, source);
      case 'bzimage':
      case 'zboot': {
        const p = format === 'bzimage' ? bzImagePayload(b) : zbootPayload(b);
        return typeof p === 'string' ? fail(`${source}: ${p}`) : ok({ bytes: p.data, sizeHint: p.sizeHint });
      }
      case 'arm64-image': {
        const found = findBtf(b, source);
        if (!found) return fail(`${source}: the arm64 Image holds no valid BTF: was the kernel built with CONFIG_DEBUG_INFO_BTF?`);
        return ok({ bytes: b, btf: found.bytes, arch: 'arm64', kernel: b });
      }
    }
  } catch (e) {
    return fail(`${where}: ${format} data is corrupt: ${(e as Error).message}`);
  }
}

/** The tar member holding the BTF: a kernel image by its name if there is one, else the first file in a known format. */
function pickMember(entries: TarEntry[]): TarEntry | undefined {
  const kernel = entries.find((e) => /(^|\/)(vmlinu[xz]|Image|bzImage)([-.][^/]*)?$/.test(e.name) && detectFormat(e.data));
  return kernel ?? entries.find((e) => detectFormat(e.data) !== undefined && detectFormat(e.data) !== 'tar');
}

function tarMember(b: Uint8Array, source: string): Result<Layer> {
  const entries = readTar(b, source);
  if (!entries.ok) return entries;
  const hit = pickMember(entries.value);
  if (!hit) return fail(`${source}: the tar archive holds no BTF, ELF or compressed file (${entries.value.length} entries)`);
  return ok({ bytes: hit.data, member: hit.name.replace(/^\.\//, '') });
}

const KERNEL_IN_PACKAGE = /^(\.\/)?boot\/(vmlinu[xz]|Image)[-.]/;

/**
 * A Debian package's kernel: data.tar.* decompressed only until boot/vmlinuz-* is complete (the tar is
 * sorted, boot/ before the modules under lib/), so a 400 MB data.tar is never inflated whole.
 */
async function debKernel(b: Uint8Array, source: string, max: number): Promise<Result<Layer>> {
  const members = readAr(b, source);
  if (!members.ok) return members;
  const data = members.value.find((m) => m.name.startsWith('data.tar'));
  if (!data) return fail(`${source}: the ar archive is not a Debian package (no data.tar member; it holds ${members.value.map((m) => m.name).join(', ') || 'nothing'})`);
  let found: TarEntry | undefined;
  let pastBoot = false;
  const look = (partial: Uint8Array): boolean => {
    const entries = readTarPrefix(partial);
    found = entries.find((e) => KERNEL_IN_PACKAGE.test(e.name));
    pastBoot = entries.some((e) => /^(\.\/)?(lib|usr|etc|var)\//.test(e.name));
    return found !== undefined || pastBoot;
  };
  let tar: Uint8Array;
  const compression = detectFormat(data.data);
  if (compression === 'xz' || compression === 'zstd') {
    const r = compression === 'xz' ? xzDecompress(data.data, { stopWhen: look, maxOutput: max }) : await zstdStream(data.data, look, max);
    if (!r.ok) return fail(`${source}: ${data.name} is corrupt: ${r.error}`);
    tar = r.value;
  } else {
    if (compression !== 'gzip') return fail(`${source}: ${data.name} is neither xz, gzip nor zstd`);
    const inner = await unwrap(compression, { bytes: data.data }, `${source} (${data.name})`, max);
    if (!inner.ok) return inner;
    tar = inner.value.bytes;
  }
  if (!found) look(tar);
  if (!found) return fail(`${source}: the package holds no kernel image (no boot/vmlinuz-*): is it a linux-image package?`);
  const kernel = found as TarEntry;
  return ok({ bytes: kernel.data.slice(), member: kernel.name.replace(/^\.\//, ''), via: [compression, 'tar'] });
}

function elfBtf(b: Uint8Array, source: string): Result<Layer> {
  const elf = parseElf(b, source);
  if (!elf.ok) return elf;
  const arch = archFromElfMachine(elf.value.machine);
  const sec = elf.value.section('.BTF');
  if (sec) return ok({ bytes: b, btf: elf.value.sectionData(sec), arch, kernel: b });
  // A kernel whose section headers were stripped still carries its BTF in a loadable segment.
  const found = elf.value.sections.length === 0 ? findBtf(b, source) : undefined;
  if (found) return ok({ bytes: b, btf: found.bytes, arch, kernel: b });
  return fail(`${source}: ELF file has no .BTF section: was it built with -g (BPF objects) or CONFIG_DEBUG_INFO_BTF (kernels)?`);
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
