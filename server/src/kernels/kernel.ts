// A kernel as every feature sees it, and the set of kernels a workspace describes and checks against.
// Loading them is the host's job (host/load-kernels.ts); this module only names them.
import { Btf } from '../btf/btf';
import type { Arch } from './arch';

export interface Kernel {
  /** How people name it: `running kernel`, `6.1.0-56-amd64`, `bundled BTF of Linux 6.12.117...`. */
  label: string;
  /** Where it was read from: a path, or the bundled fallback's description. */
  source: string;
  btf: Btf;
  /** KERNEL_VERSION(a, b, c) of this kernel, when known: LINUX_KERNEL_VERSION guards are decided with it. */
  version?: number;
  /** The bundled fallback rather than a file the user has. */
  bundled?: boolean;
  /** The architecture, when the file, its path or its pt_regs say (./arch.ts). */
  arch?: Arch;
}

/**
 * The kernel hovers and completion describe, and the kernels diagnostics check against. The described
 * kernel is always the first of `all`; `targets` are the others, in the order they were configured.
 */
export interface KernelSet {
  described: Kernel;
  targets: readonly Kernel[];
  /** The described kernel, then the targets. */
  all: readonly Kernel[];
}

export function kernelSet(described: Kernel, targets: readonly Kernel[]): KernelSet {
  return { described, targets, all: [described, ...targets] };
}

/** KERNEL_VERSION(a, b, c) as the kernel's headers encode it (the patch level saturates at 255). */
export function kernelVersionCode(major: number, minor: number, patch: number): number {
  return (major << 16) + (minor << 8) + Math.min(255, patch);
}

/** The KERNEL_VERSION of a release string (`6.1.0-56-amd64`), if it starts with one. */
export function releaseVersion(release: string): number | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  return m ? kernelVersionCode(Number(m[1]), Number(m[2]), Number(m[3] ?? 0)) : undefined;
}
