// BCC recognised, in process, over the bundled kernel: BCC code gets one information per construct (bcc-*),
// each naming its libbpf form, with quick fixes where the rewrite is local; C extracted from a Python
// BPF(text=...) counts as BCC whatever it includes; libbpf code that merely looks alike stays silent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver-types';
import { DIAGNOSTIC_CODES } from '../../server/src/features/diagnostics/codes';
import { DiagnosticFix } from '../../server/src/features/diagnostics/rule';
import { LanguageService } from '../../server/src/features/language-service';
import { extractBccFromPython, pythonOffset } from '../../server/src/bcc/python';
import { diagnosticsInPython } from '../../server/src/bcc/python-diagnostics';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse, serviceFor } from '../support/service';

const fixtures = join(__dirname, '../fixtures/bcc');
let service: LanguageService;

before(async () => {
  service = await serviceFor();
});

const bcc = (ds: Diagnostic[]) => ds.filter((d) => String(d.code).startsWith('bcc-'));
const codes = (ds: Diagnostic[]) => bcc(ds).map((d) => String(d.code));

describe('BCC code', () => {
  test('a BCC program: every construct is an information naming its libbpf form', () => {
    const ds = bcc(service.diagnostics(parse(readFileSync(join(fixtures, 'hello.c'), 'utf8'))));
    const count = (code: string) => ds.filter((d) => d.code === code).length;
    assert.equal(count('bcc-kernel-header'), 2);
    assert.equal(count('bcc-table'), 5);
    assert.equal(count('bcc-probe'), 4);
    assert.equal(count('bcc-probe-read'), 1);
    assert.ok(count('bcc-table-method') >= 9);
    assert.ok(count('bcc-implicit-read') >= 2);
    assert.equal(count('bcc-tracepoint-args'), 1);
    for (const d of ds) {
      assert.equal(d.severity, DiagnosticSeverity.Information, `${d.code} is information`);
      assert.ok(String(d.code) in DIAGNOSTIC_CODES, `${d.code} is in the table`);
    }
    const msg = (code: string, part: string) => ds.find((d) => d.code === code && d.message.includes(part));
    assert.ok(msg('bcc-table', 'BPF_MAP_TYPE_HASH'), 'BPF_HASH names its BTF-defined map');
    assert.ok(msg('bcc-table', 'BPF_MAP_TYPE_PERF_EVENT_ARRAY'));
    assert.ok(msg('bcc-probe', 'SEC("kprobe/do_nanosleep") int BPF_KPROBE(kprobe__do_nanosleep, void *rqtp)'));
    assert.ok(msg('bcc-probe', 'SEC("kretprobe/do_nanosleep") int BPF_KRETPROBE(kretprobe__do_nanosleep)'));
    assert.ok(msg('bcc-probe', 'SEC("raw_tp/sched_wakeup")'));
    assert.ok(msg('bcc-implicit-read', 'BPF_CORE_READ(task, real_parent, tgid)'));
    assert.ok(msg('bcc-probe-read', 'bpf_probe_read_kernel()'));
    assert.ok(msg('bcc-table-method', 'bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &data, sizeof(data))'));
    assert.ok(msg('bcc-table-method', 'bpf_get_stackid(ctx, &stacks, 0)'));
  });

  test('quick fixes: local rewrites carry their replacement', () => {
    const ds = bcc(service.diagnostics(parse(readFileSync(join(fixtures, 'hello.c'), 'utf8'))));
    const fix = (code: string, part: string) => ds.map((d) => d.data as DiagnosticFix | undefined).find((f, i) => ds[i].code === code && f?.newText.includes(part));
    assert.equal(fix('bcc-implicit-read', 'BPF_CORE_READ(task')?.newText, 'BPF_CORE_READ(task, real_parent, tgid)');
    assert.equal(fix('bcc-table-method', 'bpf_map_lookup_elem')?.newText, 'bpf_map_lookup_elem(&start, &pid)');
    assert.match(fix('bcc-probe', 'BPF_KPROBE')?.newText ?? '', /^SEC\("kprobe\/do_nanosleep"\)\nint BPF_KPROBE\(kprobe__do_nanosleep, void \*rqtp\)\n$/);
    assert.equal(fix('bcc-probe-read', 'bpf_probe_read_kernel')?.newText, 'bpf_probe_read_kernel');
    assert.match(fix('bcc-table', 'BPF_MAP_TYPE_HASH')?.newText ?? '', /struct \{\n\t__uint\(type, BPF_MAP_TYPE_HASH\);/);
    assert.ok(fix('bcc-kernel-header', 'vmlinux.h'));
    // Helpers the converter writes (increment) are not local: no fix.
    const inc = ds.find((d) => d.code === 'bcc-table-method' && d.message.includes('dist.increment'));
    assert.equal(inc?.data, undefined);
  });

  test('C from a Python BPF(text=...) is BCC; diagnostics map back to the .py', () => {
    const py = readFileSync(join(fixtures, 'hello.py'), 'utf8');
    const extracted = extractBccFromPython(py);
    assert.equal(extracted.programs.length, 1);
    const prog = extracted.programs[0];
    assert.match(prog.text, /int trace_entry/);
    assert.match(prog.text, /int trace_return/, 'text appended with += is part of it');
    assert.deepEqual([...prog.placeholders.keys()], ['FILTER']);
    assert.deepEqual(prog.placeholders.get('FILTER'), [{ text: 'if (pid != %s) { return 0; }', params: ['args.pid'] }, { text: '', params: [] }]);
    assert.deepEqual(extracted.attaches.get('trace_entry'), [{ kind: 'kprobe', target: 'vfs_read' }, { kind: 'kprobe', target: 'vfs_readv' }]);
    assert.deepEqual(extracted.attaches.get('trace_return'), [{ kind: 'kretprobe', target: 'vfs_read' }]);
    const ds = bcc(service.diagnostics(parse(prog.text, 'file:///test/hello.py')));
    assert.ok(ds.some((d) => d.code === 'bcc-placeholder' && d.message.includes('FILTER')));
    const table = ds.find((d) => d.code === 'bcc-table')!;
    const cOffset = parse(prog.text).doc.offsetAt(table.range.start);
    const pyOffset = pythonOffset(prog, cOffset);
    assert.equal(py.slice(pyOffset, pyOffset + 'BPF_HASH(start'.length), 'BPF_HASH(start', 'the offset maps back into the Python file');
    // What the language server shows on the .py: the same diagnostics at their places in the Python.
    const pyDoc = TextDocument.create('file:///test/hello.py', 'python', 1, py);
    const onPy = diagnosticsInPython(pyDoc, prog, ds);
    assert.equal(onPy.length, ds.length);
    const at = (d: Diagnostic) => py.slice(pyDoc.offsetAt(d.range.start), pyDoc.offsetAt(d.range.end));
    assert.equal(at(onPy.find((d) => d.code === 'bcc-placeholder')!), 'FILTER');
    assert.equal(at(onPy.find((d) => d.code === 'bcc-probe' && d.message.includes('trace_return'))!), 'trace_return');
    const lookup = onPy.find((d) => d.code === 'bcc-table-method' && d.message.includes('lookup'))!;
    assert.equal(at(lookup), 'start.lookup(&pid)');
    const fix = lookup.data as DiagnosticFix;
    assert.equal(py.slice(pyDoc.offsetAt(fix.range.start), pyDoc.offsetAt(fix.range.end)), 'start.lookup(&pid)', 'the quick fix applies to the Python text');
  });
});

describe('libbpf code that looks like BCC stays silent', () => {
  test('its own BPF_PERCPU_ARRAY macro, a program named kprobe__x, bpf_probe_read()', () => {
    const ds = service.diagnostics(parse(readFileSync(join(fixtures, 'lookalike.bpf.c'), 'utf8')));
    assert.deepEqual(codes(ds), []);
  });

  test('a macro named like BCC\'s, defined in the file, is the file\'s own', () => {
    const src = '#define BPF_HASH(n, k, v) int n\nBPF_HASH(x, u32, u64);\nint kprobe__f(void *ctx) { return 0; }\n';
    assert.deepEqual(codes(service.diagnostics(parse(src))), []);
  });

  test('plain C with a function named kprobe__x and no kernel header is not BCC', () => {
    assert.deepEqual(codes(service.diagnostics(parse('int kprobe__f(void *ctx) { return 0; }\n'))), []);
  });

  test('comments and strings never make BCC', () => {
    const src = '#include "vmlinux.h"\n// BPF_HASH(start, u32);\nconst char *s = "BPF_PERF_OUTPUT(events)";\n';
    assert.deepEqual(codes(service.diagnostics(parse(src))), []);
  });
});
