// The --btf options of a CLI command as a kernel set (the first file described, the others targets),
// through the same loader as the language server; bad input is one line.
import { KernelSet } from '../kernels/kernel';
import { loadKernelSet } from '../host/load-kernels';
import { InputError } from './usage';

/** Loads each --btf file (or the default kernel when none is given); throws InputError on bad input. */
export async function loadKernels(files: string[] | undefined, baseFile?: string): Promise<KernelSet> {
  const [described, ...targets] = files ?? [];
  const r = await loadKernelSet({ described, targets, base: baseFile }, 'strict');
  if (!r.ok) throw new InputError(r.error);
  const set = r.value.kernels;
  if (set.described.bundled) process.stderr.write(`ebpf-ls: note: no /sys/kernel/btf/vmlinux; describing the ${set.described.label}\n`);
  return set;
}
