// `ebpf-ls check` against the three kernels of ../shared/btf, on the known real differences between them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliSkip, runCli } from '../support/cli';
import { RUNNING_KERNEL_BTF, SHARED_KERNELS, repoRoot, runningSkip, sharedSkip, sharedXz } from '../support/kernels';

interface Finding { file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string }

function check(file: string): { status: number | null; findings: Finding[] } {
  const r = runCli(['check', join(repoRoot, file), ...SHARED_KERNELS.flatMap((k) => ['--btf', sharedXz(k)]), '--format', 'json']);
  assert.equal(r.stderr, '');
  return { status: r.status, findings: JSON.parse(r.stdout) };
}

test('portability problems are reported per kernel, at their lines', { skip: cliSkip ?? sharedSkip }, () => {
  const { status, findings } = check('test/fixtures/programs/portability.bpf.c');
  assert.equal(status, 1, 'an error means exit code 1');
  const byLine = (line: number) => findings.filter((f) => f.line === line);
  // task_struct.state: gone in all three kernels (it is __state) -> error.
  assert.deepEqual(byLine(11).map((f) => [f.severity, f.code]), [['error', 'core-field-missing']]);
  assert.match(byLine(11)[0].message, /struct task_struct\.state does not exist in 6\.1\.0-56-amd64, 6\.12\.117\+deb12-amd64, 6\.18\.44-fc-v669/);
  assert.deepEqual(byLine(12), [], '__state exists everywhere');
  // inet_sock.inet_flags: absent in 6.1 only; cfs_rq.nr_running: absent in 6.18 only -> warnings naming them.
  assert.match(byLine(14)[0].message, /inet_sock\.inet_flags does not exist in 6\.1\.0-56-amd64:/);
  assert.equal(byLine(14)[0].severity, 'warning');
  assert.match(byLine(16)[0].message, /cfs_rq\.nr_running does not exist in 6\.18\.44-fc-v669:/);
  assert.equal(byLine(14)[0].column, 29, 'the range is the field argument');
  // A bare BTF-attach section is a hint; a section newer than Debian's libbpf 1.1 a warning.
  assert.deepEqual(byLine(20).map((f) => [f.severity, f.code]), [['hint', 'section-needs-target']]);
  assert.match(byLine(23)[0].message, /needs libbpf 1\.3 or newer; the libbpf here is 1\.1/);
  // Kernel features from each kernel's BTF: the arena map type (6.9) and the bpf_task_from_pid kfunc (6.2).
  const arena = findings.find((f) => f.code === 'kernel-feature-missing' && /BPF_MAP_TYPE_ARENA/.test(f.message));
  assert.match(arena!.message, /map type BPF_MAP_TYPE_ARENA is not available in 6\.1\.0-56-amd64$/);
  const kfunc = findings.filter((f) => f.code === 'kernel-feature-missing' && /bpf_task_from_pid/.test(f.message));
  assert.deepEqual(kfunc.map((f) => [f.line, f.message]), [[43, 'kfunc bpf_task_from_pid() is not available in 6.1.0-56-amd64']]);
  // Typed __ksym variables against each kernel's BTF VARs, at their uses.
  const ksyms = findings.filter((f) => /__ksym/.test(f.message)).map((f) => [f.line, f.severity, f.message]);
  assert.deepEqual(ksyms, [
    [57, 'warning', 'kernel variable __softirq_pending (__ksym) is not available in 6.1.0-56-amd64, 6.12.117+deb12-amd64'],
    [57, 'error', 'kernel variable ebpf_vscode_no_such_var (__ksym) is not available in 6.1.0-56-amd64, 6.12.117+deb12-amd64, 6.18.44-fc-v669'],
  ], 'runqueues exists everywhere');
  // __kmalloc became __kmalloc_noprof in 6.10.
  assert.match(byLine(26)[0].message, /__kmalloc .* is missing in 6\.12\.117\+deb12-amd64, 6\.18\.44-fc-v669; it is __kmalloc_noprof there/);
});

test('CO-RE guards: ruled-out branches are not reported; all-missing alternatives are', { skip: cliSkip ?? sharedSkip }, () => {
  const { status, findings } = check('test/fixtures/programs/guards.bpf.c');
  assert.equal(status, 0, 'no errors: every access is guarded');
  assert.deepEqual(findings.map((f) => [f.line, f.severity, f.code]), [[32, 'warning', 'core-no-alternative'], [43, 'warning', 'core-field-missing']]);
  assert.match(findings[1].message, /cfs_rq\.nr_running does not exist in 6\.18\.44-fc-v669:/, 'a version guard true in every kernel guards nothing');
  assert.match(findings[0].message, /none of the 2 guarded alternatives \(x->old_mnt_userns; x->old_mnt_idmap\) exists in 6\.18\.44-fc-v669/);
});

