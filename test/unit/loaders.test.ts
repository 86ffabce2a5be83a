// SEC() names as each loader reads them: cilium/ebpf's own table and prefix matching, libxdp's XDP
// fallback, aya's kinds, and which loader a project uses. The corpus test checks every program section
// of the real-world projects in ../shared/corpus with the loader that project uses.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { CILIUM_EBPF_REMOVED_SECTION_DEFS, CILIUM_EBPF_SECTION_DEFS } from '../../server/src/sections/cilium-ebpf-sections';
import { SECTION_DEFS } from '../../server/src/sections/libbpf-sections';
import { LOADERS, Loader, cargoDependencies, detectLoader, goDirectRequires, matchSectionFor } from '../../server/src/sections/loaders';
import { matchSection } from '../../server/src/sections/match';
import { repoRoot } from '../support/kernels';

const cilium = (name: string) => matchSectionFor('cilium/ebpf', name);

test("cilium/ebpf's table is libbpf v1.7.0's section_defs, in libbpf's order, with the same types and flags", () => {
  const released = SECTION_DEFS.filter((d) => d.since !== 'unreleased');
  assert.equal(CILIUM_EBPF_SECTION_DEFS.length, 105);
  assert.deepEqual(CILIUM_EBPF_SECTION_DEFS.map((d) => d.prefix), released.map((d) => d.sec));
  for (const [i, c] of CILIUM_EBPF_SECTION_DEFS.entries()) {
    const l = released[i];
    assert.equal(c.progType, l.progType, c.prefix);
    assert.equal(c.attachType, l.attachType, c.prefix);
    assert.equal(c.flags.includes('sleepable'), l.flags.includes('SLEEPABLE'), `${c.prefix} sleepable`);
    assert.equal(c.flags.includes('xdpFrags'), l.flags.includes('XDP_FRAGS'), `${c.prefix} xdpFrags`);
    assert.equal(c.flags.includes('attachBtf'), l.flags.includes('ATTACH_BTF'), `${c.prefix} attachBtf`);
  }
});

test('cilium/ebpf matches entries without + as plain prefixes', () => {
  assert.equal(cilium('socket1')?.progType, 'BPF_PROG_TYPE_SOCKET_FILTER');
  assert.equal(cilium('socket/http_filter')?.progType, 'BPF_PROG_TYPE_SOCKET_FILTER');
  const tc = cilium('tc_ingress');
  assert.equal(tc?.progType, 'BPF_PROG_TYPE_SCHED_CLS');
  assert.equal(tc?.attachType, undefined, 'the plain `tc` entry, not tc/ingress (BPF_TCX_INGRESS)');
  assert.equal(tc?.sec, 'tc');
  assert.equal(cilium('tc/ingress')?.attachType, 'BPF_TCX_INGRESS');
  assert.equal(cilium('tcx_whatever')?.sec, 'tc', 'tcx/ingress needs the slash; the tc prefix takes the rest');
  assert.equal(cilium('classifier/ingress/main')?.progType, 'BPF_PROG_TYPE_SCHED_CLS');
  assert.equal(cilium('classifier/ingress/main')?.target, undefined, 'a plain-prefix entry reads no target');
  assert.equal(cilium('perf_event/profiler')?.progType, 'BPF_PROG_TYPE_PERF_EVENT');
  const xdp = cilium('xdp_pass');
  assert.equal(xdp?.progType, 'BPF_PROG_TYPE_XDP');
  assert.equal(xdp?.attachType, 'BPF_XDP');
  assert.equal(cilium('xdp.frags_anything')?.sec, 'xdp.frags');
  assert.equal(cilium('xdp/devmap')?.attachType, 'BPF_XDP_DEVMAP');
  assert.equal(cilium('cgroup/sock_create')?.attachType, 'BPF_CGROUP_INET_SOCK_CREATE');
  assert.equal(cilium('cgroup/sockopt_typo')?.sec, 'cgroup/sock', 'first prefix in table order');
});

