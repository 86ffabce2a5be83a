// The BCC to libbpf converter in process, over the bundled kernel's BTF (Debian 6.12) with tracefs facts
// handed in as the edge would: maps with BCC's types, SEC() programs, tracepoint context structs by event
// class (softirq_entry's class is softirq), implicit reads, probe reads, placeholders as const volatile
// configuration, and the user-space loader. (Compiling and loading real BCC tools: test/cli/bcc-convert.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { convertBcc, ConvertResult } from '../../server/src/bcc/convert';
import { loaderSkeleton } from '../../server/src/bcc/loader-skeleton';
import { extractBccFromPython } from '../../server/src/bcc/python';
import { parseTracepointFormat, tracepointContext } from '../../server/src/bcc/tracepoints';
import { CParser } from '../../server/src/csource/parser';
import { readParserWasm } from '../../server/src/host/source-files';
import { bundledKernel } from '../support/service';

const fixtures = join(__dirname, '../fixtures/bcc');
let parser: CParser;

const SOFTIRQ_ENTRY = `name: softirq_entry
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:unsigned int vec;\toffset:8;\tsize:4;\tsigned:0;
`;
const SYS_ENTER_OPENAT = `format:
\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;
\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;
\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;
`;

before(async () => {
  parser = await CParser.create(readParserWasm());
});

function convert(source: string, opts: Partial<Parameters<typeof convertBcc>[3]> = {}): ConvertResult {
  const formats: Record<string, string> = { 'irq/softirq_entry': SOFTIRQ_ENTRY, 'syscalls/sys_enter_openat': SYS_ENTER_OPENAT };
  return convertBcc((t) => parser.parse(t), source, { btf: bundledKernel().btf, tracepointFormat: (c, n) => formats[`${c}/${n}`] }, { source: 'test.c', ...opts });
}

describe('tracepoint context structs', () => {
  test('the event class from BTF: softirq_entry is trace_event_raw_softirq', () => {
    const ctx = tracepointContext(bundledKernel().btf, 'irq', 'softirq_entry', parseTracepointFormat(SOFTIRQ_ENTRY));
    assert.deepEqual(ctx && ctx.struct, 'trace_event_raw_softirq');
  });
  test('an event that is its own class', () => {
    assert.equal(tracepointContext(bundledKernel().btf, 'sched', 'sched_switch', undefined)?.struct, 'trace_event_raw_sched_switch');
  });
  test('syscall events take trace_event_raw_sys_enter with the arguments in args[]', () => {
    const ctx = tracepointContext(bundledKernel().btf, 'syscalls', 'sys_enter_openat', parseTracepointFormat(SYS_ENTER_OPENAT));
    assert.equal(ctx?.kind, 'sys_enter');
    assert.deepEqual(ctx?.kind === 'sys_enter' && ctx.args.map((a) => `${a.type} ${a.name}`), ['int dfd', 'const char * filename']);
  });
});

