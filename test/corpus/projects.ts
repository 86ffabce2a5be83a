// The real-world corpus in ../shared/corpus (see its README.md): 17 projects' eBPF C programs, byte for
// byte, with the include directories each project builds with and the user-space loader that reads its
// SEC() names. The table is data only; corpus.test.ts runs `ebpf-ls check` over it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The bench bundles this file elsewhere and names the repository (scripts/bench.mjs defines EBPF_REPO_ROOT).
export const repoRoot = process.env.EBPF_REPO_ROOT ?? resolve(__dirname, '../..');
export const sharedDir = resolve(repoRoot, '../shared');
export const corpusDir = join(sharedDir, 'corpus');
export const sharedBtfDir = join(sharedDir, 'btf');
export const manifestPath = join(corpusDir, 'MANIFEST.tsv');

/** Which user-space loader reads the project's object (README "Which loader each project uses"). */
export type Loader = 'libbpf' | 'cilium/ebpf' | 'libxdp';

export interface CorpusProject {
  /** `owner/name` as MANIFEST.tsv's `repo` column spells it. */
  repo: string;
  /** The folder under corpus/: `owner+name`. */
  folder: string;
  loader: Loader;
  /** The project's own `-I` directories, relative to corpus/, in order (README table). */
  includes: string[];
  /** More `-I` directories for some programs only: program path (inside the repository) -> dirs relative to corpus/. */
  programIncludes?: Record<string, string[]>;
  /** What the README says about the project that explains diagnostics (loader details, missing generated headers). */
  note?: string;
}

const project = (repo: string, loader: Loader, includes: string[], extra: Partial<CorpusProject> = {}): CorpusProject => ({
  repo, folder: repo.replace('/', '+'), loader, includes, ...extra,
});

export const PROJECTS: readonly CorpusProject[] = [
  project('aquasecurity/tracee', 'libbpf', ['aquasecurity+tracee/pkg/ebpf/c'], {
    note: 'libbpfgo; ships a hand-written vmlinux.h subset (not copied), vmlinux_flavors.h/vmlinux_missing.h copied',
  }),
  project('falcosecurity/libs', 'libbpf', ['falcosecurity+libs/driver/modern_bpf', 'falcosecurity+libs'], {
    note: 'skeleton; needs the CMake-generated <driver/driver_config.h>, which is not in the tree',
  }),
  project('inspektor-gadget/inspektor-gadget', 'cilium/ebpf', ['inspektor-gadget+inspektor-gadget/include']),
  project('cilium/pwru', 'cilium/ebpf', ['cilium+pwru/bpf', 'cilium+pwru/bpf/headers']),
  project('anakryiko/retsnoop', 'libbpf', ['anakryiko+retsnoop/src']),
  project('sched-ext/scx', 'libbpf', [
    'sched-ext+scx/scheds/include', 'sched-ext+scx/scheds/include/bpf-compat', 'sched-ext+scx/scheds/include/lib/alloc', 'sched-ext+scx/scheds/rust',
  ], { note: 'libbpf-rs and C skeletons; needs a kernel with sched_ext (none of the BTFs here has task_struct.scx)' }),
  project('eunomia-bpf/bpf-developer-tutorial', 'libbpf', [], {
    programIncludes: {
      'src/44-scx-simple/scx_simple.bpf.c': ['eunomia-bpf+bpf-developer-tutorial/src/44-scx-simple/include'],
      'src/45-scx-nest/scx_nest.bpf.c': ['eunomia-bpf+bpf-developer-tutorial/src/45-scx-nest/include'],
    },
    note: "skeletons; a few lessons use eunomia's loader",
  }),
  project('libbpf/libbpf-rs', 'libbpf', []),
  project('cilium/ebpf', 'cilium/ebpf', ['cilium+ebpf/examples/headers']),
  project('kubearmor/KubeArmor', 'cilium/ebpf', ['kubearmor+KubeArmor/KubeArmor/BPF']),
  project('Netflix/bpftop', 'libbpf', ['Netflix+bpftop/src/bpf'], { note: 'libbpf-rs' }),
  project('coroot/coroot-node-agent', 'cilium/ebpf', ['coroot+coroot-node-agent/ebpftracer/ebpf'], {
    note: 'built against kernel source headers (<uapi/linux/bpf.h>, not in the corpus)',
  }),
  project('elastic/ebpf', 'libbpf', ['elastic+ebpf/GPL/Events'], {
    note: 'GPL/HostIsolation/TcFilter includes libbpf src/ headers by bare name ("bpf_helpers.h"), not in the corpus',
  }),
  project('lizrice/learning-ebpf', 'libbpf', []),
  project('xdp-project/xdp-tutorial', 'libxdp', ['xdp-project+xdp-tutorial', 'xdp-project+xdp-tutorial/common'], {
    note: 'libxdp / libbpf with the program type set by the loader, whatever the section is called',
  }),
  project('cilium/tetragon', 'cilium/ebpf', [
    'cilium+tetragon/bpf', 'cilium+tetragon/bpf/libbpf', 'cilium+tetragon/bpf/include', 'cilium+tetragon/bpf/lib', 'cilium+tetragon/bpf/errmetrics',
  ], { note: '__attribute__((section(...))), not SEC(); its hand-written vmlinux.h wrapper (local types, BPF_NO_PRESERVE_ACCESS_INDEX) is not copied' }),
  project('open-telemetry/opentelemetry-ebpf-instrumentation', 'cilium/ebpf', ['open-telemetry+opentelemetry-ebpf-instrumentation/bpf'], {
    note: 'gotracer.c/generictracer.c #include sibling .c programs, whose license lives in the including file',
  }),
];