test('cilium/ebpf matches entries with + by the text before the first slash', () => {
  const kp = cilium('kprobe/sys_execve');
  assert.equal(kp?.progType, 'BPF_PROG_TYPE_KPROBE');
  assert.equal(kp?.target, 'sys_execve');
  assert.equal(cilium('kprobe')?.target, undefined);
  assert.equal(cilium('kprobe.multi/skb-*')?.attachType, 'BPF_TRACE_KPROBE_MULTI');
  const tp = cilium('tracepoint/syscalls/sys_enter_execve');
  assert.equal(tp?.progType, 'BPF_PROG_TYPE_TRACEPOINT');
  assert.equal(tp?.target, 'syscalls/sys_enter_execve');
  assert.equal(cilium('uprobe//usr/lib/libc.so.6:malloc')?.target, '/usr/lib/libc.so.6:malloc');
  assert.equal(cilium('uprobe/')?.target, undefined);
  assert.equal(cilium('lsm.s/file_open')?.sleepable, true);
  assert.equal(cilium('xdp')?.progType, 'BPF_PROG_TYPE_XDP');
  assert.equal(cilium('kprobes/do_unlinkat'), undefined, 'kprobe+ wants exactly `kprobe` before the slash');
  assert.equal(cilium('kprobe_do_unlinkat'), undefined);
  assert.equal(cilium('not_a_section'), undefined);
  assert.equal(cilium('program1'), undefined);
  assert.equal(cilium('struct_ops/tcp_ca_init')?.target, undefined, 'struct_ops ignores the extra');
  assert.equal(cilium('?kprobe/x')?.progType, 'BPF_PROG_TYPE_KPROBE');
  assert.equal(cilium('?kprobe/x')?.noAutoload, false, "cilium/ebpf drops the '?' and loads the program anyway");
});

test('cilium/ebpf no longer has its pre-libbpf spellings (removed in v0.21.0)', () => {
  assert.equal(cilium('seccomp'), undefined);
  assert.ok(CILIUM_EBPF_REMOVED_SECTION_DEFS.some((d) => d.prefix === 'seccomp'));
  // xdp_devmap/... still loads, as a plain XDP program: the `xdp` prefix takes it.
  assert.equal(cilium('xdp_devmap/redirect')?.attachType, 'BPF_XDP');
});

test('targets: cilium/ebpf reads BTF targets from the section, kprobe/uprobe/tracepoint targets from Go code', () => {
  for (const name of ['fentry/tcp_connect', 'fexit/tcp_close', 'fmod_ret/security_task_prctl', 'tp_btf/block_io_start', 'lsm/file_open', 'lsm.s/bprm_check_security', 'iter/task', 'freplace/handler']) {
    assert.equal(cilium(name)?.targetFromSection, true, name);
  }
  for (const name of ['kprobe/sys_execve', 'kretprobe/tcp_connect', 'uprobe/libc:malloc', 'tracepoint/sched/sched_switch', 'raw_tp/kfree_skb', 'raw_tracepoint/sys_enter', 'kprobe.multi/tcp_*', 'ksyscall/openat', 'usdt/x', 'lsm_cgroup/socket_bind', 'fsession/x']) {
    assert.equal(cilium(name)?.targetFromSection, false, name);
  }
  // libbpf auto-attaches kprobes by the section's target.
  assert.equal(matchSectionFor('libbpf', 'kprobe/do_unlinkat')?.targetFromSection, true);
  assert.equal(matchSectionFor('libbpf', 'xdp')?.targetFromSection, false);
});

test('libbpf needs its exact names; libxdp also takes xdp_* names for the program it loads', () => {
  assert.equal(matchSectionFor('libbpf', 'xdp_pass'), undefined);
  assert.equal(matchSection('xdp_pass'), undefined);
  assert.equal(matchSectionFor('libbpf', 'tc_ingress'), undefined);
  assert.equal(matchSectionFor('libbpf', 'socket1'), undefined);
  assert.equal(matchSectionFor('libbpf', 'xdp')?.attachType, 'BPF_XDP');
  assert.equal(matchSectionFor('libbpf', 'kprobe/do_unlinkat')?.libbpf?.def.sec, 'kprobe+');

  const pass = matchSectionFor('libxdp', 'xdp_pass');
  assert.equal(pass?.progType, 'BPF_PROG_TYPE_XDP');
  assert.equal(pass?.typeFromLoader, true);
  assert.equal(pass?.libbpf, undefined);
  assert.equal(matchSectionFor('libxdp', '?xdp_stats1')?.noAutoload, true);
  const xdp = matchSectionFor('libxdp', 'xdp');
  assert.equal(xdp?.typeFromLoader, undefined, 'a libbpf name: libbpf decides');
  assert.equal(xdp?.libbpf?.def.sec, 'xdp');
  assert.equal(matchSectionFor('libxdp', 'tracepoint/xdp/xdp_exception')?.progType, 'BPF_PROG_TYPE_TRACEPOINT');
  assert.equal(matchSectionFor('libxdp', 'tc')?.progType, 'BPF_PROG_TYPE_SCHED_CLS');
  assert.equal(matchSectionFor('libxdp', 'my_filter'), undefined, 'only names that say xdp');
});

