// Resolving the --btf options of a CLI command to loaded kernels, with one-line errors.
import { Btf } from '../btf/btf';
import type { Kernel } from '../features/language-service';
import { bundledTarget, LoadedKernel, loadBtfFile, loadDefaultKernel, targetKernel } from '../host/load-btf';
import { InputError } from './usage';

/** Loads each --btf file (or the default kernel when none is given); throws InputError on bad input. */
export async function loadKernels(files: string[] | undefined, baseFile?: string): Promise<LoadedKernel[]> {
  if (!files || files.length === 0) {
    const r = await loadDefaultKernel();
    if (!r.ok) throw new InputError(r.error);
    if (r.value.bundled) process.stderr.write(`ebpf-ls: note: no ${'/sys/kernel/btf/vmlinux'}; describing the ${r.value.label}\n`);
    return [r.value];
  }
  let base: Btf | undefined;
  if (baseFile) {
    const b = await loadBtfFile(baseFile);
    if (!b.ok) throw new InputError(b.error);
    base = b.value;
  }
  const out: LoadedKernel[] = [];
  for (const f of files) {
    const r = await loadBtfFile(f, base);
    if (!r.ok) throw new InputError(r.error);
    out.push({ btf: r.value, label: f, bundled: false });
  }
  return out;
}

/** The --btf kernels as diagnostics targets: named for people, with their versions where known. */
export async function loadTargets(files: string[] | undefined): Promise<Kernel[]> {
  return (await loadKernels(files)).map((k) => (k.bundled ? bundledTarget(k) : targetKernel(k.label, k.btf)));
}
