// `relocs --btf-dir`: folders of kernels in BTFHub's layout and flat, made from the real Debian packages
// scripts/fetch-test-kernels caches (their BTF taken out by `btf extract`), resolved on worker threads
// and grouped; every verdict checked against bpftool's `gen min_core_btf`, relocation by relocation.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kernelScratch, listKernelDirs, loadKernelFile } from '../../server/src/host/kernel-dirs';
import { cliSkip, runCli } from '../support/cli';
import { cacheDir, haveTool, repoRoot, sharedRaw, sharedSkip } from '../support/kernels';

interface Verdict { resolved: boolean; poisoned: boolean; value?: number | string; error?: string; target?: string; bitOffset?: number }
interface KernelEntry { label: string; path: string; release: string; distro?: string; distroVersion?: string; arch?: string; group?: number; error?: string; results?: Verdict[]; times?: Record<string, number> }
interface Relocation { section: string; index: number; kind: string; access: string }
interface FleetJson { relocations: Relocation[]; kernels: KernelEntry[]; groups: { id: number; kernels: string[]; failing: number[] }[]; differing: number[]; failing: boolean }

const kernelDir = join(cacheDir, 'kernels');
const debs = existsSync(kernelDir) ? readdirSync(kernelDir).filter((f) => /^linux-image-.*\.deb$/.test(f)).sort() : [];
const release = (deb: string) => deb.replace(/^linux-image-(.*)-unsigned_.*$/, '$1');
const missing = ['clang-19', 'bpftool', 'xz', 'tar'].find((t) => !haveTool(t));
const skip = cliSkip ?? sharedSkip
  ?? (debs.length ? undefined : 'no Debian kernel packages in .cache/kernels: run scripts/fetch-test-kernels')
  ?? (missing ? `${missing} is not installed (scripts/setup installs it)` : undefined);

