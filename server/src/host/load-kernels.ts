// The one way kernels are loaded, for the language server and the CLI alike: the described kernel (a
// file, else the running kernel, else the bundled fallback) and the target kernels.
import { Btf } from '../btf/btf';
import { Kernel, KernelSet, kernelSet } from '../kernels/kernel';
import { fail, ok, Result } from '../result';
import { fileKernel, loadBtfFile, loadDefaultKernel } from './load-btf';

export interface KernelSpec {
  /** The kernel to describe; the default kernel when empty. */
  described?: string;
  targets: readonly string[];
  /** Base BTF for split BTF files (a module's BTF on its vmlinux). */
  base?: string;
}

export interface LoadedKernels {
  kernels: KernelSet;
  /** Files that could not be read (lenient mode only): one line each. */
  errors: string[];
}

/**
 * Loads the kernels of `spec`. Strict (the CLI): any file that cannot be read fails the whole load.
 * Lenient (the editor): unreadable files are reported in `errors` and skipped, and the described kernel
 * falls back to the default one, so hovers keep working while the user fixes a setting.
 */
export async function loadKernelSet(spec: KernelSpec, mode: 'strict' | 'lenient'): Promise<Result<LoadedKernels>> {
  const errors: string[] = [];
  let base: Btf | undefined;
  if (spec.base) {
    const b = await loadBtfFile(spec.base);
    if (!b.ok) return b;
    base = b.value;
  }
  const load = async (path: string): Promise<Kernel | undefined> => {
    const r = await loadBtfFile(path, base);
    if (r.ok) return fileKernel(path, r.value);
    errors.push(r.error);
    return undefined;
  };
  let described = spec.described ? await load(spec.described) : undefined;
  if (!described && (!spec.described || mode === 'lenient')) {
    const r = await loadDefaultKernel();
    if (!r.ok) return r;
    described = r.value;
  }
  const targets: Kernel[] = [];
  for (const path of spec.targets) {
    const k = await load(path);
    if (k) targets.push(k);
  }
  if (mode === 'strict' && errors.length) return fail(errors[0]);
  return ok({ kernels: kernelSet(described!, targets), errors });
}
