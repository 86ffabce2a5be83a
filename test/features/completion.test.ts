// Completion, in process over the bundled kernel's BTF (Debian 6.12): members after `->`/`.` and in
// BPF_CORE_READ arguments, SEC() names and their targets, map types, BPF_PROG argument lists, type
// names and helpers.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CompletionItem, CompletionItemKind } from 'vscode-languageserver-types';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TracefsEvents } from '../../server/src/features/service-context';
import { LanguageService } from '../../server/src/features/language-service';
import { completionEdit } from '../support/completion-edit';
import { at, serviceFor, sharedSkip } from '../support/service';

let service: LanguageService;

before(async () => {
  service = await serviceFor();
});

function items(source: string, svc = service): CompletionItem[] {
  const { file, pos } = at(source);
  return svc.complete(file, pos).items;
}

const labels = (source: string, svc = service) => items(source, svc).map((i) => i.label);

/** The source (without its `|`) after accepting the item labelled `label` as an editor does: its edit, which must exist. */
function accept(source: string, label: string, svc = service): { text: string; item: CompletionItem } {
  const { file, pos } = at(source);
  const list = svc.complete(file, pos);
  const item = list.items.find((i) => i.label === label);
  assert.ok(item, `no item ${label}`);
  const edit = completionEdit(list, item);
  assert.ok(edit, `${label}: no edit`);
  assert.deepEqual(edit.range.end, pos, `${label}: the edit ends at the cursor`);
  assert.equal(edit.range.start.line, pos.line, `${label}: the edit stays on the cursor's line`);
  return { text: TextDocument.applyEdits(file.doc, [edit]), item };
}

/** Labels in the order an editor shows them before filtering: by sortText, then label. */
const ranked = (got: CompletionItem[]) => [...got].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map((i) => i.label);

function includesAll(got: string[], want: string[], what: string): void {
  const missing = want.filter((w) => !got.includes(w));
  assert.deepEqual(missing, [], `${what}: missing ${missing.join(', ')} among ${got.length} items (first: ${got.slice(0, 8).join(', ')})`);
}

const program = (body: string) => `SEC("kprobe/do_unlinkat")
int handle(struct pt_regs *ctx)
{
\tstruct task_struct *task = (void *)bpf_get_current_task();
${body}
}
`;

describe('member completion', () => {
  test('after task->: the members of struct task_struct, in declaration order', () => {
    const got = items(program('\treturn task->|;'));
    includesAll(got.map((i) => i.label), ['pid', 'comm', 'tgid', 'real_parent', 'mm', '__state'], 'task->');
    assert.equal(got[0].label, 'thread_info', 'the first member first');
    assert.ok(got.every((i) => i.kind === CompletionItemKind.Field));
    const pid = got.find((i) => i.label === 'pid')!;
    assert.equal(pid.detail, 'pid_t');
    assert.equal(pid.documentation, 'offset 2432');
    const sorted = [...got].sort((a, b) => a.sortText!.localeCompare(b.sortText!));
    assert.deepEqual(sorted.map((i) => i.label), got.map((i) => i.label), 'sortText keeps declaration order');
  });

  test('after a typed prefix the list is the same (the client filters)', () => {
    includesAll(labels(program('\treturn task->co|;')), ['comm', 'pid'], 'task->co');
  });

  test('through a chain: task->real_parent->', () => {
    includesAll(labels(program('\treturn task->real_parent->|;')), ['pid', 'tgid', 'comm'], 'task->real_parent->');
  });

  test('after . on a struct member: task->se.', () => {
    includesAll(labels(program('\treturn task->se.|;')), ['vruntime', 'exec_start', 'sum_exec_runtime'], 'task->se.');
  });

  test('in BPF_CORE_READ(task, : the members of struct task_struct', () => {
    includesAll(labels(program('\treturn BPF_CORE_READ(task, |);')), ['real_parent', 'pid', 'comm'], 'BPF_CORE_READ(task, ');
  });

  test('in BPF_CORE_READ(task, mm, : the members of struct mm_struct', () => {
    const got = labels(program('\treturn BPF_CORE_READ(task, mm, |);'));
    includesAll(got, ['pgd', 'mmap_base', 'arg_start'], 'BPF_CORE_READ(task, mm, ');
    assert.ok(!got.includes('real_parent'), 'not task_struct members');
  });

  test('in an unclosed BPF_CORE_READ( while typing, at the end of a body', () => {
    includesAll(labels(program('\treturn BPF_CORE_READ(task, |')), ['real_parent'], 'unclosed BPF_CORE_READ');
  });

  test('in an unclosed BPF_CORE_READ( while typing, with statements after it', () => {
    includesAll(labels(program('\tint x = BPF_CORE_READ(task, |\n\treturn x;')), ['real_parent'], 'unclosed BPF_CORE_READ before a return');
  });

  test("the project's own struct: its members", () => {
    assert.deepEqual(labels('struct ev { int alpha; long beta; };\nint f(struct ev *e) { return e->|; }'), ['alpha', 'beta']);
  });

  test('after -> on something that is not a known type: nothing', () => {
    assert.deepEqual(labels('int f(void *p) { return unknown_thing->|; }'), []);
  });
});