describe('relocs --btf-dir: folders of kernels, grouped, against bpftool', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'ebpf-kdirs-'));
  const hub = join(work, 'btfhub');
  const flat = join(work, 'flat');
  const raw = new Map<string, string>();
  const obj = join(work, 'core.bpf.o');
  let fleet: FleetJson;

  before(() => {
    mkdirSync(join(hub, 'debian/12/x86_64'), { recursive: true });
    mkdirSync(flat, { recursive: true });
    for (const deb of debs) {
      const rel = release(deb);
      const out = join(work, `${rel}.btf`);
      const r = runCli(['btf', 'extract', join(kernelDir, deb), '-o', out]);
      assert.equal(r.status, 0, r.stderr);
      raw.set(rel, out);
      // BTFHub packs each kernel as <release>.btf.tar.xz holding <release>.btf.
      execFileSync('sh', ['-c', 'cd "$1" && tar -cf - "$2.btf" | xz -c > "$3/$2.btf.tar.xz"', 'sh', work, rel, join(hub, 'debian/12/x86_64')]);
    }
    const [first, second] = [...raw.keys()];
    execFileSync('sh', ['-c', 'xz -c "$1" > "$2"', 'sh', raw.get(first)!, join(flat, `${first}.btf.xz`)]);
    writeFileSync(join(flat, `${second}.btf`), execFileSync('cat', [raw.get(second)!], { maxBuffer: 1 << 28 }));
    writeFileSync(join(work, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', sharedRaw('6.18.44-fc-v669'), 'format', 'c'], { maxBuffer: 1 << 28 }));
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${work}`, '-I/usr/include/x86_64-linux-gnu', '-c', join(repoRoot, 'test/fixtures/relocs/core.bpf.c'), '-o', obj]);
    const r = runCli(['relocs', obj, '--btf-dir', hub, '--btf-dir', flat, '--format', 'json'], { timeoutMs: 600_000 });
    assert.equal(r.status, 1, `unguarded failures give exit 1: ${r.stderr}`);
    fleet = JSON.parse(r.stdout);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('every kernel of both folders, labelled by distro, version, arch and release', () => {
    assert.equal(fleet.kernels.length, debs.length + 2);
    for (const rel of raw.keys()) {
      const k = fleet.kernels.find((x) => x.label === `debian/12/x86_64/${rel}`);
      assert.ok(k, `${rel} from the BTFHub folder`);
      assert.deepEqual([k.distro, k.distroVersion, k.arch, k.release], ['debian', '12', 'x86_64', rel]);
      assert.ok(k.times && k.times.unpack >= 0 && k.times.parse > 0, 'per-kernel times');
    }
    const flatOnes = fleet.kernels.filter((k) => !k.distro);
    assert.deepEqual(flatOnes.map((k) => k.label).sort(), [...raw.keys()].slice(0, 2).sort());
    assert.ok(flatOnes.every((k) => k.arch === 'x86_64'), 'arch from the -amd64 release or pt_regs');
  });

  test('groups: identical verdicts together, the same kernel in two folders in one group', () => {
    for (const k of fleet.kernels.filter((x) => !x.distro)) {
      const twin = fleet.kernels.find((x) => x.label === `debian/12/x86_64/${k.label}`)!;
      assert.equal(k.group, twin.group, `${k.label} and its BTFHub copy`);
    }
    for (const g of fleet.groups) {
      const members = fleet.kernels.filter((k) => k.group === g.id);
      assert.deepEqual(members.map((k) => k.label), g.kernels);
      for (const k of members) assert.deepEqual(k.results!.map((v) => [v.resolved, v.poisoned, v.error]), members[0].results!.map((v) => [v.resolved, v.poisoned, v.error]));
    }
    assert.ok(fleet.groups.length >= 2 && fleet.differing.length > 0);
    const state = fleet.relocations.findIndex((r) => r.kind === 'byte_off' && r.access === 'struct task_struct___old.state');
    assert.ok(fleet.groups.every((g) => g.failing.includes(state)), 'task_struct.state is gone everywhere and read unguarded');
  });

  test('every verdict agrees with bpftool gen min_core_btf, relocation by relocation', () => {
    for (const [rel, path] of raw) {
      const out = spawnSync('bpftool', ['-d', 'gen', 'min_core_btf', path, join(work, 'min.btf'), obj], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const log = out.stdout + out.stderr;
      const theirs = new Map<string, { matched: boolean; offset?: number }>();
      const re = /prog '([^']+)': relo #(\d+): (?:matching candidate #\d+ [^\n]*?(?:\(\S+ @ offset (\d+)(?:\.(\d+))?\))?$|(no matching targets found))/gm;
      for (const m of log.matchAll(re)) {
        const key = `${m[1]}#${m[2]}`;
        if (m[5]) theirs.set(key, { matched: false });
        else if (!theirs.has(key)) theirs.set(key, { matched: true, offset: m[3] === undefined ? undefined : Number(m[3]) * 8 + Number(m[4] ?? 0) });
      }
      const k = fleet.kernels.find((x) => x.label === `debian/12/x86_64/${rel}`)!;
      let compared = 0;
      fleet.relocations.forEach((r, i) => {
        if (r.kind === 'local_type_id') return;
        const t = theirs.get(`${r.section}#${r.index}`); // bpftool names a program by its section here
        assert.ok(t, `${rel}: bpftool reports relo #${r.index}`);
        const v = k.results![i];
        assert.equal(v.resolved, t.matched, `${rel} relo #${r.index} ${r.access}: resolved`);
        if (t.offset !== undefined) assert.equal(v.bitOffset, t.offset, `${rel} relo #${r.index} ${r.access}: bit offset`);
        compared++;
      });
      assert.equal(compared, fleet.relocations.length - 1);
    }
  });

  test('text: groups, what fails in each, the relocations that differ; one worker gives the same answer', () => {
    const r = runCli(['relocs', obj, '--btf-dir', hub, '--jobs', '1'], { timeoutMs: 600_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /: 33 CO-RE relocations against \d+ kernels: \d+ groups? \(1 worker, [\d.]+ s\)/);
    assert.match(r.stdout, /^group 1 \(\d+ kernels?\): debian\/12\/x86_64\/.*: \d+ of 33 fail where the program reaches them( \(.*\))?$/m);
    assert.match(r.stdout, /^ {4}core\.bpf\.c:\d+ byte_off struct task_struct___old\.state: missing \(poisoned\)$/m);
    assert.match(r.stdout, /^relocations that differ between groups \(\d+\):$/m);
    assert.match(r.stderr, /^ebpf-ls relocs: \d+ kernels in [\d.]+ s on 1 worker: per kernel [\d.]+ ms \(read [\d.]+, decompress [\d.]+, parse [\d.]+, resolve [\d.]+\)$/m);
  });

  test('guards: a read poisoned behind a false bpf_core_field_exists is dead code there, not a failure', () => {
    writeFileSync(join(work, 'guarded.bpf.c'), [
      '#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_core_read.h>',
      'struct task_struct___old { long state; } __attribute__((preserve_access_index));',
      'long out[4];', 'SEC("tracepoint/syscalls/sys_enter_openat")', 'int guarded(void *ctx)', '{',
      '\tstruct task_struct *t = (struct task_struct *)bpf_get_current_task();',
      '\tstruct task_struct___old *old = (void *)t;', '\tstruct inet_sock *is = 0;',
      '\tif (bpf_core_field_exists(old->state))', '\t\tout[0] = BPF_CORE_READ(old, state);', '\telse', '\t\tout[0] = BPF_CORE_READ(t, __state);',
      '\tout[1] = bpf_core_field_exists(is->inet_flags) ? BPF_CORE_READ(is, inet_flags) : 0;', '\treturn 0;', '}',
      'char LICENSE[] SEC("license") = "GPL";',
    ].join('\n') + '\n');
    const guarded = join(work, 'guarded.bpf.o');
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${work}`, '-I/usr/include/x86_64-linux-gnu', '-c', join(work, 'guarded.bpf.c'), '-o', guarded]);
    const r = runCli(['relocs', guarded, '--btf-dir', flat, '--format', 'json'], { timeoutMs: 600_000 });
    assert.equal(r.status, 0, `every failure is guarded: ${r.stderr}`);
    const out: FleetJson & { kernels: (KernelEntry & { dead?: number[] })[] } = JSON.parse(r.stdout);
    const state = out.relocations.findIndex((x) => x.kind === 'byte_off' && x.access === 'struct task_struct___old.state');
    for (const k of out.kernels) {
      assert.equal(k.results![state].poisoned, true, `${k.label}: state is gone`);
      assert.ok(k.dead!.includes(state), `${k.label}: and its read is dead code`);
      assert.ok(!k.dead!.includes(out.relocations.findIndex((x) => x.access === 'struct task_struct.__state')), `${k.label}: the else branch runs`);
    }
    assert.equal(out.failing, false);
    const text = runCli(['relocs', guarded, '--btf-dir', flat]);
    assert.match(text.stdout, /all 5 relocations apply \(\d existence checks? answers? 0; \d poisoned behind guards that are false here\)/);
  });

  test('a kernel of another architecture is skipped with a note when the object reads x86 registers', () => {
    writeFileSync(join(work, 'regs.bpf.c'), [
      '#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_core_read.h>', '#include <bpf/bpf_tracing.h>',
      'long out[2];', 'SEC("kprobe/do_unlinkat")', 'int regs(struct pt_regs *ctx)', '{', '\tout[0] = PT_REGS_PARM1_CORE(ctx);', '\treturn 0;', '}',
      'char LICENSE[] SEC("license") = "GPL";',
    ].join('\n') + '\n');
    const regs = join(work, 'regs.bpf.o');
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${work}`, '-I/usr/include/x86_64-linux-gnu', '-c', join(work, 'regs.bpf.c'), '-o', regs]);
    const mixed = join(work, 'mixed');
    mkdirSync(join(mixed, 'debian/12/x86_64'), { recursive: true });
    mkdirSync(join(mixed, 'debian/12/arm64'), { recursive: true });
    const [rel] = raw.keys();
    execFileSync('cp', [join(hub, `debian/12/x86_64/${rel}.btf.tar.xz`), join(mixed, 'debian/12/x86_64/')]);
    execFileSync('cp', [join(hub, `debian/12/x86_64/${rel}.btf.tar.xz`), join(mixed, 'debian/12/arm64/')]);
    const r = runCli(['relocs', regs, '--btf-dir', mixed]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /against 1 kernel: 1 group/);
    assert.match(r.stdout, /skipped 1 kernel of another architecture: debian\/12\/arm64\/.* \(arm64 kernel; the object reads x86_64 registers\)/);
  });

  test('in process (what each worker does): listed, then loaded one at a time into one scratch', async () => {
    const listed = listKernelDirs([flat]);
    assert.ok(listed.ok, listed.ok ? '' : listed.error);
    const scratch = kernelScratch();
    const seen: string[] = [];
    for (const info of listed.value) {
      const k = await loadKernelFile(info, scratch);
      assert.ok(k.ok, k.ok ? '' : k.error);
      assert.equal(k.value.kernel.arch, 'x86_64');
      assert.ok(k.value.kernel.btf.findFirst('task_struct') !== undefined);
      seen.push(k.value.kernel.label);
    }
    assert.deepEqual(seen, listed.value.map((f) => f.label));
  });

  test('bad folders and bad kernels: one line each, exit 2', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'README'), 'nothing here\n');
    const broken = join(work, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, '6.1.0-1-amd64.btf.xz'), Buffer.from('fd377a585a000004e6d6b44602', 'hex'));
    const cases: [string[], RegExp][] = [
      [['relocs', obj, '--btf-dir', join(work, 'nope')], /nope: cannot read the kernel folder: no such folder/],
      [['relocs', obj, '--btf-dir', empty], /empty: no kernel BTF in the folder/],
      [['relocs', obj, '--btf-dir', obj], /core\.bpf\.o: is not a folder/],
    ];
    for (const [args, re] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const r = runCli(['relocs', obj, '--btf-dir', broken]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^ebpf-ls: .*6\.1\.0-1-amd64\.btf\.xz: xz data is corrupt: /m);
    assert.match(r.stdout, /1 kernel file could not be read: 6\.1\.0-1-amd64/);
  });
});