test('program heads that do not fit their sections are warned about, with the fix', { skip: cliSkip ?? sharedSkip }, () => {
  const { findings } = check('test/fixtures/programs/heads.bpf.c');
  const heads = findings.filter((f) => f.code === 'program-head').map((f) => [f.line, f.message]);
  assert.equal(heads.length, 3);
  assert.match(heads[0][1] as string, /BPF_PROG .* SEC\("kprobe\/do_unlinkat"\) is BPF_PROG_TYPE_KPROBE: use BPF_KPROBE/);
  assert.match(heads[1][1] as string, /BPF_KPROBE .* BPF_PROG_TYPE_TRACING, .* use BPF_PROG/);
  assert.match(heads[2][1] as string, /receive struct xdp_md \*, not struct __sk_buff \*/);
  assert.deepEqual(heads.map((h) => h[0]), [7, 13, 19]);
  // Against each kernel's prototype: a changed argument type, and more arguments than the target passes.
  const args = findings.filter((f) => f.code === 'program-args').map((f) => [f.line, f.column, f.message]);
  assert.deepEqual(args.map((a) => [a[0], a[1]]), [[32, 54], [38, 51]], "at the parameter names");
  assert.equal(args[0][2], 'argument 1 of vfs_unlink is struct mnt_idmap *idmap, not struct user_namespace * in 6.12.117+deb12-amd64, 6.18.44-fc-v669');
  assert.match(args[1][2] as string, /^sched_wakeup passes 1 argument\(s\) \(struct task_struct \*arg0\), fewer than this head reads in 6\.1\.0-56-amd64, 6\.12\.117\+deb12-amd64, 6\.18\.44-fc-v669$/);
});

test('direct reads through kernel pointers: warned in kprobe programs, with the BPF_CORE_READ rewrite; legal in tp_btf', { skip: cliSkip ?? sharedSkip }, () => {
  const { findings } = check('test/fixtures/programs/direct.bpf.c');
  const direct = findings.filter((f) => f.code === 'direct-kernel-read');
  assert.deepEqual(direct.map((f) => [f.line, f.column]), [[12, 13], [14, 18]]);
  assert.match(direct[0].message, /read with BPF_CORE_READ\(t, real_parent, tgid\)/);
  assert.match(direct[1].message, /read with BPF_CORE_READ\(name, name\)/);
  // tp_btf reads are relocated by CO-RE: their fields are checked per kernel; guards and sizeof are respected.
  const core = findings.filter((f) => f.code === 'core-field-missing');
  assert.deepEqual(core.map((f) => [f.line, f.column, f.severity]), [[28, 28, 'warning'], [28, 81, 'warning']]);
  assert.match(core[0].message, /struct cfs_rq\.nr_running does not exist in 6\.18\.44-fc-v669/);
  assert.match(core[1].message, /struct file\.f_ref does not exist in 6\.1\.0-56-amd64, 6\.12\.117\+deb12-amd64:/);
});

test('a clean program gets no findings and exit code 0', { skip: cliSkip ?? sharedSkip }, () => {
  const r = check('test/fixtures/lsp/handler.bpf.c');
  // The fixture's one deliberate mistake is its misspelled SEC.
  assert.deepEqual(r.findings.map((f) => f.code), ['unknown-section']);
  assert.equal(r.findings[0].line, 31);
});

test('a missing file is a one-line error with exit code 2', { skip: cliSkip }, () => {
  const r = runCli(['check', '/nonexistent/x.bpf.c']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), 'ebpf-ls: /nonexistent/x.bpf.c: cannot read: no such file');
});

const WAY_OUT = 'fails there unless user space turns the program off (bpf_program__set_autoload) or retargets it (bpf_program__set_attach_target)';

test('tracepoint targets: syscalls from every kernel\'s BTF, other events from the running kernel\'s tracefs', { skip: cliSkip ?? sharedSkip ?? runningSkip }, () => {
  if (!existsSync('/sys/kernel/tracing/events/enable')) {
    // Like Run and trace, mount tracefs where it is missing (root only), so the tracefs half is tested too.
    spawnSync('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing']);
  }
  const tracefs = existsSync('/sys/kernel/tracing/events/enable');
  const r = runCli(['check', join(repoRoot, 'test/fixtures/programs/targets.bpf.c'), '--btf', sharedXz('6.1.0-56-amd64'), '--btf', RUNNING_KERNEL_BTF, '--format', 'json']);
  const findings: Finding[] = JSON.parse(r.stdout);
  const targets = findings.filter((f) => f.code === 'missing-target').map((f) => [f.line, f.severity, f.message]);
  const expected = [
    // A missing target is a warning naming the way out (issue 11): user space may switch the program off.
    [9, 'warning', `syscalls/sys_enter_nosuchcall (syscall nosuchcall) is missing in 6.1.0-56-amd64, running kernel: attaching ${WAY_OUT}`],
  ];
  if (tracefs) expected.unshift([5, 'warning', `sched/sched_switchx (tracepoint, per tracefs) is missing in running kernel: attaching ${WAY_OUT}`]);
  assert.deepEqual(targets, expected, 'getpid (argument-less, only __do_sys_getpid in BTF) and sched/sched_switch exist');
});
