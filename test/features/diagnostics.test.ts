// Diagnostics, in process: the rules over the parsed model against the bundled kernel's BTF (Debian
// 6.12) and, where a finding depends on kernels differing, the shared kernels as targets. Comments and
// strings never produce a diagnostic; every code produced is in the one table, DIAGNOSTIC_CODES.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-types';
import { DIAGNOSTIC_CODES, DiagnosticCode } from '../../server/src/features/diagnostics/codes';
import { RULES } from '../../server/src/features/diagnostics/diagnostics';
import { DiagnosticFix } from '../../server/src/features/diagnostics/rule';
import { LanguageService } from '../../server/src/features/language-service';
import { parse, serviceFor, sharedSkip } from '../support/service';

const { Error } = DiagnosticSeverity;

let service: LanguageService;
let label: string;

before(async () => {
  service = await serviceFor();
  label = service.context.kernels.described.label;
});

/** Every code any test here produced: checked against the table at the end. */
const produced = new Set<string>();

function diagnose(source: string, svc = service): Diagnostic[] {
  const file = parse(source);
  const out = svc.diagnostics(file);
  for (const d of out) {
    produced.add(String(d.code));
    assert.equal(d.source, 'ebpf');
    assert.ok(String(d.code) in DIAGNOSTIC_CODES, `code ${d.code} is not in DIAGNOSTIC_CODES`);
    const code = d.code as DiagnosticCode;
    assert.ok(d.severity === sev(code) || d.severity === sev(code, true), `${d.code}: severity ${d.severity} is not the table's`);
  }
  return out;
}

const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

/** The table's severity for a code (the table, not these tests, decides severities; gpl-only's is pinned below). */
function sev(code: DiagnosticCode, someKernels = false): DiagnosticSeverity {
  const info: { severity: DiagnosticSeverity; someKernels?: DiagnosticSeverity } = DIAGNOSTIC_CODES[code];
  return someKernels ? info.someKernels ?? info.severity : info.severity;
}

/** The source text a diagnostic's range covers. */
function covered(source: string, d: Diagnostic): string {
  const doc = parse(source).doc;
  return source.slice(doc.offsetAt(d.range.start), doc.offsetAt(d.range.end));
}

