// BTF arrives in many wrappings; each is detected by its bytes and yields the same types.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseBtf } from '../../server/src/btf/parse';
import { CompositeType } from '../../server/src/btf/types';
import { Kind } from '../../server/src/btf/wire';
import { unpackBtf } from '../../server/src/container/unpack';
import { loadBtfFile, loadBundledKernel } from '../../server/src/host/load-btf';
import { cliSkip, firstDifference, runCli } from '../support/cli';
import { RUNNING_KERNEL_BTF, haveTool, repoRoot, runningSkip, sharedRaw, sharedSkip, sharedXz } from '../support/kernels';

const toolsSkip = ['xz', 'tar', 'clang-19', 'llvm-objcopy-19'].find((t) => !haveTool(t));
const skip = sharedSkip ?? (toolsSkip ? `${toolsSkip} is not installed (scripts/setup installs it)` : undefined);

test('raw, xz, gzip, tar.xz and ELF .BTF wrappings load the same kernel, whatever the file is called', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-load-'));
  const raw = sharedRaw('6.1.0-56-amd64');
  const bytes = readFileSync(raw);
  // Misleading names on purpose: detection goes by the bytes.
  copyFileSync(raw, join(dir, 'kernel.tar.xz'));
  writeFileSync(join(dir, 'kernel.btf'), gzipSync(bytes));
  copyFileSync(raw, join(dir, '6.1.btf'));
  execFileSync('sh', ['-c', 'cd "$1" && tar cf - 6.1.btf | xz -1 > kernel.gz', 'sh', dir]);
  // A vmlinux stand-in: an ELF file whose .BTF section holds the kernel's BTF.
  writeFileSync(join(dir, 'empty.c'), 'int marker;\n');
  execFileSync('clang-19', ['-c', join(dir, 'empty.c'), '-o', join(dir, 'vmlinux.o')]);
  execFileSync('llvm-objcopy-19', ['--add-section', `.BTF=${raw}`, join(dir, 'vmlinux.o'), join(dir, 'vmlinux')]);

  const expect = { types: 100751, taskStruct: 9792 };
  for (const [file, formats] of [
    [sharedXz('6.1.0-56-amd64'), ['xz', 'btf']],
    [join(dir, 'kernel.tar.xz'), ['btf']],
    [join(dir, 'kernel.btf'), ['gzip', 'btf']],
    [join(dir, 'kernel.gz'), ['xz', 'tar', 'btf']],
    [join(dir, 'vmlinux'), ['elf', 'btf']],
  ] as const) {
    const u = await unpackBtf(readFileSync(file), file);
    assert.ok(u.ok, u.ok ? '' : u.error);
    assert.deepEqual(u.value.formats, formats, file);
    const r = await loadBtfFile(file);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.value.typeCount, expect.types, file);
    assert.equal(r.value.sizeOf(r.value.findFirst('task_struct', Kind.Struct)!), expect.taskStruct, file);
  }
});

test('a compiled .bpf.o is read through its .BTF section', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebpf-load-'));
  const src = join(dir, 'prog.bpf.c');
  writeFileSync(src, 'struct event { int pid; char comm[16]; };\nstruct event last_event;\nint prog(void *ctx) { return last_event.pid; }\n');
  execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-c', src, '-o', join(dir, 'prog.bpf.o')]);
  const r = await loadBtfFile(join(dir, 'prog.bpf.o'));
  assert.ok(r.ok, r.ok ? '' : r.error);
  const ev = r.value.type(r.value.findFirst('event', Kind.Struct)!) as CompositeType;
  assert.deepEqual(ev.members.map((m) => [m.name, m.bitOffset]), [['pid', 0], ['comm', 32]]);
});

test('split BTF (a module on top of vmlinux) continues the base ids and resolves into it', { skip: sharedSkip }, async () => {
  const base = parseBtf(readFileSync(sharedRaw('6.1.0-56-amd64')));
  assert.ok(base.ok);
  const fixture = join(repoRoot, 'test/fixtures/split/module.btf');
  const split = parseBtf(readFileSync(fixture), { base: base.value, source: fixture });
  assert.ok(split.ok, split.ok ? '' : split.error);
  const btf = split.value;
  assert.equal(btf.firstId, base.value.typeCount);
  assert.equal(btf.ownTypeCount, 8);
  const dev = btf.type(btf.findFirst('demo_device', Kind.Struct)!) as CompositeType;
  assert.ok(dev.id >= btf.firstId);
  const node = dev.members.find((m) => m.name === 'node')!;
  assert.ok(node.type < btf.firstId, 'list_head comes from the base');
  assert.equal(btf.name(node.type), 'list_head');
  assert.equal(btf.sizeOf(dev.id), 48);
  // Lookups see base types through the split BTF too.
  assert.equal(btf.findFirst('task_struct', Kind.Struct), base.value.findFirst('task_struct', Kind.Struct));
});

test('ebpf-ls btf dump --base matches bpftool -B on the split fixture', { skip: sharedSkip ?? cliSkip }, () => {
  const fixture = join(repoRoot, 'test/fixtures/split/module.btf');
  const r = runCli(['btf', 'dump', '--base', sharedXz('6.1.0-56-amd64'), '--btf', fixture]);
  assert.equal(r.status, 0, r.stderr);
  const expected = readFileSync(join(repoRoot, 'test/fixtures/split/module.bpftool.txt'), 'utf8');
  assert.equal(firstDifference(r.stdout, expected), undefined);
  const layout = runCli(['layout', 'demo_device', '--base', sharedXz('6.1.0-56-amd64'), '--btf', fixture, '--format', 'json']);
  assert.equal(layout.status, 0, layout.stderr);
  const json = JSON.parse(layout.stdout);
  assert.deepEqual(json.members.map((m: { name: string; bitSize: number | null }) => [m.name, m.bitSize]), [
    ['node', null], ['id', null], ['flags', 3], ['enabled', 1], ['name', null], ['parent', null],
  ]);
});

test('the bundled fallback kernel loads and describes Debian 6.12', () => {
  const r = loadBundledKernel();
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(r.value.btf.typeCount, 112769);
  assert.match(r.value.label, /6\.12\.117/);
});

test('the running kernel\'s own BTF skips the per-record checks the kernel already made, and would pass them', { skip: runningSkip }, async () => {
  const fast = await loadBtfFile(RUNNING_KERNEL_BTF);
  assert.ok(fast.ok);
  const bytes = readFileSync(RUNNING_KERNEL_BTF);
  const full = parseBtf(bytes, { source: 'copy' });
  assert.ok(full.ok, 'the full validation accepts it too');
  assert.equal(fast.value.typeCount, full.value.typeCount);
  // A copy elsewhere is not trusted: a corrupted copy is caught by the full checks.
  const bad = Uint8Array.from(bytes);
  new DataView(bad.buffer).setUint32(24 + new DataView(bad.buffer).getUint32(8, true) + 8, 0x7fffffff, true); // first type's type id
  assert.equal(parseBtf(bad, { source: 'copy' }).ok, false);
});
