// `check --btf-dir`: the source checks against folders of real Debian kernels (6.1 and 6.12, generic and
// cloud, their BTF taken out of the packages scripts/fetch-test-kernels caches), loaded one at a time per
// worker thread and answered in groups of kernels whose findings are identical.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliSkip, runCli } from '../support/cli';
import { cacheDir, haveTool } from '../support/kernels';

interface Finding { file: string; line: number; severity: string; code: string; message: string }
interface CheckFleetJson {
  files: string[];
  kernels: { label: string; distro?: string; arch?: string; group?: number; findings?: Finding[]; times?: Record<string, number> }[];
  groups: { id: number; kernels: string[]; findings: number[] }[];
  findings: (Finding & { groups: number[]; kernelCount: number })[];
  failing: boolean;
}

const kernelDir = join(cacheDir, 'kernels');
const WANTED = ['6.1.0-56-amd64', '6.1.0-56-cloud-amd64', '6.12.117+deb12-amd64', '6.12.117+deb12-cloud-amd64'];
const debs = existsSync(kernelDir) ? readdirSync(kernelDir).filter((f) => WANTED.some((w) => f.startsWith(`linux-image-${w}-unsigned_`))) : [];
const release = (deb: string) => deb.replace(/^linux-image-(.*)-unsigned_.*$/, '$1');
const skip = cliSkip
  ?? (debs.length === WANTED.length ? undefined : `the Debian kernel packages ${WANTED.join(', ')} are not all in .cache/kernels: run scripts/fetch-test-kernels`)
  ?? (haveTool('tar') && haveTool('xz') ? undefined : 'tar and xz are needed to pack kernels as BTFHub does');

// Known differences between Debian's 6.1 and 6.12: inet_sock.inet_flags and the kfunc bpf_task_from_pid
// arrived after 6.1; __kmalloc became __kmalloc_noprof in 6.10; task_struct.state is __state in both.
const SOURCE = [
  '#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_core_read.h>', '#include <bpf/bpf_tracing.h>',
  'extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;',
  'SEC("kprobe/do_unlinkat")', 'int on_unlink(void *ctx)', '{',
  '\tstruct task_struct *t = (struct task_struct *)bpf_get_current_task();',
  '\tlong a = BPF_CORE_READ(t, state);',
  '\tstruct inet_sock *is = 0;',
  '\tlong c = BPF_CORE_READ(is, inet_flags);',
  '#if defined(__TARGET_ARCH_x86)',
  '\tlong d = BPF_CORE_READ(t, x86_only_field);',
  '#else',
  '\tlong d = 0;',
  '#endif',
  '\tstruct task_struct *p = bpf_task_from_pid(1);',
  '\treturn a + c + d + (p != 0);', '}',
  'SEC("kprobe/__kmalloc")', 'int on_kmalloc(void *ctx) { return 0; }',
  'char LICENSE[] SEC("license") = "GPL";',
].join('\n') + '\n';
const lineOf = (text: string) => SOURCE.split('\n').findIndex((l) => l.includes(text)) + 1;

