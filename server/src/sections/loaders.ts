// SEC() names as each user-space loader reads them. libbpf's table (libbpf-sections.ts, match.ts) is what
// most projects load with, directly or through skeletons, libbpfgo or libbpf-rs; other loaders read the
// same ELF section names differently:
//   - cilium/ebpf (Go, bpf2go) has its own copy of libbpf's table but matches entries without `+` as plain
//     prefixes (`socket1`, `tc_ingress`, `xdp_pass` are fine), and takes kprobe, uprobe and tracepoint
//     targets from Go code (link.Kprobe(...)): only BTF-resolved targets (fentry, fexit, fmod_ret, tp_btf,
//     lsm, iter, freplace) are read from the section at load time.
//   - libxdp opens the object with libbpf and then sets BPF_PROG_TYPE_XDP (or EXT, for its dispatcher)
//     on the one program it loads, whatever its section is called.
//   - aya (Rust) parses names with aya-obj's ProgramSection::from_str: the part before the first '/' must
//     be one of its kinds, a few kinds check the next part, every target comes from Rust code, and an
//     unknown name fails the whole object.
import { CILIUM_EBPF_SECTION_DEFS, CILIUM_EBPF_VERSION, CiliumSecDef, ciliumPatternMatches } from './cilium-ebpf-sections';
import { LIBBPF_SECTION_DEFS_VERSION } from './libbpf-sections';
import { SectionMatch, matchSection } from './match';

export type Loader = 'libbpf' | 'cilium/ebpf' | 'libxdp' | 'aya';

export interface LoaderInfo {
  name: Loader;
  /** What decides a program's type and target when this loader opens the object. */
  reads: string;
  /** Where the rules were read, and at which version. */
  source: string;
  version: string;
}

export const LOADERS: readonly LoaderInfo[] = [
  {
    name: 'libbpf',
    reads: "libbpf's section_defs: `x` exact, `x+` as x or x/target, `x/` as x/target only; the target is the text after the prefix's '/'",
    source: 'libbpf src/libbpf.c (section_defs, sec_def_matches)',
    version: LIBBPF_SECTION_DEFS_VERSION,
  },
  {
    name: 'cilium/ebpf',
    reads: "its own copy of libbpf's table, matched by the text before the first '/' for `x+` entries and as a plain string prefix for the others; kprobe/uprobe/tracepoint targets come from Go code",
    source: 'github.com/cilium/ebpf elf_sections.go, elf_reader.go (getProgType, matchSectionName), prog.go (findProgramTargetInKernel)',
    version: CILIUM_EBPF_VERSION,
  },
  {
    name: 'libxdp',
    reads: "libbpf's table; the program libxdp loads becomes XDP whatever its section is called (here: names starting with `xdp`)",
    source: 'xdp-project/xdp-tools lib/libxdp/libxdp.c (xdp_program__create_from_obj, xdp_program__attach_single)',
    version: 'v1.6.3-23-gf0b4ac2',
  },
  {
    name: 'aya',
    reads: "the kind before the first '/' (kprobe, xdp, cgroup/<hook>...); targets come from Rust code; an unknown name fails the whole object",
    source: 'aya-rs/aya aya-obj/src/obj.rs (ProgramSection::from_str)',
    version: 'aya-v0.14.0-78-g875daf97',
  },
];

export interface LoaderSectionMatch {
  loader: Loader;
  progType: string;
  attachType?: string;
  /** The text the loader reads as the target, when there is one. */
  target?: string;
  /** Whether the loader uses `target` (to attach or to resolve BTF at load). False when user code names the
   * target (cilium/ebpf's link.Kprobe, aya's attach/load calls), so the section's is informational. Even
   * when true, cilium/ebpf's Go code may overwrite ProgramSpec.AttachTo before loading. */
  targetFromSection: boolean;
  /** The table entry that decided the type, in libbpf's spelling (`kprobe+`, `tc`, `xdp`...): what the
   * section families key on. */
  sec: string;
  sleepable: boolean;
  /** `SEC("?...")`, honoured as "do not load by default" (libbpf, libxdp). */
  noAutoload: boolean;
  /** Set when the loader, not the name, decides the type (libxdp on names libbpf does not know): only the
   * program libxdp loads gets it, so two such programs in one object fail libbpf's load of the other. */
  typeFromLoader?: boolean;
  /** libbpf's match of the same name, when libbpf's table takes it. */
  libbpf?: SectionMatch;
}

export function matchSectionFor(loader: Loader, raw: string): LoaderSectionMatch | undefined {
  switch (loader) {
    case 'libbpf':
      return fromLibbpf('libbpf', matchSection(raw));
    case 'cilium/ebpf':
      return matchCilium(raw);
    case 'libxdp':
      return fromLibbpf('libxdp', matchSection(raw)) ?? matchLibxdpFallback(raw);
    case 'aya':
      return matchAya(raw);
  }
}

