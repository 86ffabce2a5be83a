// The families of SEC() names, by what their target is and where a kernel's BTF shows it: the one
// table completion, hover, diagnostics and BPF_PROG argument lists read. A family is named by libbpf's
// section prefixes (`kprobe`, `tp_btf`...), normalised once by `sectionPrefix`.
import { Btf } from '../btf/btf';
import { Kind } from '../btf/wire';
import { SectionMatch } from './match';

export type TargetKind =
  /** A kernel function, a FUNC in BTF (kprobe, fentry...). */
  | 'kernel-function'
  /** A pattern of kernel functions (kprobe.multi): nothing single to look up. */
  | 'kernel-function-pattern'
  /** A tracepoint with a BTF prototype: the typedef `btf_trace_<event>`. */
  | 'btf-tracepoint'
  /** A syscall, found through its architecture's wrapper (`__x64_sys_openat`) or `__do_sys_X`. */
  | 'syscall'
  /** `category/event`: syscall tracepoints come from BTF's syscalls, others only from tracefs. */
  | 'tracefs-event'
  /** An LSM hook: the FUNC `bpf_lsm_<hook>`. */
  | 'lsm-hook'
  /** A BPF iterator: the FUNC `bpf_iter_<name>`. */
  | 'iterator'
  /** No kernel target (XDP, socket filters...), or one this table does not look up. */
  | 'none';

/** What a `BPF_PROG` head receives, for the families whose arguments come typed from BTF. */
export type ArgumentShape = 'function' | 'function-and-return' | 'tracepoint' | 'lsm-hook-and-return' | 'none';

export interface SectionFamily {
  prefixes: readonly string[];
  target: TargetKind;
  args: ArgumentShape;
}

export const SECTION_FAMILIES: readonly SectionFamily[] = [
  { prefixes: ['kprobe', 'kretprobe'], target: 'kernel-function', args: 'none' },
  { prefixes: ['kprobe.multi', 'kretprobe.multi'], target: 'kernel-function-pattern', args: 'none' },
  { prefixes: ['fentry'], target: 'kernel-function', args: 'function' },
  // fexit also sees the return value; fmod_ret the one the previous fmod_ret program returned.
  { prefixes: ['fexit', 'fmod_ret'], target: 'kernel-function', args: 'function-and-return' },
  { prefixes: ['tp_btf', 'raw_tp', 'raw_tracepoint'], target: 'btf-tracepoint', args: 'tracepoint' },
  { prefixes: ['ksyscall', 'kretsyscall'], target: 'syscall', args: 'none' },
  { prefixes: ['tp', 'tracepoint'], target: 'tracefs-event', args: 'none' },
  { prefixes: ['lsm', 'lsm_cgroup'], target: 'lsm-hook', args: 'lsm-hook-and-return' },
  { prefixes: ['iter'], target: 'iterator', args: 'none' },
];

const NO_FAMILY: SectionFamily = { prefixes: [], target: 'none', args: 'none' };

/**
 * Where a kernel's BTF shows a syscall, on every architecture libbpf's BPF_KSYSCALL supports: its
 * wrapper, or `__do_sys_X` for the argument-less ones that have no wrapper in some kernels.
 */
export const SYSCALL_PREFIXES = ['__x64_sys_', '__arm64_sys_', '__riscv_sys_', '__s390x_sys_', '__do_sys_'] as const;

/** libbpf's section name without its match suffix (`+`, `/`) and the sleepable `.s`: `fentry.s+` is `fentry`. */
export function sectionPrefix(sec: string): string {
  return sec.replace(/[+/]$/, '').replace(/\.s$/, '');
}

export function familyOf(sec: string): SectionFamily {
  const prefix = sectionPrefix(sec);
  return SECTION_FAMILIES.find((f) => f.prefixes.includes(prefix)) ?? NO_FAMILY;
}