test("aya: the kind before the first '/', a few kinds check the next part, targets come from Rust code", () => {
  const aya = (n: string) => matchSectionFor('aya', n);
  assert.equal(aya('kprobe/do_unlinkat')?.target, 'do_unlinkat');
  assert.equal(aya('kprobe/do_unlinkat')?.targetFromSection, false);
  assert.equal(aya('fentry/tcp_connect')?.targetFromSection, false);
  assert.equal(aya('xdp')?.attachType, 'BPF_XDP');
  assert.equal(aya('xdp/cpumap')?.attachType, 'BPF_XDP_CPUMAP');
  assert.equal(aya('xdp.frags/devmap')?.attachType, 'BPF_XDP_DEVMAP');
  assert.equal(aya('xdp/prog'), undefined);
  assert.equal(aya('xdp/'), undefined);
  assert.equal(aya('xdp_pass'), undefined);
  assert.equal(aya('classifier/anything')?.progType, 'BPF_PROG_TYPE_SCHED_CLS');
  assert.equal(aya('tc'), undefined);
  assert.equal(aya('cgroup'), undefined);
  assert.equal(aya('cgroup/connect4')?.attachType, 'BPF_CGROUP_INET4_CONNECT');
  assert.equal(aya('cgroup/connect_unix'), undefined);
  assert.equal(aya('cgroup_skb/ingress')?.attachType, 'BPF_CGROUP_INET_INGRESS');
  assert.equal(aya('sk_skb'), undefined);
  assert.equal(aya('sk_skb/stream_verdict')?.attachType, 'BPF_SK_SKB_STREAM_VERDICT');
  assert.equal(aya('sk_reuseport/migrate')?.attachType, 'BPF_SK_REUSEPORT_SELECT_OR_MIGRATE');
  assert.equal(aya('lsm.s/file_open')?.sleepable, true);
  assert.equal(aya('?kprobe/x'), undefined, "aya does not know '?'");
  assert.equal(aya('ksyscall/openat'), undefined);
});

test('LOADERS lists every loader once, with where its rules were read', () => {
  const names: Loader[] = ['libbpf', 'cilium/ebpf', 'libxdp', 'aya'];
  assert.deepEqual(LOADERS.map((l) => l.name).sort(), [...names].sort());
  for (const l of LOADERS) assert.ok(l.version && l.source && l.reads, l.name);
});

const GO_MOD_CILIUM = `module github.com/example/tool

go 1.23

require (
\tgithub.com/cilium/ebpf v0.19.0
\tgolang.org/x/sys v0.30.0
)

require github.com/google/go-cmp v0.7.0 // indirect
`;

test('detectLoader reads go.mod, go:generate lines, Cargo.toml and includes', () => {
  assert.equal(detectLoader({ goMod: GO_MOD_CILIUM, includes: [] }), 'cilium/ebpf');
  assert.equal(detectLoader({ goMod: 'module x\n\nrequire github.com/cilium/ebpf v0.16.0\n', includes: [] }), 'cilium/ebpf');
  assert.equal(detectLoader({ goMod: 'module x\n\nrequire (\n\tgithub.com/cilium/ebpf v0.16.0 // indirect\n)\n', includes: [] }), undefined);
  assert.equal(detectLoader({ goMod: GO_MOD_CILIUM.replace('require (', 'require (\n\tgithub.com/aquasecurity/libbpfgo v0.8.0'), includes: [] }), undefined, 'libbpfgo loads with libbpf');
  assert.equal(detectLoader({ goSources: ['package main\n\n//go:generate go run github.com/cilium/ebpf/cmd/bpf2go -tags linux bpf kprobe.c\n'], includes: [] }), 'cilium/ebpf');
  assert.equal(detectLoader({ goSources: ['package main\n// bpf2go is mentioned here only\n'], includes: [] }), undefined);
  assert.equal(detectLoader({ cargoToml: '[package]\nname = "x"\n\n[dependencies]\naya = { version = "0.13", features = ["async_tokio"] }\n', includes: [] }), 'aya');
  assert.equal(detectLoader({ cargoToml: '[package]\nname = "x-ebpf"\n\n[dependencies.aya-ebpf]\ngit = "https://github.com/aya-rs/aya"\n', includes: [] }), 'aya');
  assert.equal(detectLoader({ cargoToml: '[package]\nname = "x"\n\n[dependencies]\nlibbpf-rs = "0.24"\n\n[build-dependencies]\nlibbpf-cargo = "0.24"\n', includes: [] }), undefined);
  assert.equal(detectLoader({ cargoToml: '[package]\nname = "aya"\n', includes: [] }), undefined, 'a package name is not a dependency');
  assert.equal(detectLoader({ includes: ['bpf/libbpf.h', 'xdp/libxdp.h'] }), 'libxdp');
  assert.equal(detectLoader({ includes: ['linux/bpf.h', 'xdp/xdp_helpers.h'] }), 'libxdp');
  assert.equal(detectLoader({ includes: ['../common/xdp_stats_kern.h'] }), 'libxdp');
  assert.equal(detectLoader({ includes: ['bpf/bpf_helpers.h', 'vmlinux.h', 'parsing_helpers.h'] }), undefined);
  assert.equal(detectLoader({ goMod: GO_MOD_CILIUM, includes: ['xdp/parsing_helpers.h'] }), 'cilium/ebpf', "Go's loader outranks a borrowed header");
  assert.equal(detectLoader({ includes: [] }), undefined);
});

