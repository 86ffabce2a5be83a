// The address of a read-only kernel type view, `ebpf-btf:/6.18 (running)/struct task_struct.h`: the
// kernel (named as hovers name it), the kind and the name, so that it reads well wherever VS Code shows
// it (tab titles, breadcrumbs, symbol search). Built and read only here, by the server and the client.
import type { Kernel, KernelSet } from '../kernels/kernel';
import type { TypeKeyword } from './cursor';
import { shortLabels } from './kernel-labels';

export const BTF_VIEW_SCHEME = 'ebpf-btf';

export type ViewKind = TypeKeyword | 'typedef';

export interface BtfViewAddress {
  /** The kernel's name among the configured kernels (`6.18 (running)`, `6.1`): see viewKernelName. */
  kernel: string;
  kind: ViewKind;
  name: string;
  /** A struct's or union's layout as pahole prints it, rather than its C. */
  layout: boolean;
}

export function btfViewUri(a: BtfViewAddress): string {
  return `${BTF_VIEW_SCHEME}:/${encodeURIComponent(a.kernel)}/${a.kind}%20${a.name}${a.layout ? '.layout' : ''}.h`;
}

/** The address an `ebpf-btf:` URI names, however it is percent-encoded (VS Code encodes `(` and `+` too). */
export function parseBtfViewUri(uri: string): BtfViewAddress | undefined {
  const m = new RegExp(`^${BTF_VIEW_SCHEME}:/([^/]+)/([^/]+)$`).exec(uri);
  if (!m) return undefined;
  let kernel: string;
  let file: string;
  try {
    kernel = decodeURIComponent(m[1]);
    file = decodeURIComponent(m[2]);
  } catch {
    return undefined;
  }
  const f = /^(struct|union|enum|typedef) (\w+?)(\.layout)?\.h$/.exec(file);
  return f ? { kernel, kind: f[1] as ViewKind, name: f[2], layout: f[3] !== undefined } : undefined;
}

/** The name `kernel` goes by in view URIs: its short label, unique among the configured kernels. */
export function viewKernelName(kernels: KernelSet, kernel: Kernel): string {
  return shortLabels(kernels.all).get(kernel) ?? kernel.label;
}

/** The configured kernel a view URI names. */
export function viewKernel(kernels: KernelSet, name: string): Kernel | undefined {
  return kernels.all.find((k) => viewKernelName(kernels, k) === name);
}