describe('SEC() completion', () => {
  test('SEC("|"): section names with their program types', () => {
    const got = items('SEC("|")\nint handle(void *ctx) { return 0; }\n');
    includesAll(got.map((i) => i.label), ['kprobe/', 'ksyscall/', 'tp_btf/', 'fentry/', 'xdp', 'tracepoint/', 'lsm/'], 'SEC("');
    assert.equal(got.find((i) => i.label === 'xdp')?.detail, 'BPF_PROG_TYPE_XDP / BPF_XDP');
    assert.equal(got.find((i) => i.label === 'kprobe/')?.detail, 'BPF_PROG_TYPE_KPROBE');
  });

  test('SEC("kprobe/|") offers kernel functions, narrowed to what is typed: there are 50,000', () => {
    const { file, pos } = at('SEC("kprobe/|")\nint handle(void *ctx) { return 0; }\n');
    const first = service.complete(file, pos);
    assert.equal(first.isIncomplete, true, 'the editor asks again as typing goes on');
    assert.equal(first.items.length, 1000);
    assert.ok(!first.items[0].label.startsWith('_'), `names from a on first: ${first.items[0].label}`);
    includesAll(labels('SEC("kprobe/do_unl|")\n'), ['do_unlinkat'], 'kprobe/do_unl');
    includesAll(labels('SEC("kprobe/vfs_re|")\n'), ['vfs_read', 'vfs_readlink'], 'kprobe/vfs_re');
    includesAll(labels('SEC("kprobe/tcp_v4_con|")\n'), ['tcp_v4_connect'], 'kprobe/tcp_v4_con');
  });

  test('a long target list: prefix matches first, then names containing it, then its letters in order', () => {
    const { file, pos } = at('SEC("kprobe/do_unl|")\n');
    const list = service.complete(file, pos);
    assert.equal(list.isIncomplete, false, 'all matches fit');
    const got = list.items.map((i) => i.label);
    assert.equal(got[0], 'do_unlinkat');
    assert.ok(got.every((l) => /d.*o.*_.*u.*n.*l/i.test(l)), got.filter((l) => !/d.*o.*_.*u.*n.*l/i.test(l)).join(', '));
    const firstInside = got.findIndex((l) => !l.toLowerCase().startsWith('do_unl'));
    assert.ok(got.slice(firstInside).every((l) => !l.toLowerCase().startsWith('do_unl')), 'prefix matches are all before the others');
  });

  test('SEC("ksyscall/|") offers syscalls: openat, not their wrappers', () => {
    const got = labels('SEC("ksyscall/|")\nint handle(void *ctx) { return 0; }\n');
    includesAll(got, ['openat', 'execve', 'unlinkat'], 'ksyscall/');
    assert.ok(!got.includes('__x64_sys_openat'), 'the syscall, not its wrapper');
  });

  test('SEC("tp_btf/|") offers BTF tracepoints: sched_switch', () => {
    const got = labels('SEC("tp_btf/|")\nint handle(void *ctx) { return 0; }\n');
    includesAll(got, ['sched_switch', 'sched_process_exec'], 'tp_btf/');
    assert.ok(!got.some((l) => l.startsWith('btf_trace_')), 'without the typedef prefix');
  });

  test('SEC("fentry/|") offers kernel functions', () => {
    includesAll(labels('SEC("fentry/do_|")\n'), ['do_unlinkat'], 'fentry/do_');
  });

  test('SEC("lsm/|") offers LSM hooks', () => {
    includesAll(labels('SEC("lsm/|")\n'), ['file_open', 'bprm_check_security'], 'lsm/');
  });

  test('SEC("tracepoint/|") without tracefs: syscall tracepoints from BTF', () => {
    includesAll(labels('SEC("tracepoint/|")\n'), ['syscalls/sys_enter_openat', 'syscalls/sys_exit_openat'], 'tracepoint/');
  });

  test('SEC("tracepoint/|") with tracefs: its events', async () => {
    const tracefs: TracefsEvents = {
      kernel: 'running kernel',
      hasEvent: (c, n) => c === 'sched' && n === 'sched_switch',
      list: () => ['sched/sched_switch', 'syscalls/sys_enter_openat'],
    };
    const withTracefs = await serviceFor({ tracefs });
    assert.deepEqual(labels('SEC("tracepoint/|")\n', withTracefs), ['sched/sched_switch', 'syscalls/sys_enter_openat']);
  });

  test('an unknown prefix offers no targets: section names, of which none starts with it', () => {
    const got = items('SEC("kprobee/|")\n');
    assert.ok(got.every((i) => i.kind === CompletionItemKind.Keyword && !i.sortText!.startsWith('0')), got.slice(0, 3).map((i) => i.label).join(', '));
  });
});