test('goDirectRequires and cargoDependencies', () => {
  assert.deepEqual(goDirectRequires(GO_MOD_CILIUM), ['github.com/cilium/ebpf', 'golang.org/x/sys']);
  assert.deepEqual(cargoDependencies('[workspace.dependencies]\naya = "0.13"\n"aya-log" = "0.2"\n[target.\'cfg(unix)\'.dependencies]\nlibc = "0.2"\n[features]\ndefault = []\n'), ['aya', 'aya-log', 'libc']);
});

// ---- The real-world corpus ------------------------------------------------------------------------------

const corpusDir = resolve(repoRoot, '../shared/corpus');
const corpusSkip = existsSync(join(corpusDir, 'MANIFEST.tsv')) ? undefined : `${corpusDir} is absent: the real-world corpus lives beside the repository, in ../shared`;

/** The loader of each corpus project that does not load with libbpf (the corpus README's table). */
const PROJECT_LOADERS: Record<string, Loader> = {
  'inspektor-gadget+inspektor-gadget': 'cilium/ebpf',
  'cilium+pwru': 'cilium/ebpf',
  'cilium+ebpf': 'cilium/ebpf',
  'kubearmor+KubeArmor': 'cilium/ebpf',
  'coroot+coroot-node-agent': 'cilium/ebpf',
  'cilium+tetragon': 'cilium/ebpf',
  'open-telemetry+opentelemetry-ebpf-instrumentation': 'cilium/ebpf',
  'xdp-project+xdp-tutorial': 'libxdp',
};

/** Program sections the project's loader does not take, and why that is right. */
const KNOWN_REJECTS: Record<string, string> = {
  'inspektor-gadget+inspektor-gadget gadgets/ci/image_inspect/program.bpf.c program1':
    'a CI fixture for image inspection that is never loaded: cilium/ebpf gives it no program type (NewCollection skips it, loading it by name fails)',
  'inspektor-gadget+inspektor-gadget gadgets/ci/image_inspect/program.bpf.c program2': 'as program1',
  'inspektor-gadget+inspektor-gadget gadgets/ci/image_inspect/program.bpf.c program3': 'as program1',
  'inspektor-gadget+inspektor-gadget gadgets/ci/image_inspect/program.bpf.c program4': 'as program1',
};

/** C text with comments blanked, string and character literals kept. */
function withoutComments(text: string): string {
  return text.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (t) => (t[0] === '/' ? ' ' : t));
}

/** The names of SEC("...") and __attribute__((section("..."))) (tetragon's spelling). A name pasted
 * together in a macro (`SEC("lsm/" #name)`) is its first literal with `X` for the pasted rest. */
function sectionNames(text: string): string[] {
  const out: string[] = [];
  const re = /\b(?:SEC|section)\s*\(\s*"((?:[^"\\\n]|\\.)*)"\s*([^)\s])?/g;
  const code = withoutComments(text);
  for (let m; (m = re.exec(code)); ) out.push(m[2] !== undefined && m[2] !== ')' && m[2] !== ',' ? m[1] + 'X' : m[1]);
  return out;
}

