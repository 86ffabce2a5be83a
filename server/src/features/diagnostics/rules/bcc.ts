// BCC code, told apart from libbpf code (bcc/analyse.ts isBccSource: C from a Python BPF(text=...), or C that
// uses BCC's macros without defining them, includes no libbpf header and declares no SEC()), gets one
// information per BCC construct, naming its libbpf form, with a quick fix where the rewrite is local. The
// forms come from the converter's own pieces, so the diagnostics and `ebpf-ls convert-bcc` agree.
import { Range } from 'vscode-languageserver-types';
import { isBccSource, isContextParam } from '../../../bcc/analyse';
import { applyEdits } from '../../../bcc/convert';
import { Edit, mapDefinition, methodEdits } from '../../../bcc/convert-maps';
import { argsEdit, probeEdits, sectionOf } from '../../../bcc/convert-probes';
import type { BccProgram } from '../../../bcc/model';
import { implicitReads } from '../../../bcc/reads';
import { tracepointContext } from '../../../bcc/tracepoints';
import { DiagnosticCode } from '../codes';
import { Finding, Rule, RuleInput } from '../rule';
import { bccProgramOf, isLibbpfCode } from '../../bpf-source';

const LIBBPF_HEADERS = '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n#include <bpf/bpf_tracing.h>\n#include <bpf/bpf_core_read.h>';

export const bccRule: Rule = {
  name: 'bcc',
  codes: ['bcc-table', 'bcc-table-method', 'bcc-probe', 'bcc-tracepoint-args', 'bcc-implicit-read', 'bcc-probe-read', 'bcc-kernel-header', 'bcc-placeholder'],
  check(input, report) {
    const { tree, doc, model } = input.file;
    // libbpf code is never BCC: answered from the model before any BCC reading.
    if (isLibbpfCode(model)) return;
    const text = doc.getText();
    const program = bccProgramOf(input.file);
    // C from a Python file (a .py, or an untitled Python buffer, whose C document says 'python') is BCC.
    if (!isBccSource(tree, text, program, doc.uri.endsWith('.py') || doc.languageId === 'python')) return;
    const fix: Fix = (code, start, end, message, title, newText, replaced = { start, end }) => ({
      code, start, end, message,
      fix: title && newText !== undefined ? { title, range: Range.create(doc.positionAt(replaced.start), doc.positionAt(replaced.end)), newText } : undefined,
    });
    headers(program, fix, report);
    tables(program, text, fix, report);
    probes(input, program, text, fix, report);
    reads(input, program, text, fix, report);
    for (const r of program.probeReads) {
      const to = r.callee === 'bpf_probe_read_str' ? `bpf_probe_read_${r.variant}_str` : `bpf_probe_read_${r.variant}`;
      report(fix('bcc-probe-read', r.calleeSpan.start, r.calleeSpan.end, `${r.callee}() reads kernel or user memory as the architecture decides; libbpf names which: ${to}() here (${r.variant} memory)`, `Use ${to}()`, to));
    }
    for (const p of program.placeholders) {
      report(fix('bcc-placeholder', p.span.start, p.span.end, `${p.name} is substituted by BCC's Python before compiling; with libbpf it is configuration: a \`const volatile\` global that user space sets through the skeleton before loading`));
    }
  },
};

/** A finding at start..end; its fix, when given, replaces `replaced` (the finding's own span by default). */
type Fix = (code: DiagnosticCode, start: number, end: number, message: string, title?: string, newText?: string, replaced?: { start: number; end: number }) => Finding;
type Report = (f: Finding) => void;

function headers(program: BccProgram, fix: Fix, report: Report): void {
  program.includes.forEach((inc, i) => {
    const message = `<${inc.path}> is a kernel header BCC compiles against on the target; libbpf programs include vmlinux.h (every kernel type, from BTF) and libbpf's bpf_helpers.h, bpf_tracing.h and bpf_core_read.h`;
    report(i === 0 ? fix('bcc-kernel-header', inc.span.start, inc.span.end, message, 'Include vmlinux.h and libbpf\'s headers', LIBBPF_HEADERS)
      : fix('bcc-kernel-header', inc.span.start, inc.span.end, message, 'Remove (vmlinux.h has it)', ''));
  });
}