/** Why the corpus tests cannot run here, or undefined when they can. */
export const corpusSkip: string | undefined = existsSync(manifestPath)
  ? undefined
  : `${corpusDir} is absent (a user's clone): the real-world corpus lives beside the repository, in ../shared`;

interface ManifestRow { repo: string; commit: string; path: string; license: string; kind: string }

let manifestRows: ManifestRow[] | undefined;
function manifest(): ManifestRow[] {
  if (!manifestRows) {
    const [header, ...lines] = readFileSync(manifestPath, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const cols = header.split('\t');
    const at = (name: string) => {
      const i = cols.indexOf(name);
      if (i < 0) throw new Error(`${manifestPath}: no '${name}' column`);
      return i;
    };
    const [r, c, p, l, k] = ['repo', 'commit', 'path', 'license', 'kind'].map(at);
    manifestRows = lines.map((line) => {
      const f = line.split('\t');
      return { repo: f[r], commit: f[c], path: f[p], license: f[l], kind: f[k] };
    });
  }
  return manifestRows;
}

export interface CorpusProgram {
  /** Path inside the repository, as MANIFEST.tsv has it. */
  path: string;
  /** Path relative to corpus/ (`owner+name/<path>`): what expected-errors.tsv globs match. */
  corpusPath: string;
  /** Absolute path on this machine. */
  file: string;
}

/** The project's `kind=program` files from MANIFEST.tsv, sorted by path. */
export function programsOf(p: CorpusProject): CorpusProgram[] {
  return manifest()
    .filter((row) => row.repo === p.repo && row.kind === 'program')
    .map((row) => ({ path: row.path, corpusPath: `${p.folder}/${row.path}`, file: join(corpusDir, p.folder, row.path) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Every repository MANIFEST.tsv names, to catch a project the table forgot. */
export function manifestRepos(): string[] {
  return [...new Set(manifest().map((r) => r.repo))].sort();
}

/**
 * The programs of a project grouped by the exact `--include` list they need (one `check` run per group):
 * the project's directories, any per-program ones, then `$V` and `$V/vmlinux` for the generated vmlinux.h.
 */
export function batchesOf(p: CorpusProject, vmlinuxDir: string): { includes: string[]; programs: CorpusProgram[] }[] {
  const groups = new Map<string, { includes: string[]; programs: CorpusProgram[] }>();
  for (const prog of programsOf(p)) {
    const own = [...p.includes, ...(p.programIncludes?.[prog.path] ?? [])].map((d) => join(corpusDir, d));
    const includes = [...own, vmlinuxDir, join(vmlinuxDir, 'vmlinux')];
    const key = includes.join('\0');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { includes, programs: [] }));
    g.programs.push(prog);
  }
  return [...groups.values()];
}

/** The names the README says programs include vmlinux.h by, relative to `$V`. */
export const VMLINUX_H_NAMES = ['vmlinux.h', 'vmlinux/vmlinux.h', 'definitions/vmlinux.h', 'bpfcore/vmlinux.h'] as const;

/**
 * Generates vmlinux.h from a kernel BTF (default: the running kernel's) once into a new temporary
 * folder `$V` and copies it to every name in VMLINUX_H_NAMES. Returns `$V`; the caller removes it.
 */
export function makeVmlinuxDir(bpftool: string, btf = '/sys/kernel/btf/vmlinux'): string {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-corpus-vmlinux-'));
  const main = join(dir, VMLINUX_H_NAMES[0]);
  writeFileSync(main, execFileSync(bpftool, ['btf', 'dump', 'file', btf, 'format', 'c'], { maxBuffer: 1 << 30 }));
  for (const name of VMLINUX_H_NAMES.slice(1)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    copyFileSync(main, join(dir, name));
  }
  return dir;
}

/** bpftool from PATH, else Debian's /usr/sbin/bpftool (sbin is not on every user's PATH); undefined if neither. */
export function bpftoolPath(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin']) {
    const f = join(dir, 'bpftool');
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** The shared kernels' compressed BTFs (../shared/btf/*.btf.xz), sorted. */
export function sharedBtfs(): string[] {
  return existsSync(sharedBtfDir) ? readdirSync(sharedBtfDir).filter((f) => f.endsWith('.btf.xz')).sort().map((f) => join(sharedBtfDir, f)) : [];
}
