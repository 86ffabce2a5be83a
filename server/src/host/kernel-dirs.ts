// Kernel folders (`--btf-dir`, and the editor's target folders): every BTF under a folder, in BTFHub's
// layout (`<distro>/<version>/<arch>/<release>.btf.tar.xz`) or flat (`*.btf`, `*.btf.xz`, ELF files such
// as vmlinux-*, kernel packages and images), each named by distro, version, arch and release. Listing
// reads names and at most a few bytes of a file with an unknown name; kernels are loaded one at a time
// by loadKernelFile (per worker thread: host/fleet-workers.ts), so a folder of a thousand kernels never
// sits in memory at once.
import { closeSync, fstatSync, openSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseBtf } from '../btf/parse';
import { OutBuffer } from '../container/out-buffer';
import { unpackBtf } from '../container/unpack';
import { archFromBtf } from '../kernels/arch';
import { KernelFileInfo, describeKernelPath, uniqueLabels } from '../kernels/fleet';
import { Kernel } from '../kernels/kernel';
import { fail, ok, Result } from '../result';
import { readInput } from './read-input';

const KERNEL_NAME = /(\.btf(\.(tar|xz|gz|zst|lz4))*|\.btf\.tar\.(xz|gz|zst))$|^(vmlinu[xz]|Image|bzImage)([-.].*)?$|^linux-image-.*\.deb$/;
const MAX_FILES = 100_000;

/** Whether a file with another name starts like raw BTF or an ELF file. */
function looksLikeKernel(path: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const n = readSync(fd, head, 0, 4, 0);
    return n === 4 && ((head[0] === 0x9f && head[1] === 0xeb) || (head[0] === 0xeb && head[1] === 0x9f) || head.toString('latin1') === '\x7fELF');
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function walk(root: string, dir: string, seen: Set<string>, out: { path: string; relPath: string }[]): string | undefined {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    return `${dir}: cannot read the kernel folder: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (e as Error).message}`;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue; // a dangling link
      }
    }
    if (isDir) {
      const real = realpathSync(path);
      if (seen.has(real)) continue;
      seen.add(real);
      const err = walk(root, path, seen, out);
      if (err) return err;
    } else if (KERNEL_NAME.test(e.name) || looksLikeKernel(path)) {
      out.push({ path, relPath: relative(root, path).split(sep).join('/') });
      if (out.length > MAX_FILES) return `${root}: more than ${MAX_FILES} kernel files: name a smaller folder`;
    }
  }
  return undefined;
}

/** Every kernel file under the folders, named; an error when a folder cannot be read or holds no kernel. */
export function listKernelDirs(dirs: readonly string[]): Result<KernelFileInfo[]> {
  const files: { path: string; relPath: string }[] = [];
  for (const dir of dirs) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      return fail(`${dir}: cannot read the kernel folder: no such folder`);
    }
    if (!st.isDirectory()) return fail(`${dir}: is not a folder (use --btf for a single kernel file)`);
    const before = files.length;
    const err = walk(dir, dir, new Set([realpathSync(dir)]), files);
    if (err) return fail(err);
    if (files.length === before) return fail(`${dir}: no kernel BTF in the folder (looked for *.btf, *.btf.xz, *.btf.tar.xz, vmlinux-*, linux-image-*.deb and ELF or BTF files)`);
  }
  return ok(uniqueLabels(files.map((f) => ({ info: describeKernelPath(f.path, f.relPath), relPath: f.relPath }))));
}

export interface LoadTimes {
  read: number;
  unpack: number;
  parse: number;
}

/**
 * Buffers a worker reuses from kernel to kernel (the file's bytes and the decompressed BTF): one kernel's
 * Btf views them, so it must be released before the next kernel is loaded with the same scratch.
 */
export interface KernelScratch {
  input: Buffer;
  out: OutBuffer;
}

export function kernelScratch(): KernelScratch {
  return { input: Buffer.alloc(8 << 20), out: new OutBuffer(8 << 20, 2 ** 31) };
}

/** A whole file read into the scratch buffer (grown when needed): no allocation per kernel. */
function readInto(path: string, scratch: KernelScratch): Result<Uint8Array> {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > scratch.input.length) scratch.input = Buffer.alloc(Math.max(size, scratch.input.length * 2));
    let got = 0;
    while (got < size) {
      const n = readSync(fd, scratch.input, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return ok(scratch.input.subarray(0, got));
  } catch {
    return readInput(path, 'BTF'); // the same read again, for its one-line reason
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Loads one kernel of a folder, with how long reading, unpacking and parsing took (ms). */
export async function loadKernelFile(info: KernelFileInfo, scratch?: KernelScratch): Promise<Result<{ kernel: Kernel; times: LoadTimes }>> {
  const t0 = performance.now();
  const bytes = scratch ? readInto(info.path, scratch) : readInput(info.path, 'BTF');
  if (!bytes.ok) return bytes;
  const t1 = performance.now();
  const u = await unpackBtf(bytes.value, info.path, { scratch: scratch?.out });
  if (!u.ok) return u;
  const t2 = performance.now();
  const btf = parseBtf(u.value.btf, { source: info.path });
  if (!btf.ok) return btf;
  const t3 = performance.now();
  const arch = info.arch ?? u.value.arch ?? archFromBtf(btf.value);
  const kernel: Kernel = { label: info.label, source: info.path, btf: btf.value, version: info.version, arch };
  return ok({ kernel, times: { read: t1 - t0, unpack: t2 - t1, parse: t3 - t2 } });
}