function tables(program: BccProgram, text: string, fix: Fix, report: Report): void {
  for (const t of program.tables) {
    const methods = new Set(program.methodCalls.filter((c) => c.table === t.name).map((c) => c.method));
    const def = mapDefinition(t, new Set());
    const oneLine = def.text.replace(/\n\t?/g, ' ');
    const local = !methods.has('increment') && !methods.has('atomic_increment') && !methods.has('lookup_or_try_init') && !methods.has('lookup_or_init');
    report(fix('bcc-table', t.span.start, t.span.end, `BCC table ${t.macro}(${t.name}): libbpf declares it as a BTF-defined map: ${oneLine}`,
      'Declare as a BTF-defined map', local ? mapDefinition(t, methods).text : undefined));
  }
  for (const call of program.methodCalls) {
    const r = methodEdits(call, text);
    const rewritten = applyEdits(text.slice(call.span.start, call.span.end), shift(r.edits, call.span.start));
    const helperMade = /^(increment|atomic_increment|lookup_or_try_init|lookup_or_init)$/.test(call.method);
    const message = helperMade
      ? `${call.table}.${call.method}() is BCC's: libbpf has bpf_map_lookup_elem() and bpf_map_update_elem(); convert-bcc writes ${call.table}_${call.method === 'lookup_or_init' ? 'lookup_or_try_init' : call.method}() with BCC's semantics`
      : `${call.table}.${call.method}() is BCC's: with libbpf, ${rewritten}`;
    report(fix('bcc-table-method', call.span.start, call.span.end, message, helperMade || r.mark ? undefined : `Rewrite as ${rewritten.replace(/\s+/g, ' ')}`, rewritten));
  }
}

function shift(edits: Edit[], by: number): Edit[] {
  return edits.map((e) => ({ ...e, start: e.start - by, end: e.end - by }));
}

function probes(input: RuleInput, program: BccProgram, text: string, fix: Fix, report: Report): void {
  const btf = input.ctx.kernels.described.btf;
  const ctxOf = (category: string, name: string) => tracepointContext(btf, category, name, undefined);
  for (const p of program.probes) {
    const r = probeEdits(p, text, ctxOf);
    const whole = r.edits.length === 1 && r.edits[0].start === p.head.start && r.edits[0].end === p.head.end && r.marks.length === 0;
    const head = whole ? r.edits[0].text.trim() : undefined;
    const form = head ?? `SEC("${sectionOf(p)}")`;
    const how = p.via === 'prefix' ? `BCC attaches ${p.name} by its name` : p.via === 'macro' ? `${p.macro} is BCC's` : p.via === 'python' ? `BCC's Python attaches ${p.name}` : `${p.name} takes a context: BCC's Python attaches it`;
    // Reported at the name; the fix replaces the whole head.
    report(fix('bcc-probe', p.nameSpan.start, p.nameSpan.end, `${how}; libbpf names the attach point in the program's section: ${form.replace(/\n/g, ' ')}`,
      head ? `Rewrite as ${form.replace(/\n/g, ' ')}` : undefined, head ? `${head}\n` : undefined, p.head));
  }
  for (const use of program.argsUses) {
    const p = program.probes.find((x) => x.name === use.probe);
    const [category, name] = (p?.target ?? '/').split('/');
    const ctx = ctxOf(category, name);
    const r = argsEdit(use, ctx);
    const struct = ctx?.struct ?? `trace_event_raw_<class of ${name}>`;
    report(fix('bcc-tracepoint-args', use.span.start, use.span.end,
      `args-> is the struct BCC generates from tracefs; libbpf programs take the context struct from BTF (struct ${struct} *ctx)${r.edit ? `: ${r.edit.text}` : ''}`));
  }
}

function reads(input: RuleInput, program: BccProgram, text: string, fix: Fix, report: Report): void {
  const btf = input.ctx.kernels.described.btf;
  const scope = { globals: input.file.model.globals, structs: input.file.model.structs, btf };
  const bodies = [
    ...program.probes.filter((p) => !/^(fentry|fexit|fmod_ret|lsm|iter)$/.test(p.kind)).map((p) => ({
      body: p.body, params: p.macro ? [] : p.params,
      exclude: new Set(p.macro === 'TRACEPOINT_PROBE' ? ['args'] : p.macro === 'RAW_TRACEPOINT_PROBE' ? ['ctx'] : isContextParam(p.params[0]) ? [/(\w+)\s*$/.exec(p.params[0])![1]] : []),
    })),
    ...program.functions.map((f) => ({ body: f.body, params: f.params, exclude: new Set(f.params.filter(isContextParam).map((q) => /(\w+)\s*$/.exec(q)![1])) })),
  ];
  for (const b of bodies) {
    for (const r of implicitReads(input.file.tree, text, b.body, b.params, b.exclude, scope)) {
      report(fix('bcc-implicit-read', r.span.start, r.span.end, `${r.original} reads kernel memory, which BCC's rewriter turns into bpf_probe_read; libbpf programs read it with ${r.replacement}`,
        `Rewrite as ${r.replacement.length > 60 ? 'a kernel read' : r.replacement}`, r.replacement));
    }
  }
}

