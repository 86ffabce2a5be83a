// Document symbols (programs with their SEC(), maps, globals) and workspace symbols (kernel types of the
// bundled kernel's BTF, Debian 6.12), in process.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DocumentSymbol, SymbolKind } from 'vscode-languageserver-types';
import { LanguageService } from '../../server/src/features/language-service';
import { parse, serviceFor } from '../support/service';

let service: LanguageService;
let label: string;

before(async () => {
  service = await serviceFor();
  label = service.context.kernels.described.label;
});

const SOURCE = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
\t__uint(type, BPF_MAP_TYPE_HASH);
\t__uint(max_entries, 8);
\t__type(key, u32);
\t__type(value, u64);
} counts SEC(".maps");

struct {
\t__uint(type, BPF_MAP_TYPE_RINGBUF);
\t__uint(max_entries, 1 << 20);
} events SEC(".maps");

const volatile int target_pid = 0;

static __always_inline int bump(u32 key)
{
\treturn key + 1;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
\treturn bump(prev->pid);
}

SEC("kprobe/do_unlinkat")
/* the program's doc comment */
int on_unlink(struct pt_regs *ctx)
{
\treturn 0;
}
`;

describe('document symbols', () => {
  let symbols: DocumentSymbol[];
  const byName = (name: string) => {
    const s = symbols.find((x) => x.name === name);
    assert.ok(s, `no symbol ${name} among ${symbols.map((x) => x.name).join(', ')}`);
    return s;
  };
  before(() => {
    symbols = service.documentSymbols(parse(SOURCE));
  });

  test('programs with their SEC(), helpers as functions', () => {
    const programs = symbols.filter((s) => s.kind === SymbolKind.Function).map((s) => [s.name, s.detail]);
    assert.deepEqual(programs, [
      ['bump', 'function'],
      ['on_switch', 'SEC("tp_btf/sched_switch")'],
      ['on_unlink', 'SEC("kprobe/do_unlinkat")'],
    ]);
  });

  test('a BPF_PROG program is named by its first argument, selected there', () => {
    const s = byName('on_switch');
    const line = SOURCE.split('\n').findIndex((l) => l.startsWith('int BPF_PROG(on_switch'));
    assert.deepEqual(s.selectionRange, { start: { line, character: 13 }, end: { line, character: 22 } });
    assert.equal(s.range.start.line, line, 'the whole function');
    assert.equal(s.range.end.line, line + 3);
  });

  test('maps with their type', () => {
    assert.equal(byName('counts').detail, 'BPF_MAP_TYPE_HASH');
    assert.equal(byName('counts').kind, SymbolKind.Variable);
    assert.equal(byName('events').detail, 'BPF_MAP_TYPE_RINGBUF');
    const line = SOURCE.split('\n').findIndex((l) => l.startsWith('} counts'));
    assert.deepEqual(byName('counts').selectionRange.start, { line, character: 2 });
  });

  test('globals with their type', () => {
    assert.equal(byName('target_pid').detail, 'const int');
    assert.equal(byName('LICENSE').detail, 'char');
  });

  test('nothing else: every symbol once', () => {
    assert.deepEqual(symbols.map((s) => s.name).sort(), ['LICENSE', 'bump', 'counts', 'events', 'on_switch', 'on_unlink', 'target_pid']);
  });

  test('ranges contain their selection ranges', () => {
    const before = (a: { line: number; character: number }, b: typeof a) => a.line < b.line || (a.line === b.line && a.character <= b.character);
    for (const s of symbols) {
      assert.ok(before(s.range.start, s.selectionRange.start) && before(s.selectionRange.end, s.range.end), `${s.name}: ${JSON.stringify(s.range)} vs ${JSON.stringify(s.selectionRange)}`);
    }
  });

  test('an empty file has none', () => {
    assert.deepEqual(service.documentSymbols(parse('')), []);
  });
});

describe('workspace symbols', () => {
  test('task_str finds struct task_struct, located in its kernel view', () => {
    const found = service.workspaceSymbols('task_str');
    const ts = found.find((s) => s.name === 'task_struct');
    assert.ok(ts, found.map((s) => s.name).join(', '));
    assert.equal(ts.kind, SymbolKind.Struct);
    assert.equal(ts.location.uri, 'ebpf-btf:/6.12%20(bundled)/struct%20task_struct.h');
    assert.equal(ts.containerName, `struct in ${label}`);
    assert.ok(found.every((s) => s.name.toLowerCase().includes('task_str')));
  });

  test('the type asked for comes first, then names that start with it, each name once, however many contain it', () => {
    const found = service.workspaceSymbols('page');
    assert.equal(found.length, 200, 'more names contain "page" than the cap');
    assert.deepEqual([found[0].name, found[0].containerName], ['page', `struct in ${label}`]);
    const starts = found.findIndex((s) => !s.name.toLowerCase().startsWith('page'));
    assert.ok(starts > 1 && found.slice(starts).every((s) => !s.name.toLowerCase().startsWith('page')), 'prefixes before other matches');
    assert.equal(new Set(found.map((s) => `${s.containerName} ${s.name}`)).size, found.length);
  });

  test('matching ignores case', () => {
    assert.ok(service.workspaceSymbols('TASK_STRUCT').some((s) => s.name === 'task_struct'));
  });

  test('enums and typedefs too', () => {
    const e = service.workspaceSymbols('bpf_map_type').find((s) => s.name === 'bpf_map_type');
    assert.equal(e?.kind, SymbolKind.Enum);
    assert.equal(e?.location.uri, 'ebpf-btf:/6.12%20(bundled)/enum%20bpf_map_type.h');
    const t = service.workspaceSymbols('pid_t').find((s) => s.name === 'pid_t');
    assert.equal(t?.kind, SymbolKind.TypeParameter);
    assert.equal(t?.location.uri, 'ebpf-btf:/6.12%20(bundled)/typedef%20pid_t.h');
  });

  test('every location opens a view', () => {
    for (const s of service.workspaceSymbols('sched_')) assert.ok(service.kernelTypeView(s.location.uri), s.location.uri);
  });

  test("the open files' programs and maps, first, located in their file", () => {
    const file = parse(SOURCE, 'file:///work/project/src/prog.bpf.c');
    const found = service.workspaceSymbols('on_', [file]);
    assert.deepEqual(found.slice(0, 2).map((s) => [s.name, s.kind, s.containerName]), [
      ['on_switch', SymbolKind.Function, 'SEC("tp_btf/sched_switch") in prog.bpf.c'],
      ['on_unlink', SymbolKind.Function, 'SEC("kprobe/do_unlinkat") in prog.bpf.c'],
    ]);
    const onSwitch = found[0];
    assert.equal(onSwitch.location.uri, 'file:///work/project/src/prog.bpf.c');
    const line = SOURCE.split('\n').findIndex((l) => l.startsWith('int BPF_PROG(on_switch'));
    assert.deepEqual(onSwitch.location.range, { start: { line, character: 13 }, end: { line, character: 22 } });
    const events = service.workspaceSymbols('EVENTS', [file]).find((s) => s.name === 'events');
    assert.equal(events?.kind, SymbolKind.Variable);
    assert.equal(events?.containerName, 'BPF_MAP_TYPE_RINGBUF in prog.bpf.c');
    assert.ok(!service.workspaceSymbols('bump', [file]).some((s) => s.name === 'bump'), 'functions without a section are not programs');
  });

  test('an empty query lists the open files\' programs and maps only', () => {
    const got = service.workspaceSymbols('', [parse(SOURCE)]).map((s) => s.name);
    assert.deepEqual(got.sort(), ['counts', 'events', 'on_switch', 'on_unlink']);
  });

  test('container names carry no internal paths', () => {
    const file = parse(SOURCE, 'file:///work/project/src/prog.bpf.c');
    for (const s of [...service.workspaceSymbols('task', [file]), ...service.workspaceSymbols('on_', [file])]) {
      assert.ok(!/\/work\/|\/src\/|ebpf-btf|file:|\/\d+\/|\.h\b/.test(s.containerName ?? ''), `${s.name}: ${s.containerName}`);
    }
  });

  test('a broad query is capped; an empty one or a miss finds nothing', () => {
    const broad = service.workspaceSymbols('a');
    assert.equal(broad.length, 200);
    assert.deepEqual(service.workspaceSymbols(''), []);
    assert.deepEqual(service.workspaceSymbols('no_such_type_xyz'), []);
  });
});