const isDataSection = (name: string) => name.startsWith('.') || ['license', 'maps', 'version'].includes(name);

interface CorpusFile {
  folder: string;
  path: string;
  text: string;
}

function corpusFiles(): CorpusFile[] {
  const rows = readFileSync(join(corpusDir, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  return rows.map(([repo, , path]) => {
    const folder = repo.replace('/', '+');
    return { folder, path, text: readFileSync(join(corpusDir, folder, path), 'utf8') };
  });
}

test("every corpus program section is taken by its project's loader", { skip: corpusSkip }, () => {
  const readme = readFileSync(join(corpusDir, 'README.md'), 'utf8');
  for (const [folder, loader] of Object.entries(PROJECT_LOADERS)) {
    assert.match(readme, new RegExp(`\\| \`${folder.replace(/[.+]/g, '\\$&')}\` \\| ${loader.replace('/', '\\/')}`), `README names ${loader} for ${folder}`);
  }
  const rejected: string[] = [];
  const seenRejects = new Set<string>();
  const checked = new Map<string, number>();
  const onlyThisLoader = new Map<string, Set<string>>();
  for (const { folder, path, text } of corpusFiles()) {
    const loader = PROJECT_LOADERS[folder] ?? 'libbpf';
    for (const name of sectionNames(text)) {
      if (isDataSection(name)) continue;
      checked.set(folder, (checked.get(folder) ?? 0) + 1);
      const key = `${folder} ${path} ${name}`;
      const m = matchSectionFor(loader, name);
      if (!m) {
        if (Object.hasOwn(KNOWN_REJECTS, key)) seenRejects.add(key);
        else rejected.push(`${key} (${loader})`);
      } else if (loader !== 'libbpf' && !matchSectionFor('libbpf', name)) {
        if (!onlyThisLoader.has(folder)) onlyThisLoader.set(folder, new Set());
        onlyThisLoader.get(folder)!.add(name);
      }
    }
  }
  assert.deepEqual(rejected, [], 'names the loader rejects that are not in KNOWN_REJECTS');
  assert.deepEqual([...seenRejects].sort(), Object.keys(KNOWN_REJECTS).sort(), 'KNOWN_REJECTS entries that no longer occur');
  for (const folder of Object.keys(PROJECT_LOADERS)) assert.ok((checked.get(folder) ?? 0) > 0, `${folder}: no program sections found`);
  assert.ok([...checked.values()].reduce((a, b) => a + b, 0) > 1000, 'the corpus has over a thousand program sections');
  // The names that make a loader-aware check necessary: libbpf would reject them.
  assert.ok(onlyThisLoader.get('open-telemetry+opentelemetry-ebpf-instrumentation')?.has('tc_ingress'));
  assert.ok(onlyThisLoader.get('inspektor-gadget+inspektor-gadget')?.has('socket1'));
  assert.ok(onlyThisLoader.get('xdp-project+xdp-tutorial')?.has('xdp_pass'));
});

test('tetragon sections are read through __attribute__((section(...)))', { skip: corpusSkip }, () => {
  const names = corpusFiles().filter((f) => f.folder === 'cilium+tetragon').flatMap((f) => sectionNames(f.text)).filter((n) => !isDataSection(n));
  for (const n of ['lsm', 'raw_tp', 'tracepoint', 'socket', 'fmod_ret/security_task_prctl']) assert.ok(names.includes(n), n);
  assert.equal(cilium('lsm')?.target, undefined, "tetragon's Go code sets AttachTo for a bare `lsm`");
});

test("detectLoader finds libxdp in xdp-tutorial's includes", { skip: corpusSkip }, () => {
  const includes = corpusFiles()
    .filter((f) => f.folder === 'xdp-project+xdp-tutorial')
    .flatMap((f) => [...withoutComments(f.text).matchAll(/#\s*include\s*[<"]([^>"]+)[>"]/g)].map((m) => m[1]));
  assert.equal(detectLoader({ includes }), 'libxdp');
  const libbpfProject = corpusFiles()
    .filter((f) => f.folder === 'anakryiko+retsnoop')
    .flatMap((f) => [...withoutComments(f.text).matchAll(/#\s*include\s*[<"]([^>"]+)[>"]/g)].map((m) => m[1]));
  assert.equal(detectLoader({ includes: libbpfProject }), undefined);
});
