// Zero false errors on real-world code: programs in the style of libbpf-tools (test/fixtures/realworld),
// compiled with clang-19 and accepted by the kernel, get no error from `check` or `relocs` against the
// shared kernels and the running one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliSkip, runCli } from '../support/cli';
import { RUNNING_KERNEL_BTF, SHARED_KERNELS, haveTool, repoRoot, runningSkip, sharedRaw, sharedSkip } from '../support/kernels';

const dir = join(repoRoot, 'test/fixtures/realworld');
const sources = readdirSync(dir).filter((f) => f.endsWith('.bpf.c')).sort();
const missing = ['clang-19', 'bpftool'].find((t) => !haveTool(t));
const skip = cliSkip ?? sharedSkip ?? runningSkip ?? (missing ? `${missing} is not installed (scripts/setup installs it)` : undefined);
const rootSkip = process.getuid?.() === 0 ? undefined : 'loading BPF programs needs root here';
/** Program types this machine's kernel refuses by policy (lockdown): EPERM before the verifier runs. */
const POLICY_REFUSED = /^(fentry|fexit|lsm)\//;

describe('real-world programs: compiled, loaded, and free of false errors', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'ebpf-realworld-'));
  const btfArgs = [...SHARED_KERNELS.map((k) => sharedRaw(k)), RUNNING_KERNEL_BTF].flatMap((f) => ['--btf', f]);
  const objects: string[] = [];

  before(() => {
    writeFileSync(join(work, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', RUNNING_KERNEL_BTF, 'format', 'c'], { maxBuffer: 1 << 28 }));
    for (const s of sources) {
      const obj = join(work, basename(s).replace(/\.c$/, '.o'));
      execFileSync('clang-19', ['-g', '-O2', '-Wall', '-Werror', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${work}`, `-I${dir}`, '-I/usr/include/x86_64-linux-gnu', '-c', join(dir, s), '-o', obj]);
      objects.push(obj);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the corpus covers the common program kinds', () => {
    assert.ok(sources.length >= 8, sources.join(' '));
  });

  test('check: no error on any of them, against four kernels', () => {
    const r = runCli(['check', ...sources.map((s) => join(dir, s)), ...btfArgs, '--include', dir, '--format', 'json']);
    const findings: { file: string; line: number; severity: string; message: string }[] = JSON.parse(r.stdout);
    const errors = findings.filter((f) => f.severity === 'error');
    assert.deepEqual(errors.map((f) => `${basename(f.file)}:${f.line}: ${f.message}`), []);
    assert.equal(r.status, 0);
  });

  test('relocs: every relocation resolves without error on every kernel', () => {
    for (const obj of objects) {
      const r = runCli(['relocs', obj, ...btfArgs, '--format', 'json']);
      assert.equal(r.status, 0, `${obj}: ${r.stderr}`);
      const reports: { access: string; targets: { kernel: string; error?: string }[] }[] = JSON.parse(r.stdout);
      const errors = reports.flatMap((x) => x.targets.filter((t) => t.error).map((t) => `${x.access} on ${t.kernel}: ${t.error}`));
      assert.deepEqual(errors, [], basename(obj));
    }
  });

  test('the kernel accepts every program it allows to load here', { skip: rootSkip }, () => {
    for (const obj of objects) {
      const r = runCli(['verify', obj, '--format', 'json'], { timeoutMs: 180_000 });
      const programs: { name: string; section: string; accepted: boolean; error?: { message: string } }[] = JSON.parse(r.stdout);
      assert.ok(programs.length > 0, `${obj}: ${r.stderr}`);
      for (const p of programs) {
        if (POLICY_REFUSED.test(p.section) && !p.accepted) assert.match(p.error?.message ?? '', /policy/, `${p.name}: refused by policy, not by the verifier`);
        else assert.equal(p.accepted, true, `${basename(obj)} ${p.name} (${p.section}): ${p.error?.message}`);
      }
    }
    const loaded = execFileSync('bpftool', ['prog', 'show'], { encoding: 'utf8' });
    for (const name of ['tracepoint__sys', 'sched_switch', 'tcp_v4_connect', 'block_rq_comple', 'xdp_count', 'socket_count', 'dump_task']) {
      assert.ok(!loaded.includes(`name ${name}`), `${name} is not left loaded`);
    }
  });
});
