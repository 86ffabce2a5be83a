// Reading kernel BTF from disk: the only place the BTF engine meets the file system.
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { Btf } from '../btf/btf';
import { Kernel, releaseVersion } from '../kernels/kernel';
import { parseBtf } from '../btf/parse';
import { unpackBtf } from '../container/unpack';
import { fail, ok, Result } from '../result';
import { readInput } from './read-input';

export const RUNNING_KERNEL_BTF = '/sys/kernel/btf/vmlinux';
/** How the running kernel is named among the targets, wherever it is loaded. */
export const RUNNING_KERNEL_LABEL = 'running kernel';
/** Which kernel the bundled fallback describes (see server/data/README.md). */
export const DEFAULT_KERNEL_RELEASE = '6.12.117+deb12-amd64 (Debian 12)';

export async function loadBtfFile(path: string, base?: Btf): Promise<Result<Btf>> {
  const bytes = readInput(path, 'BTF');
  if (!bytes.ok) return bytes;
  const unpacked = await unpackBtf(bytes.value, path);
  if (!unpacked.ok) return unpacked;
  // Raw BTF straight from /sys/kernel/btf was validated by the kernel itself; anything wrapped or copied was not.
  const kernelValidated = path.startsWith('/sys/kernel/btf/') && unpacked.value.formats.length === 1;
  return parseBtf(unpacked.value.btf, { source: path, base, kernelValidated });
}

/** The bundled kernel BTF, shipped beside the bundle (dist/) or in server/data when run from source. */
export function loadBundledKernel(): Result<Kernel> {
  const candidates = [join(__dirname, 'default-kernel.btf.br'), join(__dirname, '../../data/default-kernel.btf.br')];
  const file = candidates.find((c) => existsSync(c));
  if (!file) return fail(`the bundled kernel BTF is missing (looked in ${candidates.join(', ')}): reinstall the extension`);
  const parsed = parseBtf(brotliDecompressSync(readFileSync(file)), { source: `bundled ${DEFAULT_KERNEL_RELEASE}` });
  if (!parsed.ok) return parsed;
  const label = `bundled BTF of Linux ${DEFAULT_KERNEL_RELEASE}`;
  return ok({ btf: parsed.value, label, source: label, bundled: true, version: releaseVersion(DEFAULT_KERNEL_RELEASE) });
}

/** The kernel to describe when the user named none: the running kernel's BTF, else the bundled one. */
export async function loadDefaultKernel(): Promise<Result<Kernel>> {
  if (existsSync(RUNNING_KERNEL_BTF)) {
    const r = await loadBtfFile(RUNNING_KERNEL_BTF);
    if (r.ok) return ok(fileKernel(RUNNING_KERNEL_BTF, r.value));
  }
  return loadBundledKernel();
}

/** A kernel's name for people: the file name without `.btf.xz` and friends (`6.1.0-56-amd64`). */
export function kernelLabel(path: string): string {
  if (path === RUNNING_KERNEL_BTF) return RUNNING_KERNEL_LABEL;
  return path.replace(/^.*\//, '').replace(/\.(btf|tar|xz|gz)(\.(tar|xz|gz))*$/, '') || path;
}

/**
 * A kernel read from a file, with its version, which BTF does not record: uname for the running kernel,
 * else the release at the start of the file's name (`6.1.0-56-amd64.btf.xz`), else unknown.
 */
export function fileKernel(path: string, btf: Btf): Kernel {
  const label = kernelLabel(path);
  return { label, source: path, btf, version: releaseVersion(path === RUNNING_KERNEL_BTF ? release() : label) };
}