describe('convert-bcc', () => {
  test('a BCC program becomes a libbpf CO-RE program', () => {
    const r = convert(readFileSync(join(fixtures, 'hello.c'), 'utf8'));
    const t = r.text;
    for (const want of [
      '#include "vmlinux.h"', '#include <bpf/bpf_core_read.h>',
      '__uint(type, BPF_MAP_TYPE_HASH);\n\t__uint(max_entries, 10240);\n\t__type(key, u32);\n\t__type(value, u64);\n} start SEC(".maps");',
      '__type(key, struct key_t);', '__uint(type, BPF_MAP_TYPE_ARRAY);\n\t__uint(max_entries, 64);\n\t__type(key, int);',
      '__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);', '__uint(type, BPF_MAP_TYPE_STACK_TRACE);',
      'SEC("kprobe/do_nanosleep")\nint BPF_KPROBE(kprobe__do_nanosleep, void *rqtp)', 'SEC("kretprobe/do_nanosleep")\nint BPF_KRETPROBE(kretprobe__do_nanosleep)',
      'SEC("tracepoint/irq/softirq_entry")\nint tracepoint__irq__softirq_entry(struct trace_event_raw_softirq *args)', 'u64 vec = BPF_CORE_READ(args, vec);',
      'SEC("raw_tp/sched_wakeup")\nint raw_tracepoint__sched_wakeup(struct bpf_raw_tracepoint_args *ctx)',
      'data.ppid = BPF_CORE_READ(task, real_parent, tgid);', 'u32 pid = BPF_CORE_READ(p, pid);', 'bpf_probe_read_kernel(&comm, sizeof(comm), p->comm);',
      'bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);', 'u64 *tsp = bpf_map_lookup_elem(&start, &pid);', 'bpf_map_delete_elem(&start, &pid);',
      'dist_increment(log2l(data.delta), 1);', 'counts_atomic_increment(key, 1);', '__sync_fetch_and_add(leaf, inc);',
      'int id = bpf_get_stackid(ctx, &stacks, 0);', 'bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &data, sizeof(data));',
      'static __always_inline u64 log2l(u64 v)', 'char LICENSE[] SEC("license") = "GPL";',
    ]) assert.ok(t.includes(want), `the output has ${JSON.stringify(want)}`);
    assert.doesNotMatch(t, /#include <linux|BPF_HASH\(|\.perf_submit\(|TRACEPOINT_PROBE/);
    assert.deepEqual(r.marks, [], 'nothing without a faithful translation here');
    assert.deepEqual(r.programs.map((p) => `${p.name} ${p.section}`), [
      'kprobe__do_nanosleep kprobe/do_nanosleep', 'kretprobe__do_nanosleep kretprobe/do_nanosleep', 'tracepoint__irq__softirq_entry tracepoint/irq/softirq_entry',
      'raw_tracepoint__sched_wakeup raw_tp/sched_wakeup',
    ]);
    assert.ok(r.notes.some((n) => /perf event array \(BPF_MAP_TYPE_PERF_EVENT_ARRAY\)/.test(n)), 'says which perf output it chose');
  });

  test('a syscall tracepoint reads its arguments from args[] with their types', () => {
    const r = convert('#include <linux/sched.h>\nBPF_HASH(h, u32);\nTRACEPOINT_PROBE(syscalls, sys_enter_openat) {\n  const char *f = args->filename;\n  bpf_probe_read_user_str(0, 0, f);\n  return 0;\n}\n');
    assert.match(r.text, /int tracepoint__syscalls__sys_enter_openat\(struct trace_event_raw_sys_enter \*args\)/);
    assert.match(r.text, /const char \*f = \(\(const char \*\)args->args\[1\]\);/);
  });

  test('a Python tool: its attach calls name the sections, its placeholder becomes const volatile configuration', () => {
    const py = extractBccFromPython(readFileSync(join(fixtures, 'hello.py'), 'utf8'));
    const prog = py.programs[0];
    const r = convert(prog.text, { attaches: py.attaches, placeholders: prog.placeholders });
    assert.match(r.text, /SEC\("kprobe\/vfs_read"\)\nint BPF_KPROBE\(trace_entry, struct file \*file\)/);
    assert.match(r.text, /BCC's Python also attaches trace_entry to vfs_readv/);
    assert.match(r.text, /SEC\("kretprobe\/vfs_read"\)\nint BPF_KRETPROBE\(trace_return\)/);
    assert.match(r.text, /const volatile bool bcc_filter_0 = false;/);
    assert.match(r.text, /const volatile long long bcc_filter_0_arg0 = 0;/);
    assert.match(r.text, /if \(bcc_filter_0\) \{ if \(pid != bcc_filter_0_arg0\) \{ return 0; \} \}/);
    assert.deepEqual(r.config.map((g) => g.name), ['bcc_filter_0', 'bcc_filter_0_arg0']);
    const loader = loaderSkeleton('hello', r);
    assert.match(loader, /obj = hello__open\(\);/);
    assert.match(loader, /obj->rodata->bcc_filter_0 = false;/);
    assert.match(loader, /bpf_program__attach_kprobe\(obj->progs.trace_entry, false, "vfs_readv"\)/);
  });

  test('a construct with no faithful translation keeps a marked comment at its place', () => {
    const r = convert('#include <linux/sched.h>\nBPF_HASH(h, u32);\nint kprobe__f(struct pt_regs *ctx) {\n  long v = 0;\n  bpf_usdt_readarg(1, ctx, &v);\n  return 0;\n}\n');
    assert.equal(r.marks.length, 1);
    assert.match(r.marks[0].message, /bpf_usdt_readarg\(\): USDT arguments/);
    assert.match(r.text.split('\n')[r.marks[0].line - 1], /TODO\(bcc\)/);
  });
});
