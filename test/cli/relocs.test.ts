// `ebpf-ls relocs`: CO-RE relocations of an object compiled here with clang, resolved against the three
// shared kernels and the running one, checked relocation by relocation against what bpftool
// (gen min_core_btf) and libbpf itself (its `patched insn` debug lines) compute.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STT_FUNC, parseElf } from '../../server/src/elf/elf';
import { cliSkip, runCli } from '../support/cli';
import { RUNNING_KERNEL_BTF, SHARED_KERNELS, haveTool, repoRoot, sharedRaw, sharedSkip } from '../support/kernels';

interface Resolution { kernel: string; resolved: boolean; poisoned: boolean; value?: number | string; target?: { bitOffset: number; spec: string }; error?: string }
interface Report { section: string; index: number; insnOffset: number; kind: string; spec: string; access: string; source?: { file: string; line: number; text: string }; targets: Resolution[] }

const fixtures = join(repoRoot, 'test/fixtures/relocs');
const missing = ['clang-19', 'bpftool', 'gcc'].find((t) => !haveTool(t));
const skip = cliSkip ?? sharedSkip ?? (missing ? `${missing} is not installed (scripts/setup installs it)` : undefined);
const rootSkip = process.getuid?.() === 0 ? undefined : 'libbpf only relocates an object while loading it, which needs root here';