function only(ds: Diagnostic[], code: DiagnosticCode): Diagnostic {
  assert.deepEqual(codes(ds), [code], ds.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return ds[0];
}

const GPL = 'char LICENSE[] SEC("license") = "GPL";\n';

const PROPRIETARY = 'char LICENSE[] SEC("license") = "Proprietary";\n';

/** A kprobe with a `task` (bpf_get_current_task() is GPL-only: licensed GPL). */
const kprobe = (body: string) => `${GPL}SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
\tstruct task_struct *task = (struct task_struct *)bpf_get_current_task();
${body}
}
`;

/** A kprobe under any license, calling nothing but what `body` calls. */
const plain = (body: string, license: string) => `${license}SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
${body}
}
`;

describe('comments and strings', () => {
  test('the exact file of the brief: no diagnostic at all', () => {
    const source = `char LICENSE[] SEC("license") = "Proprietary";
SEC("kprobe/do_unlinkat")
int handle(void *ctx)
{
    /* we used to call bpf_probe_write_user( here */
    const char *s = "bpf_override_return(";
    return 0;
}
`;
    assert.deepEqual(diagnose(source), []);
  });

  test('sections, legacy maps, CO-RE reads and helpers in comments and strings: none', () => {
    const source = `char LICENSE[] SEC("license") = "Proprietary";
/* struct bpf_map_def old SEC("maps") = { .type = 1 }; */
// SEC("kprobee/do_unlinkat")
const char *where = "SEC(\\"kprobee/do_unlinkat\\")";
SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
\tstruct task_struct *task = (struct task_struct *)PT_REGS_PARM1(ctx);
\t/* BPF_CORE_READ(task, no_such_field); task->no_such_field; bpf_probe_write_user(0, 0, 0); */
\tconst char *t = "BPF_CORE_READ(task, no_such_field) bpf_probe_write_user(";
\treturn task != 0;
}
`;
    assert.deepEqual(diagnose(source), []);
  });

  test('a comment among BPF_CORE_READ arguments is not a field', () => {
    assert.deepEqual(diagnose(kprobe('\treturn BPF_CORE_READ(task, /* no_such_field */ real_parent, // nope\n\t\tpid);')), []);
  });

  test('a comment inside the license statement does not change the license', () => {
    const ds = diagnose(plain('\tbpf_probe_write_user((void *)0, (void *)0, 0);\n\treturn 0;', 'char LICENSE[] SEC("license") = /* "GPL" */ "Proprietary";\n'));
    assert.equal(only(ds, 'gpl-only').severity, Error);
  });
});

describe('license', () => {
  test('a license only in a comment: missing-license, at the first program section', () => {
    const source = `// char LICENSE[] SEC("license") = "GPL";
SEC("kprobe/do_unlinkat")
int handle(void *ctx)
{
\treturn bpf_get_current_task() != 0;
}
`;
    const d = only(diagnose(source), 'missing-license');
    assert.equal(d.severity, sev('missing-license'));
    assert.equal(covered(source, d), 'kprobe/do_unlinkat');
  });

  test('programs that need no license (no GPL-only call, not LSM or struct_ops) load without one: a hint', () => {
    // xdp-tutorial's packet-solutions programs, loaded as they are by xdp-loader.
    const xdp = 'SEC("xdp")\nint pass(struct xdp_md *ctx)\n{\n\treturn bpf_get_prandom_u32() ? 2 : 1;\n}\n';
    const d = only(diagnose(xdp), 'no-license');
    assert.equal(d.severity, DiagnosticSeverity.Hint);
    assert.match(d.message, /the kernel loads these programs without one/);
    // An LSM program is refused without one, whatever it calls ("LSM programs must have a GPL compatible license").
    const lsm = only(diagnose('SEC("lsm/file_open")\nint BPF_PROG(check, struct file *file)\n{\n\treturn 0;\n}\n'), 'missing-license');
    assert.equal(lsm.severity, DiagnosticSeverity.Warning);
    assert.match(lsm.message, /the kernel refuses its BPF_PROG_TYPE_LSM programs/);
    // A project header's functions may call GPL-only helpers out of sight (falco's programs do): a warning.
    const withHeader = only(diagnose(`#include "helpers.h"\n${xdp}`), 'missing-license');
    assert.match(withHeader.message, /the GPL-only helpers and kfuncs that the functions of its headers may call/);
  });

  test('no program, no license needed', () => {
    assert.deepEqual(diagnose('static int helper(int x) { return x + 1; }\n'), []);
  });

  test('a GPL-only helper under "Proprietary": gpl-only, an error on the call', () => {
    const source = plain('\tbpf_probe_write_user((void *)0, (void *)0, 0);\n\treturn 0;', PROPRIETARY);
    const d = only(diagnose(source), 'gpl-only');
    assert.equal(d.severity, Error);
    assert.equal(covered(source, d), 'bpf_probe_write_user');
    assert.ok(d.message.includes('"Proprietary"'), d.message);
  });

  test('kfuncs under a non-GPL license: gpl-only each', () => {
    const source = `char LICENSE[] SEC("license") = "MIT";
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
SEC("tp_btf/sched_switch")
int BPF_PROG(handle, bool preempt, struct task_struct *prev)
{
\tstruct task_struct *t = bpf_task_acquire(prev);
\tif (t)
\t\tbpf_task_release(t);
\treturn 0;
}
`;
    const ds = diagnose(source);
    assert.deepEqual(codes(ds), ['gpl-only', 'gpl-only']);
    assert.deepEqual(ds.map((d) => covered(source, d)), ['bpf_task_acquire', 'bpf_task_release']);
    assert.ok(ds[0].message.startsWith('kfunc bpf_task_acquire()'), ds[0].message);
  });

  test('GPL-compatible licenses and helpers anyone may call: none', () => {
    const calls = '\tbpf_probe_write_user((void *)0, (void *)0, 0);\n\treturn 0;';
    for (const license of ['GPL', 'GPL v2', 'Dual BSD/GPL', 'Dual MIT/GPL']) {
      assert.deepEqual(diagnose(plain(calls, `char LICENSE[] SEC("license") = "${license}";\n`)), [], license);
    }
    assert.deepEqual(diagnose(plain('\tbpf_map_lookup_elem((void *)0, (void *)0);\n\treturn bpf_get_prandom_u32();', PROPRIETARY)), []);
  });

  test('bpf_get_current_task() is GPL-only too (the kernel says so)', () => {
    const d = only(diagnose(plain('\treturn bpf_get_current_task() != 0;', PROPRIETARY)), 'gpl-only');
    assert.ok(d.message.startsWith('helper bpf_get_current_task() '), d.message);
  });
});

describe('sections', () => {
  test('SEC("kprobee/do_unlinkat"): unknown-section with a quick fix in data', () => {
    const source = `${GPL}SEC("kprobee/do_unlinkat")\nint handle(void *ctx) { return 0; }\n`;
    const d = only(diagnose(source), 'unknown-section');
    assert.equal(d.severity, sev('unknown-section'));
    assert.equal(covered(source, d), 'kprobee/do_unlinkat');
    assert.ok(d.message.includes('"kprobe/do_unlinkat"'), d.message);
    const fix = d.data as DiagnosticFix;
    assert.equal(fix.title, 'Change to "kprobe/do_unlinkat"');
    assert.equal(fix.newText, 'kprobe/do_unlinkat');
    assert.deepEqual(fix.range, d.range);
    // Applying the fix leaves nothing to report.
    const doc = parse(source).doc;
    const fixed = source.slice(0, doc.offsetAt(fix.range.start)) + fix.newText + source.slice(doc.offsetAt(fix.range.end));
    assert.deepEqual(diagnose(fixed), []);
  });

  test('data sections are not program sections', () => {
    const source = `${GPL}char _version[] SEC("version") = "1";
int cfg SEC(".rodata") = 1;
struct {
\t__uint(type, BPF_MAP_TYPE_ARRAY);
\t__uint(max_entries, 1);
} m SEC(".maps");
`;
    assert.deepEqual(diagnose(source), []);
  });

  test('SEC("fentry") without a target: a hint', () => {
    const d = only(diagnose(`${GPL}SEC("fentry")\nint BPF_PROG(handle) { return 0; }\n`), 'section-needs-target');
    assert.equal(d.severity, sev('section-needs-target'));
  });

  test('a target no kernel has: missing-target, an error', () => {
    const d = only(diagnose(`${GPL}SEC("fentry/no_such_function_xyz")\nint BPF_PROG(handle) { return 0; }\n`), 'missing-target');
    assert.equal(d.severity, sev('missing-target'));
    assert.ok(d.message.includes(label), d.message);
  });

  test('a section newer than the libbpf here: section-too-new', async () => {
    const old = await serviceFor({ libbpfVersion: '1.0' });
    const source = `${GPL}SEC("kprobe.session/do_unlinkat")\nint handle(struct pt_regs *ctx) { return 0; }\n`;
    const d = only(diagnose(source, old), 'section-too-new');
    assert.equal(d.severity, sev('section-too-new'));
    assert.ok(d.message.includes('needs libbpf 1.5 or newer; the libbpf here is 1.0'), d.message);
    assert.deepEqual(diagnose(source, await serviceFor({ libbpfVersion: '1.5' })), []);
  });
});

describe('legacy maps', () => {
  const body = `{
\t.type = BPF_MAP_TYPE_HASH,
\t.key_size = sizeof(int),
\t.value_size = sizeof(int),
\t.max_entries = 16,
};
`;

  test('struct bpf_map_def my_map SEC("maps") = {...}: legacy-map, an error', () => {
    const source = `${GPL}struct bpf_map_def my_map SEC("maps") = ${body}`;
    const d = only(diagnose(source), 'legacy-map');
    assert.equal(d.severity, sev('legacy-map'));
    assert.ok(covered(source, d).startsWith('struct bpf_map_def my_map SEC("maps")'), covered(source, d));
    assert.ok(d.message.includes('my_map SEC(".maps")'), d.message);
  });

  test('struct bpf_map_def SEC("maps") my_map = {...} (the samples/bpf spelling): legacy-map', () => {
    const source = `${GPL}struct bpf_map_def SEC("maps") my_map = ${body}`;
    const d = only(diagnose(source), 'legacy-map');
    assert.equal(covered(source, d), 'struct bpf_map_def SEC("maps") my_map');
    assert.ok(d.message.includes('my_map SEC(".maps")'), d.message);
  });

  test('a BTF-defined map in SEC(".maps"): none', () => {
    assert.deepEqual(diagnose(`${GPL}struct {\n\t__uint(type, BPF_MAP_TYPE_HASH);\n\t__uint(max_entries, 16);\n} my_map SEC(".maps");\n`), []);
  });
});

describe('CO-RE field paths (bundled kernel)', () => {
  test('BPF_CORE_READ(task, no_such_field): core-field-missing, an error on the field', () => {
    const source = kprobe('\treturn BPF_CORE_READ(task, no_such_field);');
    const d = only(diagnose(source), 'core-field-missing');
    assert.equal(d.severity, sev('core-field-missing'));
    assert.equal(covered(source, d), 'no_such_field');
    assert.equal(d.message, `CO-RE: struct task_struct.no_such_field does not exist in ${label}`);
  });

  test('a missing field deeper in the path names its struct', () => {
    const source = kprobe('\treturn BPF_CORE_READ(task, mm, no_such_field);');
    const d = only(diagnose(source), 'core-field-missing');
    assert.ok(d.message.startsWith('CO-RE: struct mm_struct.no_such_field '), d.message);
  });

  test('existing paths: none', () => {
    assert.deepEqual(diagnose(kprobe('\treturn BPF_CORE_READ(task, real_parent, tgid) + BPF_CORE_READ(task, mm, arg_start);')), []);
  });

  test('guarded by bpf_core_field_exists(): none', () => {
    assert.deepEqual(diagnose(kprobe('\tif (bpf_core_field_exists(task->no_such_field))\n\t\treturn BPF_CORE_READ(task, no_such_field);\n\treturn 0;')), []);
  });

  test('guarded by a kernel version the kernel is not: none; by one it is: reported', () => {
    assert.deepEqual(diagnose(kprobe('\tif (LINUX_KERNEL_VERSION < KERNEL_VERSION(5, 0, 0))\n\t\treturn BPF_CORE_READ(task, no_such_field);\n\treturn 0;')), []);
    only(diagnose(kprobe('\tif (LINUX_KERNEL_VERSION >= KERNEL_VERSION(5, 0, 0))\n\t\treturn BPF_CORE_READ(task, no_such_field);\n\treturn 0;')), 'core-field-missing');
  });

  test('direct reads in a BTF-typed program are checked too', () => {
    const source = `${GPL}SEC("fentry/do_unlinkat")
int BPF_PROG(handle, int dfd, struct filename *name)
{
\tstruct task_struct *task = bpf_get_current_task_btf();
\treturn task->pid + task->no_such_field + name->nope;
}
`;
    const ds = diagnose(source);
    assert.deepEqual(codes(ds), ['core-field-missing', 'core-field-missing']);
    assert.deepEqual(ds.map((d) => covered(source, d)), ['no_such_field', 'nope']);
    assert.ok(ds[1].message.startsWith('CO-RE: struct filename.nope '), ds[1].message);
  });
});

describe('program heads and reads', () => {
  test('a direct read through a kernel pointer in a kprobe: direct-kernel-read with a BPF_CORE_READ fix', () => {
    const source = plain('\tstruct task_struct *task = (struct task_struct *)PT_REGS_PARM1(ctx);\n\treturn task->real_parent->pid;', GPL);
    const d = only(diagnose(source), 'direct-kernel-read');
    assert.equal(d.severity, sev('direct-kernel-read'));
    assert.equal(covered(source, d), 'task->real_parent->pid');
    assert.equal((d.data as DiagnosticFix).newText, 'BPF_CORE_READ(task, real_parent, pid)');
  });

  test('a pointer from bpf_get_current_task() is a plain number too: direct-kernel-read', () => {
    const source = kprobe('\treturn task->real_parent->pid;');
    only(diagnose(source), 'direct-kernel-read');
  });

  test('a pointer from bpf_get_current_task_btf() is BTF-typed: readable directly', () => {
    assert.deepEqual(diagnose(plain('\tstruct task_struct *task = bpf_get_current_task_btf();\n\treturn task->pid;', GPL)), []);
  });

  test('the same read in fentry is fine', () => {
    const source = `${GPL}SEC("fentry/do_unlinkat")\nint BPF_PROG(handle, int dfd)\n{\n\tstruct task_struct *task = bpf_get_current_task_btf();\n\treturn task->real_parent->pid;\n}\n`;
    assert.deepEqual(diagnose(source), []);
  });

  test('heads that do not fit their section: program-head', () => {
    const source = `${GPL}SEC("kprobe/do_unlinkat")
int BPF_PROG(on_kprobe, int dfd)
{
\treturn 0;
}
SEC("fentry/do_unlinkat")
int BPF_KPROBE(on_fentry, int dfd)
{
\treturn 0;
}
SEC("xdp")
int on_xdp(struct __sk_buff *skb)
{
\treturn 0;
}
`;
    const ds = diagnose(source);
    assert.deepEqual(codes(ds), ['program-head', 'program-head', 'program-head']);
    assert.deepEqual(ds.map((d) => covered(source, d)), ['on_kprobe', 'on_fentry', 'on_xdp']);
    assert.ok(ds[0].message.endsWith('use BPF_KPROBE'), ds[0].message);
    assert.ok(ds[1].message.endsWith('use BPF_PROG'), ds[1].message);
    assert.ok(ds[2].message.includes('struct xdp_md *'), ds[2].message);
  });

  test('BPF_PROG arguments against the prototype: program-args', () => {
    const source = `${GPL}SEC("fentry/vfs_unlink")\nint BPF_PROG(handle, struct inode *dir, struct dentry *dentry)\n{\n\treturn dir != 0 && dentry != 0;\n}\n`;
    const ds = diagnose(source);
    assert.ok(ds.length >= 1 && ds.every((d) => d.code === 'program-args'), ds.map((d) => d.message).join('\n'));
    assert.ok(ds[0].message.startsWith('argument 1 of vfs_unlink is struct mnt_idmap *idmap, not struct inode *'), ds[0].message);
  });

  test('parameters the body never uses are not read (clang drops their loads): no program-args, no program-head', () => {
    // scx_mitosis: an fentry head with a retval fentry does not have; KubeArmor: lsm/capable's pre-5.x `int ret`.
    assert.deepEqual(diagnose(`${GPL}SEC("fentry/vfs_read")\nint BPF_PROG(h, struct file *file, char *buf, size_t count, loff_t *pos, ssize_t retval)\n{\n\treturn count > 10;\n}\n`), []);
    assert.deepEqual(diagnose(`${GPL}SEC("fentry/vfs_unlink")\nint BPF_PROG(handle, struct inode *dir, struct dentry *dentry)\n{\n\treturn 0;\n}\n`), []);
    // The same heads using the parameter are reported.
    assert.deepEqual(codes(diagnose(`${GPL}SEC("fentry/vfs_read")\nint BPF_PROG(h, struct file *file, char *buf, size_t count, loff_t *pos, ssize_t retval)\n{\n\treturn retval > 10;\n}\n`)), ['program-args']);
    // scx's SEC("syscall") and SEC("?tracepoint/...") heads with no arguments: BPF_PROG reads nothing.
    assert.deepEqual(diagnose(`${GPL}SEC("syscall")\nint BPF_PROG(refresh)\n{\n\treturn 0;\n}\n`), []);
    assert.deepEqual(codes(diagnose(`${GPL}SEC("syscall")\nint BPF_PROG(refresh, int n)\n{\n\treturn n;\n}\n`)), ['program-head']);
  });
});

describe('against the shared kernels', { skip: sharedSkip }, () => {
  let all: LanguageService;
  before(async () => {
    all = await serviceFor({ targets: 'all' });
  });

  test('a field one kernel lacks: core-field-missing as a warning naming that kernel', () => {
    const source = kprobe('\treturn BPF_CORE_READ(task, saved_state);');
    const d = only(diagnose(source, all), 'core-field-missing');
    assert.equal(d.severity, sev('core-field-missing', true));
    assert.equal(d.message, 'CO-RE: struct task_struct.saved_state does not exist in 6.1.0-56-amd64: guard it with bpf_core_field_exists()');
  });

  test('guarded by bpf_core_field_exists(), by an early return, or by the kernel version: none', () => {
    assert.deepEqual(diagnose(kprobe('\tif (bpf_core_field_exists(task->saved_state))\n\t\treturn BPF_CORE_READ(task, saved_state);\n\treturn 0;'), all), []);
    assert.deepEqual(diagnose(kprobe('\tif (!bpf_core_field_exists(task->saved_state))\n\t\treturn 0;\n\treturn BPF_CORE_READ(task, saved_state);'), all), []);
    assert.deepEqual(diagnose(kprobe('\tif (LINUX_KERNEL_VERSION >= KERNEL_VERSION(6, 2, 0))\n\t\treturn BPF_CORE_READ(task, saved_state);\n\treturn 0;'), all), []);
  });

  test('a guard that selects the kernel lacking the field: still reported', () => {
    only(diagnose(kprobe('\tif (LINUX_KERNEL_VERSION < KERNEL_VERSION(6, 2, 0))\n\t\treturn BPF_CORE_READ(task, saved_state);\n\treturn 0;'), all), 'core-field-missing');
  });

  test('guarded alternatives that all miss in a kernel: core-no-alternative', () => {
    const source = kprobe(`\tstruct mm_struct *mm = BPF_CORE_READ(task, mm);
\tif (bpf_core_field_exists(mm->iommu_mm))
\t\treturn 1;
\telse if (bpf_core_field_exists(mm->get_unmapped_area))
\t\treturn 2;
\treturn 0;`);
    const d = only(diagnose(source, all), 'core-no-alternative');
    assert.equal(d.severity, sev('core-no-alternative'));
    assert.ok(d.message.includes('exists in 6.18.44-fc-v669'), d.message);
  });

  test('a map type one kernel lacks: kernel-feature-missing as a warning', () => {
    const source = `${GPL}struct {\n\t__uint(type, BPF_MAP_TYPE_ARENA);\n\t__uint(max_entries, 1);\n} arena SEC(".maps");\n`;
    const d = only(diagnose(source, all), 'kernel-feature-missing');
    assert.equal(d.severity, sev('kernel-feature-missing', true));
    assert.equal(d.message, 'map type BPF_MAP_TYPE_ARENA is not available in 6.1.0-56-amd64');
    assert.equal(covered(source, d), 'BPF_MAP_TYPE_ARENA');
  });

  test('an attach type one kernel lacks: kernel-feature-missing', () => {
    const d = only(diagnose(`${GPL}SEC("kprobe.session/do_unlinkat")\nint handle(struct pt_regs *ctx) { return 0; }\n`, all), 'kernel-feature-missing');
    assert.equal(d.message, 'attach type BPF_TRACE_KPROBE_SESSION is not available in 6.1.0-56-amd64');
  });

  test('a target no kernel has: missing-target names them all, an error', () => {
    const d = only(diagnose(`${GPL}SEC("fentry/no_such_function_xyz")\nint BPF_PROG(handle) { return 0; }\n`, all), 'missing-target');
    assert.equal(d.severity, sev('missing-target'));
    for (const k of ['6.1.0-56-amd64', '6.12.117+deb12-amd64', '6.18.44-fc-v669']) assert.ok(d.message.includes(k), d.message);
  });

  test('BPF_PROG arguments: the argument that changed in 6.3 is reported per kernel', () => {
    const ds = diagnose(`${GPL}SEC("fentry/vfs_unlink")\nint BPF_PROG(handle, struct inode *dir, struct dentry *dentry)\n{\n\treturn dir != 0 && dentry != 0;\n}\n`, all);
    assert.ok(ds.every((d) => d.code === 'program-args'));
    assert.ok(ds.some((d) => d.message.startsWith('argument 1 of vfs_unlink is struct user_namespace *mnt_userns, not struct inode * in 6.1.0-56-amd64')), ds.map((d) => d.message).join('\n'));
  });

  test('the brief\'s exact file has no diagnostic against every kernel either', () => {
    assert.deepEqual(diagnose(`char LICENSE[] SEC("license") = "Proprietary";
SEC("kprobe/do_unlinkat")
int handle(void *ctx)
{
    /* we used to call bpf_probe_write_user( here */
    const char *s = "bpf_override_return(";
    return 0;
}
`, all), []);
  });
});

describe('the table of codes', () => {
  test('every code a test produced is in DIAGNOSTIC_CODES', () => {
    assert.ok(produced.size >= 10, `only ${[...produced].join(', ')} produced`);
    const unknown = [...produced].filter((c) => !(c in DIAGNOSTIC_CODES));
    assert.deepEqual(unknown, []);
    for (const c of ['missing-license', 'gpl-only', 'unknown-section', 'legacy-map', 'core-field-missing', 'direct-kernel-read', 'program-head']) {
      assert.ok(produced.has(c), `no test produced ${c}`);
    }
  });

  test('every entry has a description, a rationale and a severity', () => {
    for (const [code, info] of Object.entries(DIAGNOSTIC_CODES)) {
      assert.ok(info.description.trim().length > 0, `${code}: empty description`);
      assert.ok(info.rationale.trim().length > 0, `${code}: empty rationale`);
      const valid: DiagnosticSeverity[] = [DiagnosticSeverity.Error, DiagnosticSeverity.Warning, DiagnosticSeverity.Information, DiagnosticSeverity.Hint];
      assert.ok(valid.includes(info.severity), `${code}: severity ${info.severity}`);
    }
  });

  test("every rule's codes are in the table, and every table code but the built object's relocations belongs to a rule", () => {
    const ruleCodes = new Set(RULES.flatMap((r) => r.codes));
    for (const c of ruleCodes) assert.ok(c in DIAGNOSTIC_CODES, c);
    const unowned = Object.keys(DIAGNOSTIC_CODES).filter((c) => !ruleCodes.has(c as DiagnosticCode));
    assert.deepEqual(unowned.filter((c) => !c.startsWith('core-relo-')), [], 'only the built object\'s relocation codes come from outside the source rules');
  });
});

// ---------------------------------------------------------------------------------------------------
// The preprocessor's view (csource/preprocessor.ts): field names spelled through macros, branches dead
// for this build, licenses in project headers, and files without any license.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { after } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { buildModel } from '../../server/src/csource/model';
import { CParser } from '../../server/src/csource/parser';
import { targetFacts } from '../../server/src/csource/preprocessor';
import { parsedFile } from '../../server/src/features/service-context';
import { parseSource } from '../../server/src/host/language-setup';
import { ProjectHeaders } from '../../server/src/host/project-headers';
import { readParserWasm } from '../../server/src/host/source-files';

/** Diagnostics of a source parsed as a build for x86_64 would see it (the edge passes this machine's arch). */
function diagnoseX86(source: string): Diagnostic[] {
  const f = parse(source);
  return service.diagnostics(parsedFile(f.doc, f.tree, buildModel(f.tree, source, targetFacts('x64')), new Map()));
}

const messages = (ds: Diagnostic[]) => ds.map((d) => `${d.code}: ${d.message}`).join('\n');

describe('field names spelled through macros', () => {
  const sockProgram = (defines: string) => `${defines}${GPL}SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle, const struct sock *sk, int oldstate, int newstate)
{
\tint family = BPF_CORE_READ(sk, sk_family);
\tint state = sk->sk_family;
\treturn family + state + sk->no_such;
}
`;

  test('#define sk_family __sk_common.skc_family: BPF_CORE_READ(sk, sk_family) and sk->sk_family are sk->__sk_common.skc_family', () => {
    const source = sockProgram('#define sk_family __sk_common.skc_family\n');
    const d = only(diagnose(source), 'core-field-missing');
    assert.equal(covered(source, d), 'no_such');
    // Without the define, the same reads are reported: the define is what makes them right.
    const without = sockProgram('');
    const ds = diagnose(without);
    assert.deepEqual(ds.map((x) => covered(without, x)), ['sk_family', 'sk_family', 'no_such'], messages(ds));
  });

  test('a macro naming a missing member is still reported, at the written name', () => {
    const source = sockProgram('#define sk_family __sk_common.no_such_member\n');
    const ds = diagnose(source);
    assert.deepEqual(ds.map((x) => covered(source, x)), ['sk_family', 'sk_family', 'no_such'], messages(ds));
    assert.ok(ds[0].message.includes('struct sock_common.no_such_member'), ds[0].message);
  });
});

describe('inactive preprocessor branches', () => {
  const archProgram = (condition: string) => `${GPL}SEC("tp_btf/sched_switch")
int BPF_PROG(handle, bool preempt, struct task_struct *prev)
{
#if ${condition}
\treturn BPF_CORE_READ(prev, thread.cpu_context.sp);
#else
\treturn prev->no_such_field;
#endif
}
`;

  test('an access under #if defined(bpf_target_arm64) is not reported on x86_64; its #else is', () => {
    const ds = diagnoseX86(archProgram('defined(bpf_target_arm64)'));
    assert.deepEqual(codes(ds), ['core-field-missing'], messages(ds));
    assert.ok(ds[0].message.includes('task_struct.no_such_field'), ds[0].message);
  });

  test('the same access under #if defined(bpf_target_x86) is reported; the #else is dead', () => {
    const ds = diagnoseX86(archProgram('defined(bpf_target_x86)'));
    assert.deepEqual(codes(ds), ['core-field-missing'], messages(ds));
    assert.ok(ds[0].message.includes('thread_struct.cpu_context'), ds[0].message);
  });

  test('an unknown condition hides nothing', () => {
    assert.deepEqual(codes(diagnoseX86(archProgram('defined(CONFIG_SOMETHING)'))), ['core-field-missing', 'core-field-missing']);
  });
});

describe('licenses in project headers (ProjectHeaders, as the CLI and the server parse)', () => {
  let dir: string;
  let parser: CParser;
  let headers: ProjectHeaders;

  before(async () => {
    parser = await CParser.create(readParserWasm());
    dir = mkdtempSync(join(tmpdir(), 'ebpf-ls-headers-'));
    mkdirSync(join(dir, 'include', 'common'), { recursive: true });
    headers = new ProjectHeaders(parser, () => [join(dir, 'include')], (m) => assert.fail(m), 'x64');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  function diagnoseAt(name: string, source: string, files: Record<string, string>): Diagnostic[] {
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const path = join(dir, name);
    writeFileSync(path, source);
    const file = parseSource(parser, headers, TextDocument.create(`file://${path}`, 'c', 1, source), path);
    try {
      return service.diagnostics(file);
    } finally {
      file.tree.delete();
    }
  }

  const program = (include: string) => `${include}
SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
\tbpf_probe_write_user((void *)0, (void *)0, 0);
\treturn 0;
}
`;

  test('a GPL license in a quoted header (kubearmor\'s shared.h) is the file\'s: no missing-license', () => {
    const ds = diagnoseAt('shared.bpf.c', program('#include "shared.h"'), { 'shared.h': '#ifndef __SHARED_H\n#define __SHARED_H\nchar LICENSE[] SEC("license") = "Dual BSD/GPL";\n#endif\n' });
    assert.deepEqual(ds, []);
    // The same file without the include has none.
    assert.deepEqual(codes(diagnoseAt('bare.bpf.c', program(''), {})), ['missing-license']);
  });

  test('a license two headers down, through <...> in an include directory (OTel\'s gotracer/go_common.h)', () => {
    const ds = diagnoseAt('go.bpf.c', program('#include <common/go_common.h>'), {
      'include/common/go_common.h': '#include "license.h"\n',
      'include/common/license.h': 'char __license[] SEC("license") = "Dual MIT/GPL";\n',
    });
    assert.deepEqual(ds, []);
  });

  test('a non-GPL license in a header: gpl-only, naming the license and the header', () => {
    const ds = diagnoseAt('prop.bpf.c', program('#include "prop.h"'), { 'prop.h': 'char LICENSE[] SEC("license") = "Proprietary";\n' });
    const d = only(ds, 'gpl-only');
    assert.ok(d.message.includes('licensed "Proprietary" (in ') && d.message.includes('prop.h'), d.message);
  });

  test('a header\'s #defines: member macros and the conditions after the #include', () => {
    const source = `#include "sock.h"
${GPL}SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle, const struct sock *sk, int oldstate, int newstate)
{
#ifndef HAVE_X86
\treturn sk->no_such_field;
#endif
\treturn BPF_CORE_READ(sk, sk_family) + sk->sk_family;
}
`;
    const header = '#define sk_family __sk_common.skc_family\n#if defined(__TARGET_ARCH_x86)\n#define HAVE_X86 1\n#endif\n';
    assert.deepEqual(diagnoseAt('sock.bpf.c', source, { 'sock.h': header }), []);
    // Without the header's defines, both the member macro and the branch are reported.
    assert.deepEqual(codes(diagnoseAt('sock2.bpf.c', source, { 'sock.h': '' })), ['core-field-missing', 'core-field-missing', 'core-field-missing']);
  });
});

describe('license detection and policy', () => {
  test('a license after macro calls without `;` (inside an ERROR node, as in trace_ssl) is found', () => {
    const source = `#define PROBE(name) SEC("uprobe") int BPF_UPROBE(name) { bpf_probe_write_user((void *)0, (void *)0, 0); return 0; }

PROBE(a)
PROBE(b)

char LICENSE[] SEC("license") = "Proprietary";
`;
    const model = parse(source).model;
    assert.equal(model.license?.value, 'Proprietary');
    assert.equal(source.slice(model.license!.span.start, model.license!.span.end), 'Proprietary');
  });

  test('no license anywhere: one missing-license warning naming the GPL-only helpers, no gpl-only error', () => {
    const source = `SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
\tstruct task_struct *task = (struct task_struct *)bpf_get_current_task();
\tchar buf[8];
\tbpf_probe_read_kernel(buf, sizeof(buf), (void *)0);
\tbpf_probe_read_kernel(buf, sizeof(buf), (void *)8);
\treturn BPF_CORE_READ(task, pid) + bpf_get_prandom_u32();
}
`;
    const d = only(diagnose(source), 'missing-license');
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.equal(covered(source, d), 'kprobe/do_unlinkat');
    assert.ok(d.message.startsWith('no license: unless this file is linked with one that declares a GPL-compatible license, the kernel refuses the GPL-only helpers it calls: bpf_get_current_task, bpf_probe_read_kernel ('), d.message);
    assert.equal(d.message.match(/bpf_probe_read_kernel/g)?.length, 1, d.message);
    assert.ok(!d.message.includes('bpf_get_prandom_u32'), d.message);
  });

  test('a GPL-only helper reached through a macro is named with it; more than five are counted', () => {
    const first = `SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
\tstruct task_struct *task = (void *)0;
\treturn BPF_CORE_READ(task, pid);
}
`;
    assert.ok(only(diagnose(first), 'missing-license').message.includes('the GPL-only helpers it calls: bpf_probe_read_kernel (via BPF_CORE_READ) ('));
    const helpersCalled = ['get_current_task', 'probe_read_kernel', 'probe_read_user', 'probe_read_kernel_str', 'probe_read_user_str', 'get_stackid', 'get_stack'];
    const many = plain(helpersCalled.map((h) => `\tbpf_${h}();`).join('\n') + '\n\treturn 0;', '');
    const d = only(diagnose(many), 'missing-license');
    assert.ok(d.message.includes('bpf_get_current_task, bpf_probe_read_kernel, bpf_probe_read_user, bpf_probe_read_kernel_str, bpf_probe_read_user_str and 2 more'), d.message);
  });

  test('calls in inactive branches are not named', () => {
    const source = `SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
#if 0
\tbpf_probe_write_user((void *)0, (void *)0, 0);
#endif
\treturn bpf_get_current_task() != 0;
}
`;
    const d = only(diagnose(source), 'missing-license');
    assert.ok(d.message.includes('calls: bpf_get_current_task (') && !d.message.includes('bpf_probe_write_user'), d.message);
  });
});

describe('one problem per cause, with a way out (issue 11)', () => {
  test('a field a kernel renamed offers the new name as a quick fix (state became __state)', () => {
    const ds = diagnose('#include "vmlinux.h"\nSEC("tp_btf/sched_switch")\nint BPF_PROG(h, bool p, struct task_struct *prev) { return BPF_CORE_READ(prev, state); }\nchar LICENSE[] SEC("license") = "GPL";\n');
    const d = ds.find((x) => x.code === 'core-field-missing')!;
    assert.match(d.message, /struct task_struct\.state does not exist in .*; it is __state there/);
    assert.equal((d.data as DiagnosticFix).newText, '__state');
  });

  test('through a CO-RE flavour of its own, the rename is named but not offered (it would not compile)', () => {
    const ds = diagnose('#include "vmlinux.h"\nstruct task_struct___o { long state; } __attribute__((preserve_access_index));\nSEC("tp_btf/sched_switch")\nint BPF_PROG(h, bool p, struct task_struct *prev) { return BPF_CORE_READ((struct task_struct___o *)prev, state); }\nchar LICENSE[] SEC("license") = "GPL";\n');
    const d = ds.find((x) => x.code === 'core-field-missing')!;
    assert.match(d.message, /it is __state there/);
    assert.equal(d.data, undefined);
  });

  test('no diagnostic for an empty field while typing BPF_CORE_READ(task, )', () => {
    const ds = diagnose('#include "vmlinux.h"\nSEC("tp_btf/sched_switch")\nint BPF_PROG(h, bool p, struct task_struct *prev) { return BPF_CORE_READ(prev, ); }\nchar LICENSE[] SEC("license") = "GPL";\n');
    assert.deepEqual(ds.filter((x) => x.code === 'core-field-missing'), []);
  });

  test('a misspelled kprobe section is offered kprobe, not uprobe (a uprobe target names a binary)', () => {
    const d = diagnose('SEC("kprobee/do_unlinkat")\nint f(void *ctx) { return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n').find((x) => x.code === 'unknown-section')!;
    assert.match(d.message, /did you mean "kprobe\/do_unlinkat"\?$/);
  });
});