describe('completions apply cleanly', () => {
  test('a tracepoint target replaces what was typed after the family: exactly SEC("tracepoint/syscalls/sys_enter_openat")', () => {
    const { text } = accept('SEC("tracepoint/syscalls/sys_enter_op|")\nint handle(void *ctx) { return 0; }\n', 'syscalls/sys_enter_openat');
    assert.equal(text.split('\n')[0], 'SEC("tracepoint/syscalls/sys_enter_openat")');
  });

  test('an unclosed SEC(" gets its closing quote and parenthesis from a target', () => {
    assert.equal(accept('SEC("tracepoint/syscalls/sys_enter_op|\nint handle(void *ctx) { return 0; }\n', 'syscalls/sys_enter_openat').text.split('\n')[0], 'SEC("tracepoint/syscalls/sys_enter_openat")');
    assert.equal(accept('SEC("kprobe/do_unl|', 'do_unlinkat').text, 'SEC("kprobe/do_unlinkat")');
    assert.equal(accept('SEC("xd|', 'xdp').text, 'SEC("xdp")');
  });

  test('a kernel function target replaces the typed part of its name', () => {
    assert.equal(accept('SEC("kprobe/do_unl|")', 'do_unlinkat').text, 'SEC("kprobe/do_unlinkat")');
    assert.equal(accept('SEC("fentry.s/vfs_re|")', 'vfs_read').text, 'SEC("fentry.s/vfs_read")');
  });

  test('a section name replaces everything typed in the string, keeping a leading ?', () => {
    assert.equal(accept('SEC("tracep|")', 'tracepoint/').text, 'SEC("tracepoint/")');
    assert.equal(accept('SEC("cgroup_skb/in|")', 'cgroup_skb/ingress').text, 'SEC("cgroup_skb/ingress")');
    assert.equal(accept('SEC("?kpro|")', 'kprobe/').text, 'SEC("?kprobe/")');
  });

  test("every section and target item carries an edit: its own or the list's range", () => {
    for (const source of ['SEC("|")', 'SEC("tracepoint/sys|")', 'SEC("tp_btf/sched_|")', 'SEC("lsm/file_|")', 'SEC("ksyscall/open|")']) {
      const { file, pos } = at(source);
      const list = service.complete(file, pos);
      assert.ok(list.items.length > 0, source);
      const without = list.items.filter((i) => !completionEdit(list, i));
      assert.deepEqual(without.map((i) => i.label).slice(0, 5), [], `${source}: items without an edit`);
    }
  });

  test('members replace the word typed after -> or in a field path, a.b', () => {
    assert.equal(accept(program('\treturn task->co|;'), 'comm').text, program('\treturn task->comm;'));
    assert.equal(accept(program('\treturn BPF_CORE_READ(task, se.vr|);'), 'vruntime').text, program('\treturn BPF_CORE_READ(task, se.vruntime);'));
    assert.equal(accept(program('\treturn task->se.|;'), 'vruntime').text, program('\treturn task->se.vruntime;'));
  });

  test('a BPF_PROG argument list replaces what was typed since the comma', () => {
    assert.equal(accept('SEC("fentry/do_unlinkat")\nint BPF_PROG(handle, in|', 'int dfd, struct filename *name').text, 'SEC("fentry/do_unlinkat")\nint BPF_PROG(handle, int dfd, struct filename *name');
    assert.equal(accept('SEC("fentry/do_unlinkat")\nint BPF_PROG(handle, |)', 'int dfd, struct filename *name').text, 'SEC("fentry/do_unlinkat")\nint BPF_PROG(handle, int dfd, struct filename *name)');
  });

  test('past the start of the argument list, other completions answer: struct names', () => {
    const got = labels('SEC("fentry/do_unlinkat")\nint BPF_PROG(handle, int dfd, struct task_|');
    includesAll(got, ['task_struct'], 'struct names once the argument list no longer matches');
    assert.ok(!got.includes('int dfd, struct filename *name'));
    assert.deepEqual(labels('SEC("fentry/do_unlinkat")\nint BPF_PROG(handle, int dfd, struct filen|'), ['int dfd, struct filename *name'], 'still the list while it matches');
  });
});

