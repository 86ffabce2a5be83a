// After a build: the server resolves a compiled object's CO-RE relocations against its kernels (described
// 6.18, targets Debian 6.1 and 6.12) and returns the portability matrix and diagnostics at source lines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { OBJECT_RELOCATIONS_REQUEST, ObjectRelocationsResult } from '../../server/src/lsp/protocol';
import { cliSkip, runCli } from '../support/cli';
import { startLsp, LspSession } from '../support/lsp-client';
import { haveTool, repoRoot, sharedRaw, sharedSkip, sharedXz } from '../support/kernels';

const skip = cliSkip ?? sharedSkip ?? (haveTool('clang-19') && haveTool('bpftool') ? undefined : 'clang-19 and bpftool are needed (scripts/setup installs them)');

describe('object relocations through the language server', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'ebpf-lsp-relocs-'));
  const core = join(repoRoot, 'test/fixtures/relocs/core.bpf.c');
  const runqlat = join(repoRoot, 'test/fixtures/realworld/runqlat.bpf.c');
  let lsp: LspSession;
  const compile = (src: string) => {
    const obj = join(work, src.replace(/^.*\//, '').replace(/\.c$/, '.o'));
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${work}`, `-I${join(repoRoot, 'test/fixtures/realworld')}`, '-I/usr/include/x86_64-linux-gnu', '-c', src, '-o', obj]);
    return obj;
  };
  const request = (object: string) => lsp.conn.sendRequest(OBJECT_RELOCATIONS_REQUEST, { object }) as Promise<ObjectRelocationsResult>;

  before(async () => {
    writeFileSync(join(work, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', sharedRaw('6.18.44-fc-v669'), 'format', 'c'], { maxBuffer: 1 << 28 }));
    lsp = await startLsp({ kernel: { btf: sharedXz('6.18.44-fc-v669'), targets: [sharedXz('6.1.0-56-amd64'), sharedXz('6.12.117+deb12-amd64')] } });
  });
  after(async () => {
    await lsp.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('the portability matrix: every relocation by group of kernels, failures counted, the differing ones first', async () => {
    const r = await request(compile(core));
    assert.equal(r.error, undefined);
    const m = r.matrix!;
    assert.deepEqual(m.columns.map((c) => c.kernels), [['6.18.44-fc-v669'], ['6.1.0-56-amd64'], ['6.12.117+deb12-amd64']], 'three kernels that differ: three groups');
    assert.equal(m.rows.length, 33);
    const row = (access: string, kind = 'byte_off') => m.rows.find((x) => x.access === access && x.kind === kind)!;
    assert.deepEqual(row('struct inet_sock.inet_flags').cells.map((c) => c.state), ['same', 'poisoned', 'changed']);
    assert.deepEqual(row('struct task_struct.real_parent').cells.map((c) => [c.state, c.text]), [['same', '1280'], ['changed', '2432'], ['changed', '2448']]);
    assert.equal(row('struct task_struct.real_parent').line, 40);
    // 6.18: state, cfs_rq.nr_running, inode.i_ctime; 6.1: state, inet_flags, nr_queued, f_ref; 6.12: state, nr_queued, i_ctime, f_ref.
    assert.deepEqual(m.columns.map((c) => c.failing), [3, 4, 4]);
    const texts = (row: (typeof m.rows)[number]) => new Set(row.cells.map((c) => `${c.state} ${c.text}`)).size;
    assert.ok(m.differing > 0 && m.rows.slice(0, m.differing).every((x) => texts(x) > 1), 'the relocations that differ come first');
    assert.ok(m.rows.slice(m.differing).every((x) => x.kind === 'target_type_id' || texts(x) === 1), 'then those every kernel answers alike');
  });

  test('unresolvable relocations are one problem per cause: those the source check reports are not repeated after a build', async () => {
    const r = await request(compile(core));
    const file = r.diagnostics!.find((d) => d.uri === pathToFileURL(core).href)!;
    const byLine = (line: number) => file.diagnostics.filter((d) => d.range.start.line === line - 1);
    // The source check (the same kernels) reports the unguarded reads at their field names...
    const check = runCli(['check', core, '--btf', sharedXz('6.18.44-fc-v669'), '--btf', sharedXz('6.1.0-56-amd64'), '--btf', sharedXz('6.12.117+deb12-amd64'),
      '--include', work, '--format', 'json']);
    const fromSource = (JSON.parse(check.stdout) as { line: number; column: number; severity: string; code: string; message: string }[]).filter((f) => f.code === 'core-field-missing');
    const at = (line: number) => fromSource.filter((f) => f.line === line).map((f) => [f.severity, f.column]);
    assert.deepEqual(at(44), [['error', 58]], 'state: missing everywhere is an error, at the field name');
    assert.match(fromSource.find((f) => f.line === 49)!.message, /inet_flags does not exist in 6\.1\.0-56-amd64:/);
    assert.match(fromSource.find((f) => f.line === 56)!.message, /struct file\.f_ref does not exist in 6\.1\.0-56-amd64, 6\.12\.117\+deb12-amd64/);
    // ...so the post-build relocation check adds nothing there, and nothing at existence checks.
    for (const line of [43, 44, 48, 49, 55, 56]) assert.deepEqual(byLine(line), [], `line ${line}`);
  });

  test('a guarded fallback (libbpf-tools get_task_state) is not reported; the file need not be open', async () => {
    const r = await request(compile(runqlat));
    assert.equal(r.error, undefined);
    const state = r.matrix!.rows.find((x) => x.access === 'struct task_struct___o.state')!;
    assert.deepEqual(r.matrix!.columns.flatMap((c) => c.kernels).sort(), ['6.1.0-56-amd64', '6.12.117+deb12-amd64', '6.18.44-fc-v669']);
    assert.ok(state.cells.every((c) => c.state === 'guarded' && /^missing, guarded/.test(c.text)), `the fallback is poisoned on every kernel, behind a guard that is false there: ${JSON.stringify(state.cells)}`);
    const file = r.diagnostics!.find((d) => d.uri === pathToFileURL(runqlat).href)!;
    assert.deepEqual(file.diagnostics, [], 'but it sits behind bpf_core_field_exists(t->__state), which holds there');
  });

  test('a corrupt object is an error message, not a crash', async () => {
    const bad = join(work, 'bad.bpf.o');
    writeFileSync(bad, 'not an object');
    const r = await request(bad);
    assert.match(r.error ?? '', /bad\.bpf\.o: invalid ELF file: bad magic/);
  });
});