describe('check --btf-dir: the source checks against folders of kernels, grouped', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'ebpf-check-dirs-'));
  const hub = join(work, 'btfhub');
  const flat = join(work, 'flat');
  const src = join(work, 'fleet.bpf.c');
  let fleet: CheckFleetJson;
  let exit: number | null;

  before(() => {
    mkdirSync(join(hub, 'debian/12/x86_64'), { recursive: true });
    mkdirSync(flat);
    for (const deb of debs) {
      const rel = release(deb);
      const out = join(work, `${rel}.btf`);
      const r = runCli(['btf', 'extract', join(kernelDir, deb), '-o', out]);
      assert.equal(r.status, 0, r.stderr);
      // The 6.1 kernels as BTFHub packs them, the 6.12 ones as raw files in a flat folder.
      if (rel.startsWith('6.1.')) execFileSync('tar', ['-cJf', join(hub, 'debian/12/x86_64', `${rel}.btf.tar.xz`), '-C', work, `${rel}.btf`]);
      else copyFileSync(out, join(flat, `${rel}.btf`));
    }
    writeFileSync(src, SOURCE);
    const r = runCli(['check', src, '--btf-dir', hub, '--btf-dir', flat, '--format', 'json'], { timeoutMs: 300_000 });
    exit = r.status;
    assert.ok(r.stdout.startsWith('{'), r.stderr);
    fleet = JSON.parse(r.stdout);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('JSON: every kernel of both folders, labelled, with its own findings', () => {
    assert.deepEqual(fleet.kernels.map((k) => k.label).sort(), ['6.12.117+deb12-amd64', '6.12.117+deb12-cloud-amd64', 'debian/12/x86_64/6.1.0-56-amd64', 'debian/12/x86_64/6.1.0-56-cloud-amd64']);
    for (const k of fleet.kernels) {
      assert.equal(k.arch, 'x86_64', k.label);
      assert.ok(k.times && k.times.parse > 0 && k.times.check > 0, `${k.label}: per-kernel times`);
      const state = k.findings!.find((f) => f.line === lineOf('BPF_CORE_READ(t, state)'));
      assert.ok(state, `${k.label}: task_struct.state is gone`);
      assert.match(state.message, new RegExp(`does not exist in ${k.label.replace(/[.+/]/g, '\\$&')}; it is __state there`), 'a kernel entry names its own kernel');
    }
  });

  test('groups: 6.1 and 6.12 apart, with the findings that differ between them', () => {
    assert.equal(fleet.groups.length, 2, JSON.stringify(fleet.groups));
    const old = fleet.groups.find((g) => g.kernels.every((k) => k.includes('6.1.0-56')))!;
    const current = fleet.groups.find((g) => g.kernels.every((k) => k.startsWith('6.12.')))!;
    assert.ok(old && current, JSON.stringify(fleet.groups));
    const at = (g: typeof old, line: number, code: string) => g.findings.some((i) => fleet.findings[i].line === line && fleet.findings[i].code === code);
    assert.ok(at(old, lineOf('inet_flags'), 'core-field-missing') && !at(current, lineOf('inet_flags'), 'core-field-missing'), 'inet_sock.inet_flags: missing in 6.1 only');
    assert.ok(at(old, lineOf('bpf_task_from_pid(1)'), 'kernel-feature-missing') && !at(current, lineOf('bpf_task_from_pid(1)'), 'kernel-feature-missing'), 'the kfunc, though 6.1 does not know the name');
    assert.ok(at(current, lineOf('__kmalloc'), 'missing-target') && !at(old, lineOf('__kmalloc'), 'missing-target'), '__kmalloc: renamed in 6.12');
    for (const g of [old, current]) assert.ok(at(g, lineOf('BPF_CORE_READ(t, state)'), 'core-field-missing') && at(g, lineOf('x86_only_field'), 'core-field-missing'));
  });

  test('severity: in every kernel an error, in some a warning; exit 1 for the errors', () => {
    const find = (line: number) => fleet.findings.find((f) => f.line === line && f.code === 'core-field-missing')!;
    assert.deepEqual([find(lineOf('BPF_CORE_READ(t, state)')).severity, find(lineOf('BPF_CORE_READ(t, state)')).kernelCount], ['error', 4]);
    assert.deepEqual([find(lineOf('inet_flags')).severity, find(lineOf('inet_flags')).kernelCount], ['warning', 2]);
    assert.equal(fleet.failing, true);
    assert.equal(exit, 1);
    const mild = join(work, 'mild.bpf.c');
    writeFileSync(mild, SOURCE.replace('BPF_CORE_READ(t, state)', 'BPF_CORE_READ(t, __state)').replace('BPF_CORE_READ(t, x86_only_field)', '0'));
    const r = runCli(['check', mild, '--btf-dir', flat, '--btf-dir', hub], { timeoutMs: 300_000 });
    assert.equal(r.status, 0, `only some kernels lack something: warnings, exit 0\n${r.stdout}${r.stderr}`);
  });

  test('text: what every kernel has, then each group labelled by its kernels with what only it has', () => {
    const r = runCli(['check', src, '--btf-dir', hub, '--btf-dir', flat], { timeoutMs: 300_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^.*fleet\.bpf\.c: source checks against 4 kernels: 2 groups \([\d.]+ s\)$/m);
    assert.match(r.stdout, new RegExp(`^in every kernel \\(\\d+\\):\\n {4}.*fleet\\.bpf\\.c:${lineOf('BPF_CORE_READ(t, state)')}:\\d+: error: CO-RE: struct task_struct\\.state does not exist in these kernels; it is __state there \\[core-field-missing\\]$`, 'm'));
    assert.match(r.stdout, /^group 1 \(2 kernels\): debian\/12\/x86_64\/6\.1\.0-56-amd64, debian\/12\/x86_64\/6\.1\.0-56-cloud-amd64: 2 findings only here$/m);
    assert.match(r.stdout, new RegExp(`^ {4}.*fleet\\.bpf\\.c:${lineOf('inet_flags')}:\\d+: warning: CO-RE: struct inet_sock\\.inet_flags does not exist in these kernels \\[core-field-missing\\]$`, 'm'));
    assert.match(r.stdout, /^group 2 \(2 kernels\): 6\.12\.117\+deb12-amd64, 6\.12\.117\+deb12-cloud-amd64: 1 finding only here$/m);
    assert.match(r.stderr, /^ebpf-ls check: 4 kernels in [\d.]+ s: per kernel [\d.]+ ms \(read [\d.]+, decompress [\d.]+, parse [\d.]+, check [\d.]+\)$/m);
  });

  test('worker threads: --jobs 1 and --jobs 2 give identical JSON, times aside', () => {
    const withJobs = (jobs: string) => {
      const r = runCli(['check', src, '--btf-dir', hub, '--btf-dir', flat, '--format', 'json', '--jobs', jobs], { timeoutMs: 300_000 });
      assert.equal(r.status, 1, r.stderr);
      const out: CheckFleetJson = JSON.parse(r.stdout);
      for (const k of out.kernels) delete k.times;
      return out;
    };
    const one = withJobs('1');
    assert.deepEqual(withJobs('2'), one);
    assert.deepEqual(one.kernels.map((k) => k.label), fleet.kernels.map((k) => k.label), 'in the order the kernels were listed');
    const r = runCli(['check', src, '--btf-dir', flat, '--jobs', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--jobs takes a whole number of worker threads, not '0'/);
  });

  test("a kernel of another architecture is checked with that architecture's #if branches", () => {
    const mixed = join(work, 'mixed');
    mkdirSync(join(mixed, 'debian/12/arm64'), { recursive: true });
    mkdirSync(join(mixed, 'debian/12/x86_64'), { recursive: true });
    const packed = join(hub, 'debian/12/x86_64/6.1.0-56-amd64.btf.tar.xz');
    copyFileSync(packed, join(mixed, 'debian/12/x86_64/6.1.0-56-amd64.btf.tar.xz'));
    copyFileSync(packed, join(mixed, 'debian/12/arm64/6.1.0-56-amd64.btf.tar.xz'));
    const r = runCli(['check', src, '--btf-dir', mixed, '--format', 'json'], { timeoutMs: 300_000 });
    const out: CheckFleetJson = JSON.parse(r.stdout);
    const arm = out.kernels.find((k) => k.arch === 'arm64')!;
    const x86 = out.kernels.find((k) => k.arch === 'x86_64')!;
    assert.ok(arm && x86, r.stdout);
    const x86Only = lineOf('x86_only_field');
    assert.ok(x86.findings!.some((f) => f.line === x86Only), 'the __TARGET_ARCH_x86 branch is read for the x86 kernel');
    assert.ok(!arm.findings!.some((f) => f.line === x86Only), 'and not for the arm64 one');
    assert.notEqual(arm.group, x86.group);
  });

  test('bad folders: one line, exit 2; a bad kernel file: one line, exit 2, the others checked', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'README'), 'nothing here\n');
    const cases: [string, RegExp][] = [[join(work, 'nope'), /nope: cannot read the kernel folder: no such folder/], [empty, /empty: no kernel BTF in the folder/], [src, /fleet\.bpf\.c: is not a folder/]];
    for (const [dir, re] of cases) {
      const r = runCli(['check', src, '--btf-dir', dir]);
      assert.equal(r.status, 2, `${dir}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
    const broken = join(work, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, '6.1.0-1-amd64.btf.xz'), Buffer.from('fd377a585a000004e6d6b44602', 'hex'));
    copyFileSync(join(flat, '6.12.117+deb12-amd64.btf'), join(broken, '6.12.117+deb12-amd64.btf'));
    const r = runCli(['check', src, '--btf-dir', broken]);
    assert.equal(r.status, 2, 'a kernel that cannot be read: exit 2, the others still checked');
    assert.match(r.stderr, /^ebpf-ls: .*6\.1\.0-1-amd64\.btf\.xz: xz data is corrupt: /m);
    assert.match(r.stdout, /source checks against 1 kernel: 1 group/);
    assert.match(r.stdout, /^1 kernel file could not be read: 6\.1\.0-1-amd64$/m);
  });
});