describe('SEC() completion ranking', () => {
  test('each section once: with the slash when it takes a target, without when it does not', () => {
    const got = labels('SEC("|")');
    assert.equal(new Set(got).size, got.length, 'no duplicates');
    for (const bare of ['kprobe', 'tracepoint', 'tp_btf', 'fentry', 'lsm', 'uprobe']) assert.ok(!got.includes(bare), `${bare} only as ${bare}/`);
    includesAll(got, ['kprobe/', 'tracepoint/', 'xdp', 'tc/ingress', 'cgroup_skb/ingress', 'socket'], 'SEC("');
  });

  test('nothing typed: the sections people write most come first', () => {
    assert.deepEqual(ranked(items('SEC("|")')).slice(0, 6), ['kprobe/', 'kretprobe/', 'tracepoint/', 'tp_btf/', 'fentry/', 'fexit/']);
  });

  test('what was typed ranks: prefix matches first', () => {
    assert.equal(ranked(items('SEC("tracep|")'))[0], 'tracepoint/');
    assert.equal(ranked(items('SEC("x|")'))[0], 'xdp');
    const lsm = ranked(items('SEC("ls|")'));
    assert.deepEqual(lsm.slice(0, 3), ['lsm/', 'lsm.s/', 'lsm_cgroup/']);
    const sk = ranked(items('SEC("sk|")'));
    assert.ok(sk.slice(0, sk.filter((l) => l.startsWith('sk')).length).every((l) => l.startsWith('sk')), sk.slice(0, 10).join(', '));
  });

  test('accepting a section that takes a target goes on to its targets', () => {
    const { text, item } = accept('SEC("tracep|")', 'tracepoint/');
    assert.equal(text, 'SEC("tracepoint/")');
    assert.deepEqual(item.command, { title: 'Complete the target', command: 'editor.action.triggerSuggest' });
    includesAll(labels('SEC("tracepoint/|")'), ['syscalls/sys_enter_openat'], 'after accepting tracepoint/');
    assert.equal(accept('SEC("xd|")', 'xdp').item.command, undefined, 'xdp takes no target');
    assert.equal(accept('SEC("uprob|")', 'uprobe/').item.command, undefined, 'uprobe targets are binaries: nothing to suggest');
  });
});