function fromLibbpf(loader: Loader, m: SectionMatch | undefined): LoaderSectionMatch | undefined {
  if (!m) return undefined;
  const { def } = m;
  return {
    loader, progType: def.progType, attachType: def.attachType, target: m.target,
    // libbpf reads the target at load for BTF-attached programs and when it auto-attaches.
    targetFromSection: def.flags.includes('ATTACH_BTF') || def.attach !== undefined,
    sec: def.sec, sleepable: def.flags.includes('SLEEPABLE'), noAutoload: m.noAutoload, libbpf: m,
  };
}

/** libxdp: a name libbpf does not know still loads as XDP when libxdp loads it. libxdp accepts any name
 * for that program; we accept the ones that say XDP, as xdp-tutorial's `xdp_pass`, `xdp_redirect`... do. */
function matchLibxdpFallback(raw: string): LoaderSectionMatch | undefined {
  const noAutoload = raw.startsWith('?');
  const name = noAutoload ? raw.slice(1) : raw;
  if (!name.startsWith('xdp')) return undefined;
  return {
    loader: 'libxdp', progType: 'BPF_PROG_TYPE_XDP', attachType: 'BPF_XDP', targetFromSection: false,
    sec: 'xdp', sleepable: false, noAutoload, typeFromLoader: true,
  };
}

/** The (program type, attach type) pairs whose AttachTo cilium/ebpf resolves in kernel BTF at load
 * (findProgramTargetInKernel), plus freplace, whose AttachTo names a function of the Go-given target program. */
const CILIUM_TARGET_AT_LOAD = new Set([
  'BPF_PROG_TYPE_LSM BPF_LSM_MAC',
  'BPF_PROG_TYPE_TRACING BPF_TRACE_ITER',
  'BPF_PROG_TYPE_TRACING BPF_TRACE_FENTRY',
  'BPF_PROG_TYPE_TRACING BPF_TRACE_FEXIT',
  'BPF_PROG_TYPE_TRACING BPF_MODIFY_RETURN',
  'BPF_PROG_TYPE_TRACING BPF_TRACE_RAW_TP',
  'BPF_PROG_TYPE_EXT',
]);

export function matchCiliumDef(raw: string): { def: CiliumSecDef; extra: string } | undefined {
  // cilium/ebpf drops the '?' and loads the program as usual.
  const name = raw.startsWith('?') ? raw.slice(1) : raw;
  for (const def of CILIUM_EBPF_SECTION_DEFS) {
    const m = ciliumPatternMatches(def.prefix, name);
    if (m) return { def, extra: def.flags.includes('ignoreExtra') ? '' : m.extra };
  }
  return undefined;
}

function matchCilium(raw: string): LoaderSectionMatch | undefined {
  const m = matchCiliumDef(raw);
  if (!m) return undefined;
  const { def, extra } = m;
  const key = def.attachType ? `${def.progType} ${def.attachType}` : def.progType;
  return {
    loader: 'cilium/ebpf', progType: def.progType, attachType: def.attachType, target: extra || undefined,
    targetFromSection: CILIUM_TARGET_AT_LOAD.has(key), sec: def.prefix, sleepable: def.flags.includes('sleepable'),
    noAutoload: false, libbpf: matchSection(raw),
  };
}

/** aya-obj's kinds: the libbpf name its types match, and which second '/' parts it checks. `subs`
 * required: one of them must follow; optional: none, or one of them (anything else is an error);
 * without subs the rest of the name is ignored. */
interface AyaKind {
  kinds: string[];
  subs?: { names: string[]; required: boolean };
}

const AYA_KINDS: readonly AyaKind[] = [
  { kinds: ['kprobe', 'kretprobe', 'uprobe', 'uprobe.s', 'uprobe.multi', 'uprobe.multi.s', 'uretprobe', 'uretprobe.s', 'uretprobe.multi', 'uretprobe.multi.s'] },
  { kinds: ['xdp', 'xdp.frags'], subs: { names: ['cpumap', 'devmap'], required: false } },
  { kinds: ['tp_btf', 'tracepoint', 'tp', 'socket', 'sk_msg', 'sockops', 'classifier'] },
  { kinds: ['sk_skb'], subs: { names: ['stream_parser', 'stream_verdict'], required: true } },
  { kinds: ['cgroup_skb'], subs: { names: ['ingress', 'egress'], required: true } },
  {
    kinds: ['cgroup'],
    subs: {
      required: true,
      names: ['skb', 'sysctl', 'dev', 'getsockopt', 'setsockopt', 'sock', 'post_bind4', 'post_bind6', 'sock_create', 'sock_release',
        'bind4', 'bind6', 'connect4', 'connect6', 'getpeername4', 'getpeername6', 'getsockname4', 'getsockname6',
        'sendmsg4', 'sendmsg6', 'recvmsg4', 'recvmsg6'],
    },
  },
  { kinds: ['lirc_mode2', 'perf_event', 'raw_tp', 'raw_tracepoint', 'lsm', 'lsm.s', 'lsm_cgroup', 'fentry', 'fentry.s', 'fexit', 'fexit.s', 'flow_dissector', 'freplace', 'sk_lookup'] },
  { kinds: ['sk_reuseport'], subs: { names: ['migrate'], required: false } },
  { kinds: ['iter', 'iter.s'] },
];

