// Kernels by the hundred, as BTFHub and folders of kernel packages hold them: each kernel's name from its
// path, the per-relocation answer for one kernel in a compact form, and the grouping of kernels whose
// answers are identical for every relocation. Plain data: loading and running kernels is the host's job.
import { Arch, archFromName, normalizeArch } from './arch';
import { releaseVersion } from './kernel';
import type { KernelResolution } from '../relocs/object';

export interface KernelFileInfo {
  path: string;
  /** Unique among the kernels of one run: `ubuntu/20.04/x86_64/5.4.0-1010-aws`, or the release of a flat file. */
  label: string;
  release: string;
  distro?: string;
  distroVersion?: string;
  arch?: Arch;
  /** KERNEL_VERSION(a, b, c) of the release, when it starts with one. */
  version?: number;
}

const BTF_SUFFIX = /\.(btf|tar|xz|gz|zst|lz4|deb)(\.(btf|tar|xz|gz|zst|lz4))*$/;

/** The release a file name stands for: `5.4.0-1010-aws.btf.tar.xz` -> `5.4.0-1010-aws`; a package's ABI. */
export function releaseOfFile(name: string): string {
  const deb = /^linux-image-(.+?)(-unsigned|-dbg)?_[^_]+_[^_]+\.deb$/.exec(name);
  if (deb) return deb[1];
  return name.replace(BTF_SUFFIX, '').replace(/^(vmlinu[xz]|Image)-/, '') || name;
}

/**
 * Describes a kernel file by its path under a kernel folder: BTFHub's `<distro>/<version>/<arch>/<release>.btf.tar.xz`,
 * or any other file by its name (the architecture then from the release, as in `6.1.0-56-cloud-amd64`).
 */
export function describeKernelPath(path: string, relPath: string): KernelFileInfo {
  const parts = relPath.split('/');
  const release = releaseOfFile(parts[parts.length - 1]);
  const hub = parts.length >= 4 ? normalizeArch(parts[parts.length - 2]) : undefined;
  if (hub) {
    const [distro, distroVersion] = parts.slice(-4, -2);
    return { path, label: `${distro}/${distroVersion}/${parts[parts.length - 2]}/${release}`, release, distro, distroVersion, arch: hub, version: releaseVersion(release) };
  }
  return { path, label: release, release, arch: archFromName(release), version: releaseVersion(release) };
}

/** Labels made unique: a label that two files share becomes their paths relative to their folder. */
export function uniqueLabels(files: { info: KernelFileInfo; relPath: string }[]): KernelFileInfo[] {
  const count = new Map<string, number>();
  for (const f of files) count.set(f.info.label, (count.get(f.info.label) ?? 0) + 1);
  return files.map((f) => (count.get(f.info.label)! > 1 ? { ...f.info, label: f.relPath } : f.info));
}

/** One relocation in one kernel, as far as the loaded program can tell: what libbpf patches. */
export interface Verdict {
  resolved: boolean;
  poisoned: boolean;
  value?: number | string;
  /** The value the compiler put there (whether libbpf changes it). */
  localValue?: number | string;
  error?: string;
  /** The matched target, e.g. `struct task_struct.__state`, and its bit offset. */
  target?: string;
  bitOffset?: number;
}

/** One kernel's resolution of a relocation in the compact form. */
export function verdictOf(t: KernelResolution): Verdict {
  const v: Verdict = { resolved: t.resolved, poisoned: t.poisoned };
  if (t.value !== undefined) v.value = t.value;
  if (t.localValue !== undefined) v.localValue = t.localValue;
  if (t.error) v.error = t.error;
  if (t.target) {
    v.target = t.target.access;
    v.bitOffset = t.target.bitOffset;
  }
  return v;
}

/** The per-relocation results of one kernel as one string: equal strings mean equal behaviour. */
export function verdictKey(verdicts: readonly Verdict[], kinds: readonly string[]): string {
  // A target type id is the kernel's own numbering: only whether it resolved says anything.
  return verdicts.map((v, i) => (kinds[i] === 'target_type_id' ? `${v.resolved}|${v.poisoned}|${v.error ?? ''}` : `${v.resolved}|${v.poisoned}|${v.value ?? ''}|${v.error ?? ''}`)).join('\n');
}

export interface KernelGroup {
  id: number;
  /** Indices of the kernels, in the order they were added. */
  kernels: number[];
  verdicts: readonly Verdict[];
  /** Relocations that fail here and are not dead code (libbpf's poison the verifier would reach, or an error). */
  failing: number[];
}

/**
 * Kernels grouped by identical verdicts, built as results stream in: only one verdict list is kept per
 * group, so memory grows with the number of distinct behaviours, not of kernels.
 */
export class KernelGroups {
  readonly groups: KernelGroup[] = [];
  private byKey = new Map<string, KernelGroup>();

  constructor(private readonly kinds: readonly string[]) {}

  /** Adds a kernel's verdicts (`dead[i]`: relocation i is unreachable there) and returns its group. */
  add(kernel: number, verdicts: readonly Verdict[], dead: readonly boolean[] = []): KernelGroup {
    const key = verdictKey(verdicts, this.kinds) + '\n' + dead.map((d) => (d ? 1 : 0)).join('');
    let g = this.byKey.get(key);
    if (!g) {
      const failing = verdicts.flatMap((v, i) => ((v.error || v.poisoned) && !dead[i] ? [i] : []));
      g = { id: this.groups.length + 1, kernels: [], verdicts, failing };
      this.groups.push(g);
      this.byKey.set(key, g);
    }
    g.kernels.push(kernel);
    return g;
  }

  /** Relocations whose verdicts are not the same in every group. */
  differing(): number[] {
    if (this.groups.length < 2) return [];
    const first = this.groups[0].verdicts;
    return first.flatMap((_, i) => (this.groups.some((g) => verdictKey([g.verdicts[i]], [this.kinds[i]]) !== verdictKey([first[i]], [this.kinds[i]])) ? [i] : []));
  }
}

/**
 * A short name for a set of kernels: `6.1.0-47-amd64 … 6.1.0-56-amd64 (12 kernels)`; labels sorted the
 * way people count releases (numbers as numbers).
 */
export function summarizeKernels(labels: readonly string[], max = 3): string {
  const sorted = [...labels].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (sorted.length <= max) return sorted.join(', ');
  return `${sorted[0]} … ${sorted[sorted.length - 1]} (${sorted.length} kernels)`;
}