describe('other completions', () => {
  test('__uint(type, |) offers the kernel map types', () => {
    const got = labels('struct {\n\t__uint(type, |);\n} m SEC(".maps");\n');
    includesAll(got, ['BPF_MAP_TYPE_HASH', 'BPF_MAP_TYPE_RINGBUF', 'BPF_MAP_TYPE_ARENA'], 'map type');
    assert.ok(!got.includes('__MAX_BPF_MAP_TYPE'));
  });

  test('__uint(map_flags, |) offers BPF_F_ flags', () => {
    includesAll(labels('struct {\n\t__uint(map_flags, |);\n} m SEC(".maps");\n'), ['BPF_F_NO_PREALLOC'], 'map flags');
  });

  test('BPF_PROG(name, |) offers the tracepoint arguments', () => {
    const got = labels('SEC("tp_btf/sched_switch")\nint BPF_PROG(handle, |');
    assert.equal(got.length, 1, got.join(' | '));
    assert.match(got[0], /^bool \w+, struct task_struct \*\w+, struct task_struct \*\w+, unsigned int \w+$/);
  });

  test('BPF_PROG(name, |) offers a kernel function prototype', () => {
    const got = labels('SEC("fentry/do_unlinkat")\nint BPF_PROG(handle, |');
    assert.deepEqual(got, ['int dfd, struct filename *name']);
  });

  test('struct |: kernel struct names, and the project\'s own first', () => {
    const got = items('struct ev { int a; };\nstruct task_|');
    assert.equal(got[0].label, 'ev');
    assert.equal(got[0].detail, 'this project');
    includesAll(got.map((i) => i.label), ['task_struct', 'mm_struct', 'sk_buff'], 'struct ');
    assert.equal(new Set(got.map((i) => i.label)).size, got.length, 'no duplicates');
  });

  test('enum |: kernel enum names', () => {
    includesAll(labels('enum bpf_map_|'), ['bpf_map_type'], 'enum ');
  });

  test('bpf_ offers the helpers with their signatures', (t) => {
    if (service.context.helpers.size === 0) return t.skip('bpf/bpf_helper_defs.h is not installed (libbpf-dev)');
    const got = items('int f(void) { bpf_map_lo|');
    const lookup = got.find((i) => i.label === 'bpf_map_lookup_elem');
    assert.ok(lookup, 'bpf_map_lookup_elem offered');
    assert.equal(lookup.detail, 'void *bpf_map_lookup_elem(void *map, const void *key)');
    assert.ok(got.length > 100, `${got.length} helpers`);
  });

  test('a plain identifier offers nothing', () => {
    assert.deepEqual(labels('int f(void) { return fo|; }'), []);
  });

  describe('against the shared kernels', { skip: sharedSkip }, () => {
    test('BPF_PROG(name, |) offers one list per distinct prototype, naming its kernels', async () => {
      const all = await serviceFor({ targets: 'all' });
      const got = items('SEC("fentry/vfs_unlink")\nint BPF_PROG(handle, |', all);
      assert.equal(got.length, 2, got.map((i) => `${i.label} (${i.detail})`).join('\n'));
      const old = got.find((i) => i.label.startsWith('struct user_namespace *'));
      const now = got.find((i) => i.label.startsWith('struct mnt_idmap *'));
      assert.ok(old && now, got.map((i) => i.label).join('\n'));
      assert.match(old.detail!, /6\.1\.0-56-amd64$/);
      assert.ok(now.detail!.includes('6.18.44-fc-v669'), now.detail);
    });
  });
});