/** The BTF symbol a target is: `vfs_read`, `btf_trace_sched_switch`, `bpf_lsm_file_open`, `bpf_iter_task`. */
export function targetSymbol(family: SectionFamily, target: string): { name: string; kind: Kind } | undefined {
  switch (family.target) {
    case 'kernel-function': {
      const fn = target.split('+')[0];
      return /^\w+$/.test(fn) ? { name: fn, kind: Kind.Func } : undefined;
    }
    case 'btf-tracepoint':
      return { name: `btf_trace_${target}`, kind: Kind.Typedef };
    case 'lsm-hook':
      return { name: `bpf_lsm_${target}`, kind: Kind.Func };
    case 'iterator':
      return { name: `bpf_iter_${target}`, kind: Kind.Func };
    default:
      return undefined;
  }
}

export interface TargetNeed {
  /** BTF names of which one must exist. */
  names: string[];
  kind: Kind;
  /** How to name it to a person: `function vfs_read`, `syscall openat`. */
  what: string;
}

const syscallNeed = (name: string): TargetNeed => ({ names: SYSCALL_PREFIXES.map((p) => p + name), kind: Kind.Func, what: `syscall ${name}` });

/** What a section's target needs in a kernel's BTF; undefined when BTF cannot tell (tracefs events, patterns). */
export function targetNeed(match: SectionMatch): TargetNeed | undefined {
  const family = familyOf(match.def.sec);
  const target = match.target;
  if (!target) return undefined;
  if (family.target === 'syscall') return /^\w+$/.test(target) ? syscallNeed(target) : undefined;
  if (family.target === 'tracefs-event') {
    const sys = /^syscalls\/sys_(?:enter|exit)_(\w+)$/.exec(target);
    return sys ? syscallNeed(sys[1]) : undefined;
  }
  const symbol = targetSymbol(family, target);
  if (!symbol) return undefined;
  return { names: [symbol.name], kind: symbol.kind, what: `${symbol.kind === Kind.Typedef ? 'typedef' : 'function'} ${symbol.name}` };
}

export function hasTarget(btf: Btf, need: TargetNeed): boolean {
  return need.names.some((n) => btf.findFirst(n, need.kind) !== undefined);
}

/** The tracefs event a `tp/category/name` section names, when BTF cannot tell whether it exists. */
export function tracefsEvent(match: SectionMatch): { category: string; name: string } | undefined {
  if (familyOf(match.def.sec).target !== 'tracefs-event' || targetNeed(match)) return undefined;
  const m = /^(\w+)\/(\w+)$/.exec(match.target ?? '');
  return m ? { category: m[1], name: m[2] } : undefined;
}

/** Every syscall a kernel's BTF shows, on any architecture. */
function syscallNames(btf: Btf): string[] {
  const names = new Set<string>();
  for (const n of btf.namesOfKind(Kind.Func)) {
    const prefix = SYSCALL_PREFIXES.find((p) => n.name.startsWith(p));
    if (prefix) names.add(n.name.slice(prefix.length));
  }
  return [...names];
}

const stripped = (btf: Btf, kind: Kind, prefix: string) => btf.namesOfKind(kind).filter((n) => n.name.startsWith(prefix)).map((n) => n.name.slice(prefix.length));

/** The targets a family offers after `prefix/`, from a kernel's BTF (and its tracefs events, when given). */
export function targetNames(family: SectionFamily, btf: Btf, tracepoints?: () => string[]): string[] {
  switch (family.target) {
    case 'kernel-function':
    case 'kernel-function-pattern':
      return btf.namesOfKind(Kind.Func).map((n) => n.name);
    case 'btf-tracepoint':
      return stripped(btf, Kind.Typedef, 'btf_trace_');
    case 'lsm-hook':
      return stripped(btf, Kind.Func, 'bpf_lsm_');
    case 'iterator':
      return stripped(btf, Kind.Func, 'bpf_iter_').filter((n) => !/_(new|next|destroy)$/.test(n));
    case 'syscall':
      return syscallNames(btf);
    case 'tracefs-event':
      return tracepoints ? tracepoints() : syscallNames(btf).flatMap((s) => [`syscalls/sys_enter_${s}`, `syscalls/sys_exit_${s}`]);
    default:
      return [];
  }
}