describe('relocs: CO-RE relocations of a compiled object', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'ebpf-relocs-'));
  const obj = join(work, 'core.bpf.o');
  const kernels: { label: string; path: string }[] = [];
  let reports: Report[] = [];

  before(() => {
    for (const k of SHARED_KERNELS) kernels.push({ label: k, path: sharedRaw(k) });
    if (existsSync(RUNNING_KERNEL_BTF)) kernels.push({ label: 'running kernel', path: RUNNING_KERNEL_BTF });
    writeFileSync(join(work, 'vmlinux.h'), execFileSync('bpftool', ['btf', 'dump', 'file', sharedRaw('6.18.44-fc-v669'), 'format', 'c'], { maxBuffer: 1 << 28 }));
    execFileSync('clang-19', ['-g', '-O2', '-target', 'bpf', '-D__TARGET_ARCH_x86', `-I${work}`, '-I/usr/include/x86_64-linux-gnu', '-c', join(fixtures, 'core.bpf.c'), '-o', obj]);
    const r = runCli(['relocs', obj, ...kernels.flatMap((k) => ['--btf', k.path]), '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    reports = JSON.parse(r.stdout);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const on = (r: Report, kernel: string) => r.targets.find((t) => t.kernel === kernel)!;
  const find = (kind: string, access: string) => {
    const r = reports.find((x) => x.kind === kind && x.access === access);
    assert.ok(r, `a ${kind} relocation of ${access}`);
    return r;
  };

  test('every relocation kind, numbered per section, with its source line', () => {
    assert.equal(reports.length, 33);
    assert.deepEqual(new Set(reports.map((r) => r.kind)), new Set([
      'byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id', 'target_type_id',
      'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches',
    ]));
    assert.deepEqual(reports.map((r) => r.index), reports.map((_, i) => i));
    assert.equal(reports[0].section, 'tracepoint/syscalls/sys_enter_openat');
    assert.equal(reports[0].access, 'struct task_struct.real_parent');
    const source = readFileSync(join(fixtures, 'core.bpf.c'), 'utf8').split('\n');
    for (const r of reports) {
      assert.ok(r.source, `relo #${r.index} has a source line`);
      assert.equal(r.source.text.trim(), source[r.source.line - 1].trim(), `relo #${r.index}: line_info text is the file's line ${r.source.line}`);
      const needle = r.access.replace(/^(struct|enum|union) /, '').split(/[.:[]+/).filter(Boolean).pop()!.replace(/___\w+$/, '');
      assert.ok(r.source.text.includes(needle), `relo #${r.index} (${r.access}) maps to a line naming ${needle}: ${r.source.text.trim()}`);
    }
  });

  test('the known differences between the kernels', () => {
    const k61 = '6.1.0-56-amd64', k612 = '6.12.117+deb12-amd64', k618 = '6.18.44-fc-v669';
    const state = find('byte_off', 'struct task_struct___old.state');
    for (const k of [k61, k612, k618]) assert.equal(on(state, k).poisoned, true, `task_struct.state is gone in ${k}`);
    for (const k of [k61, k612, k618]) assert.equal(on(find('byte_off', 'struct task_struct.__state'), k).value, 24);
    const inet = find('byte_off', 'struct inet_sock.inet_flags');
    assert.equal(on(inet, k61).poisoned, true);
    assert.equal(on(inet, k612).resolved && on(inet, k618).resolved, true);
    const queued = find('byte_off', 'struct cfs_rq___new.nr_queued');
    assert.deepEqual([k61, k612, k618].map((k) => on(queued, k).resolved), [false, false, true]);
    const running = find('byte_off', 'struct cfs_rq___old.nr_running');
    assert.deepEqual([k61, k612, k618].map((k) => on(running, k).resolved), [true, true, false]);
    const ctime = find('field_exists', 'struct inode___old.i_ctime');
    assert.deepEqual([k61, k612, k618].map((k) => on(ctime, k).value), [1, 0, 0]);
    const fref = find('byte_sz', 'struct file.f_ref');
    assert.deepEqual([k61, k612, k618].map((k) => on(fref, k).value ?? 'poisoned'), ['poisoned', 'poisoned', 8]);
    assert.equal(on(find('type_size', 'struct task_struct'), k618).value, 3264);
    assert.equal(on(find('byte_off', 'struct mm_struct.pgd'), k618).target?.spec.split(':').length, 3, 'pgd is reached through an anonymous struct');
  });

  test('resolution and offsets agree with bpftool gen min_core_btf, relocation by relocation', () => {
    for (const k of kernels) {
      const out = spawnSync('bpftool', ['-d', 'gen', 'min_core_btf', k.path, join(work, 'min.btf'), obj], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const theirs = new Map<string, { matched: boolean; offset?: number }>();
      const re = /prog '([^']+)': relo #(\d+): (?:matching candidate #\d+ [^\n]*?(?:\(\S+ @ offset (\d+)(?:\.(\d+))?\))?$|(no matching targets found))/gm;
      for (const m of out.stdout.concat(out.stderr).matchAll(re)) {
        const key = `${m[1]}#${m[2]}`;
        if (m[5]) theirs.set(key, { matched: false });
        else if (!theirs.has(key)) theirs.set(key, { matched: true, offset: m[3] === undefined ? undefined : Number(m[3]) * 8 + Number(m[4] ?? 0) });
      }
      // The local spec line names the kind as libbpf does: `relo #0: <byte_off> [5] struct task_struct...`.
      const kinds = new Map([...out.stdout.concat(out.stderr).matchAll(/prog '([^']+)': relo #(\d+): <(\w+)> \[/g)].map((m) => [`${m[1]}#${m[2]}`, m[3]]));
      for (const r of reports) assert.equal(r.kind, kinds.get(`${r.section}#${r.index}`), `relo #${r.index}: libbpf's name of the kind`);
      let compared = 0;
      let offsets = 0;
      for (const r of reports) {
        if (r.kind === 'local_type_id') continue; // libbpf resolves it without looking at the target
        const t = theirs.get(`${r.section}#${r.index}`);
        assert.ok(t, `${k.label}: bpftool reports relo #${r.index}`);
        const ours = on(r, k.label === 'running kernel' ? 'running kernel' : k.label);
        assert.equal(ours.resolved, t.matched, `${k.label} relo #${r.index} ${r.access}: resolved`);
        if (t.offset !== undefined) {
          assert.ok(r.kind !== 'type_exists' && r.kind !== 'type_size', 'field and enum relocations carry offsets');
          assert.equal(ours.target?.bitOffset, t.offset, `${k.label} relo #${r.index} ${r.access}: offset`);
          offsets++;
        }
        compared++;
      }
      assert.equal(compared, reports.length - 1);
      assert.ok(offsets >= 15, `${k.label}: ${offsets} offsets compared`);
    }
  });

  test('patched values agree with what libbpf patches when it loads the object for each kernel', { skip: rootSkip }, () => {
    const helper = join(work, 'libbpf-patches');
    execFileSync('gcc', ['-O1', '-o', helper, join(fixtures, 'libbpf-patches.c'), '-lbpf']);
    const elf = parseElf(readFileSync(obj), obj);
    assert.ok(elf.ok);
    const sectionOfProg = new Map(elf.value.symbols().filter((s) => s.type === STT_FUNC).map((s) => [s.name, elf.value.sections[s.shndx].name]));
    for (const k of kernels) {
      const out = execFileSync(helper, [obj, k.path], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const seen = new Set<number>();
      for (const m of out.matchAll(/prog '([^']+)': relo #(\d+): (?:patched insn #(\d+) \([^)]*\) (?:imm|off|imm64) (\d+) -> (\d+)|substituting insn #(\d+) w\/ invalid insn)/g)) {
        const section = sectionOfProg.get(m[1]);
        const r = reports.find((x) => x.section === section && x.index === Number(m[2]));
        assert.ok(r, `${k.label}: our report has ${m[1]} relo #${m[2]}`);
        const ours = on(r, k.label);
        const where = `${k.label} relo #${r.index} ${r.kind} ${r.access}`;
        if (m[6] !== undefined) {
          assert.equal(ours.poisoned, true, `${where}: libbpf poisons it`);
          assert.equal(Number(m[6]), r.insnOffset / 8);
        } else {
          assert.equal(ours.poisoned, false, `${where}: libbpf patches it`);
          assert.equal(Number(m[3]), r.insnOffset / 8);
          // Type ids of a kernel's BTF are the only values that may legitimately be 64-bit here.
          assert.equal(String(ours.value), m[5], `${where}: value`);
        }
        seen.add(r.index);
      }
      assert.equal(seen.size, reports.length, `${k.label}: libbpf patched every relocation (${out.split('\n').filter((l) => /relo #/.test(l)).slice(-3).join(' | ')})`);
    }
  });

  test('bad input: truncated object, non-BPF ELF, lying .BTF.ext, missing BTF: one line, exit 2', () => {
    const bytes = readFileSync(obj);
    const truncated = join(work, 'truncated.bpf.o');
    writeFileSync(truncated, bytes.subarray(0, 4096));
    const notBpf = join(work, 'true.o');
    copyFileSync(process.execPath, notBpf);
    const lying = join(work, 'lying.bpf.o');
    const elf = parseElf(bytes, obj);
    assert.ok(elf.ok);
    const ext = elf.value.section('.BTF.ext')!;
    const copy = Buffer.from(bytes);
    copy.writeUInt32LE(0x7fffff00, ext.offset + 28); // core_relo_len far past the section
    writeFileSync(lying, copy);
    const cases: [string[], RegExp][] = [
      [['relocs', truncated], /truncated\.bpf\.o: invalid ELF file: .*truncated\?/],
      [['relocs', notBpf], /true\.o: not a BPF object \(ELF machine 62, expected 247\)/],
      [['relocs', lying], /lying\.bpf\.o: invalid \.BTF\.ext: core_info \(offset \d+, length 2147483392\) runs past the end/],
      [['relocs', obj, '--btf', join(work, 'nope.btf')], /nope\.btf: cannot read BTF: no such file/],
      [['relocs', join(work, 'nope.o')], /nope\.o: cannot read BPF object: no such file/],
    ];
    for (const [args, re] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});