function matchAya(name: string): LoaderSectionMatch | undefined {
  const [kind, sub, ...more] = name.split('/');
  const entry = AYA_KINDS.find((k) => k.kinds.includes(kind));
  if (!entry) return undefined;
  let libbpfName = kind;
  let target: string | undefined;
  if (entry.subs) {
    if (sub === undefined ? entry.subs.required : !entry.subs.names.includes(sub)) return undefined;
    if (sub !== undefined) libbpfName = `${kind}/${sub}`;
  } else if (sub !== undefined) {
    target = [sub, ...more].join('/') || undefined;
  }
  // Every aya kind is also a libbpf name with the same program and attach types.
  const m = matchSection(libbpfName);
  if (!m) return undefined;
  return {
    loader: 'aya', progType: m.def.progType, attachType: m.def.attachType, target, targetFromSection: false,
    sec: m.def.sec, sleepable: m.def.flags.includes('SLEEPABLE'), noAutoload: false, libbpf: matchSection(name),
  };
}

export interface LoaderEvidence {
  /** The project's go.mod. */
  goMod?: string;
  /** The project's Cargo.toml (the crate's or the workspace's). */
  cargoToml?: string;
  /** `//go:generate` lines (or whole .go files) of the project. */
  goSources?: string[];
  /** `#include` targets of the project's C files, user-space loaders as well as BPF programs, as written:
   * `xdp/libxdp.h`, `../common/xdp_stats_kern.h`, `bpf/bpf_helpers.h`... */
  includes: string[];
}

/** Go modules that load eBPF objects with libbpf (through cgo), whatever else go.mod requires. */
const GO_LIBBPF_MODULES = ['github.com/aquasecurity/libbpfgo'];
/** Go modules whose loaders read section names with cilium/ebpf's table. */
const GO_CILIUM_MODULES = ['github.com/cilium/ebpf', 'github.com/DataDog/ebpf-manager'];

/** libxdp's headers (xdp-tools `headers/xdp/`) and xdp-tutorial's shared `common/` kernel headers. */
const LIBXDP_INCLUDE = /(^|\/)xdp\/(libxdp|xdp_helpers|prog_dispatcher|parsing_helpers|xdp_stats_kern|xdp_stats_kern_user|xdp_sample[\w.]*)\.h$|(^|\/)common\/(xdp_stats_kern|xdp_stats_kern_user)\.h$/;

/** The loader a project uses, from the texts the edge reads; undefined means libbpf. */
export function detectLoader(files: LoaderEvidence): Loader | undefined {
  const direct = files.goMod ? goDirectRequires(files.goMod) : [];
  if (GO_LIBBPF_MODULES.some((m) => direct.includes(m))) return undefined;
  if (GO_CILIUM_MODULES.some((m) => direct.includes(m))) return 'cilium/ebpf';
  if (files.goSources?.some((s) => /^\s*\/\/go:generate\s+.*\bbpf2go\b/m.test(s))) return 'cilium/ebpf';
  if (files.cargoToml) {
    const deps = cargoDependencies(files.cargoToml);
    if (deps.some((d) => d === 'libbpf-rs' || d === 'libbpf-cargo')) return undefined;
    if (deps.some((d) => d === 'aya' || d === 'aya-ebpf' || d === 'aya-bpf' || d === 'aya-obj')) return 'aya';
  }
  // Last: a Go or Rust project's own loader outranks a header it borrowed from xdp-tools.
  if (files.includes.some((i) => LIBXDP_INCLUDE.test(i.trim()))) return 'libxdp';
  return undefined;
}

/** The modules go.mod requires directly (without `// indirect`), from `require x v` lines and blocks. */
export function goDirectRequires(goMod: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of goMod.split('\n')) {
    const text = line.trim();
    if (inBlock && text.startsWith(')')) {
      inBlock = false;
      continue;
    }
    if (/^require\s*\($/.test(text)) {
      inBlock = true;
      continue;
    }
    const spec = inBlock ? text : /^require\s+(.*)$/.exec(text)?.[1];
    if (!spec || spec.startsWith('//') || /\/\/\s*indirect\b/.test(spec)) continue;
    const module = spec.split(/\s+/)[0];
    if (module) out.push(module);
  }
  return out;
}

/** Crate names in Cargo.toml's dependency tables: `name = ...` under [*dependencies*] and [*dependencies.name]. */
export function cargoDependencies(cargoToml: string): string[] {
  const out: string[] = [];
  let inDeps = false;
  for (const line of cargoToml.split('\n')) {
    const text = line.replace(/#.*$/, '').trim();
    const table = /^\[+\s*([^\]]+?)\s*\]+$/.exec(text);
    if (table) {
      const parts = table[1].split('.');
      const at = parts.findIndex((p) => /^(dev-|build-)?dependencies$/.test(p.trim()));
      inDeps = at >= 0 && at === parts.length - 1;
      if (at >= 0 && at === parts.length - 2) out.push(parts[at + 1].trim().replace(/^"|"$/g, ''));
      continue;
    }
    const key = inDeps ? /^"?([A-Za-z0-9_-]+)"?\s*(\.|=)/.exec(text)?.[1] : undefined;
    if (key) out.push(key);
  }
  return out;
}
