// BCC C to a libbpf CO-RE program, following the BCC to libbpf conversion guide: vmlinux.h and libbpf's
// headers for kernel headers, BTF-defined maps for tables, SEC() programs with bpf_tracing.h heads for
// probes, BPF_CORE_READ for BCC's implicit kernel reads, the kernel or user variant of bpf_probe_read,
// tracepoint context structs from BTF, and `const volatile` globals for what BCC's Python substitutes.
// Every rewrite is an edit of the original text; where a construct has no faithful translation, a
// `TODO(bcc)` comment stays at its place and is reported. Facts about the machine (BTF, tracefs formats)
// are handed in by the edge.
import type { Tree } from 'web-tree-sitter';
import { Btf } from '../btf/btf';
import { CompositeType } from '../btf/types';
import { Kind } from '../btf/wire';
import { buildModel } from '../csource/model';
import { analyseBcc, isContextParam } from './analyse';
import { KERNEL_MACROS } from './compat';
import { compatBlock } from './convert-compat';
import { configEdits, ConfigGlobal, substituteFixed, tablePlaceholders } from './convert-config';
import { Edit, mapDefinition, methodEdits } from './convert-maps';
import { argsEdit, probeEdits, sectionOf } from './convert-probes';
import { LINUX_KERNEL_VERSION_EXTERN, MissingMembers, versionTests } from './convert-version';
import type { AttachTarget, BccProbe, BccProgram } from './model';
import type { PlaceholderAlternative } from './python';
import { implicitReads, missingKernelMembers, ReadScope } from './reads';
import { indentAt, lineStart } from './scan';
import { parseTracepointFormat, tracepointContext, TracepointContext } from './tracepoints';

export interface BccFacts {
  /** The kernel's BTF: types for implicit reads, trace_event_raw_* structs for tracepoints. */
  btf?: Btf;
  /** The tracefs `format` file of an event, when the edge can read it. */
  tracepointFormat?(category: string, name: string): string | undefined;
  /** KERNEL_VERSION(a, b, c) of the kernel converted on, for BCC's compile-time version tests. */
  kernelVersion?: number;
}

export interface ConvertOptions {
  /** The file converted, for the header comment. */
  source: string;
  attaches?: ReadonlyMap<string, readonly AttachTarget[]>;
  placeholders?: ReadonlyMap<string, readonly PlaceholderAlternative[]>;
  /** Macros the tool's Python defines (its options): an `#ifdef` of one is configuration, not a kernel-header test. */
  pythonDefines?: ReadonlySet<string>;
}

export interface ConvertedProgram {
  name: string;
  section: string;
  /** More targets user space attaches it to. */
  moreTargets: string[];
  kind: BccProbe['kind'];
}

export interface ConvertResult {
  text: string;
  /** Marked comments (`TODO(bcc)`): line (1-based) in `text` and what is left to do. */
  marks: { line: number; message: string }[];
  /** What the conversion chose, for the user (perf output kept as a perf event array...). */
  notes: string[];
  program: BccProgram;
  programs: ConvertedProgram[];
  config: ConfigGlobal[];
}

export const TODO_MARK = 'TODO(bcc)';

/** Probes whose arguments the verifier types from BTF: direct reads are allowed, nothing to rewrite. */
const BTF_PROBES = new Set(['fentry', 'fexit', 'fmod_ret', 'lsm', 'iter']);

/** Converts `source`; `parse` is the C parser (tree-sitter), called again when placeholders were substituted first (the caller owns the trees). */
export function convertBcc(parse: (text: string) => Tree, source: string, facts: BccFacts, opts: ConvertOptions): ConvertResult {
  const first = parse(source);
  const placeholders = new Set(opts.placeholders?.keys() ?? []);
  const pre = analyseBcc(first, source, { attaches: opts.attaches, placeholders });
  const text = pre.placeholders.length === 0 ? source : substituteFixed(first, source, pre.placeholders, opts.placeholders ?? new Map(), {
    tableSizes: pre.tables.map((t) => ({ table: t.name, start: t.span.start, end: t.span.end })), hasMember: (name) => !facts.btf || memberNames(facts.btf).has(name), notes: [],
  });
  return convertTree(text === source ? first : parse(text), text, facts, opts);
}

function convertTree(tree: Tree, text: string, facts: BccFacts, opts: ConvertOptions): ConvertResult {
  const program = analyseBcc(tree, text, { attaches: opts.attaches, placeholders: new Set(opts.placeholders?.keys() ?? []) });
  const edits: Edit[] = [];
  const marks: { at: number; message: string }[] = [];
  const notes: string[] = [];
  const ctxCache = new Map<string, TracepointContext | undefined>();
  const ctxOf = (category: string, name: string) => {
    const key = `${category}/${name}`;
    if (!ctxCache.has(key)) {
      const format = facts.tracepointFormat?.(category, name);
      ctxCache.set(key, tracepointContext(facts.btf, category, name, format ? parseTracepointFormat(format) : undefined));
    }
    return ctxCache.get(key);
  };
  for (const inc of program.includes) edits.push({ start: inc.span.start, end: inc.span.end, text: '' });
  if (program.includes.length > 0) notes.push(`kernel headers replaced by vmlinux.h: ${program.includes.map((i) => `<${i.path}>`).join(', ')}`);
  tablePlaceholders(program.tables, opts.placeholders ?? new Map(), notes, marks);
  tableEdits(program, edits, marks, notes);
  for (const call of program.methodCalls) {
    const r = methodEdits(call, text);
    edits.push(...r.edits);
    if (r.mark) marks.push({ at: call.span.start, message: r.mark });
  }
  for (const p of program.probes) {
    const r = probeEdits(p, text, ctxOf);
    edits.push(...r.edits);
    marks.push(...r.marks);
    notes.push(...r.notes);
  }
  for (const use of program.argsUses) {
    const probe = program.probes.find((p) => p.name === use.probe);
    const [category, name] = (probe?.target ?? '/').split('/');
    const r = argsEdit(use, ctxOf(category, name));
    if (r.edit) edits.push(r.edit);
    if (r.mark) marks.push({ at: use.span.start, message: r.mark });
  }
  helperFunctionEdits(program, text, edits);
  const kernelCopies = kernelStructCopies(tree, text, facts.btf, edits, notes);
  readEdits(tree, text, program, facts, edits, notes, kernelCopies);
  memcpyFromContext(tree, text, program, edits);
  callRenames(tree, text, program, edits, marks);
  tracepointStructRenames(tree, text, program, ctxOf, edits, marks);
  const config = configEdits(tree, text, program.placeholders, opts.placeholders ?? new Map(), edits, marks, {
    tableSizes: program.tables.map((t) => ({ table: t.name, start: t.span.start, end: t.span.end })),
    hasMember: (name) => !facts.btf || memberNames(facts.btf).has(name),
    notes,
  });
  // The extern goes first in the program's own text, after libbpf's headers (bpf_helpers.h defines __kconfig).
  if (versionTests(tree, text, missingMembers(tree, text, program, facts.btf), edits, marks)) edits.push({ start: 0, end: 0, text: `${LINUX_KERNEL_VERSION_EXTERN}\n\n` });
  headerMacroTests(tree, text, new Set([...(opts.placeholders?.keys() ?? []), ...(opts.pythonDefines ?? [])]), edits, marks);
  const options = [...(opts.pythonDefines ?? [])].filter((d) => new RegExp(`#\\s*if(?:n?def)?\\b[^\\n]*\\b${d}\\b`).test(text));
  if (options.length > 0) notes.push(`options BCC's Python sets with #define (${options.join(', ')}) stay compile-time: build with -D${options[0]} and the like to select them, as the Python did`);
  for (const m of marks) {
    const ls = lineStart(text, m.at);
    edits.push({ start: ls, end: ls, text: `${indentAt(text, m.at)}/* ${TODO_MARK}: ${m.message.replace(/\*\//g, '* /')} */\n` });
  }
  const body = applyEdits(text, edits);
  return assemble(body, text, facts, opts, program, notes, config);
}

function tableEdits(program: BccProgram, edits: Edit[], marks: { at: number; message: string }[], notes: string[]): void {
  for (const t of program.tables) {
    const methods = new Set(program.methodCalls.filter((c) => c.table === t.name).map((c) => c.method));
    const m = mapDefinition(t, methods);
    edits.push({ start: t.span.start, end: t.span.end, text: m.text });
    notes.push(...m.notes);
    for (const message of m.marks) marks.push({ at: t.span.start, message });
  }
}

/** Helpers BCC inlines into every probe: `static __always_inline`, so the verifier sees them inlined as BCC compiled them. */
function helperFunctionEdits(program: BccProgram, text: string, edits: Edit[]): void {
  for (const f of program.functions) {
    const head = text.slice(f.span.start, f.body.start);
    if (/always_inline/.test(head)) continue;
    const m = /^\s*(?:static\s+)?(?:(?:__)?inline(?:__)?\s+)?/.exec(head)!;
    edits.push({ start: f.span.start, end: f.span.start + m[0].length, text: 'static __always_inline ' });
  }
}

/**
 * BCC tools copy kernel structs the headers do not export (`struct nameidata`); vmlinux.h has the kernel's
 * own, which CO-RE relocates, so the copy goes (and would not compile beside it).
 */
function kernelStructCopies(tree: Tree, text: string, btf: Btf | undefined, edits: Edit[], notes: string[]): Set<string> {
  const out = new Set<string>();
  if (!btf) return out;
  const tops = tree.rootNode.descendantsOfType(['struct_specifier', 'declaration']).filter((n) => n && /^(translation_unit|preproc_if|preproc_ifdef|preproc_else|preproc_elif)$/.test(n.parent?.type ?? ''));
  for (const n of tops) {
    const spec = n?.type === 'struct_specifier' ? n : n?.type === 'declaration' && n.childrenForFieldName('declarator').length === 0 ? n.childForFieldName('type') : null;
    const name = spec?.type === 'struct_specifier' && spec.childForFieldName('body') ? spec.childForFieldName('name')?.text : undefined;
    if (!n || !name || name.includes('___') || btf.findFirst(name, Kind.Struct) === undefined) continue;
    const semi = text.slice(n.endIndex).match(/^\s*;/);
    edits.push({ start: n.startIndex, end: n.endIndex + (semi ? semi[0].length : 0), text: `/* struct ${name}: the kernel's own definition from vmlinux.h replaces BCC's copy */` });
    out.add(`struct ${name}`);
  }
  if (out.size > 0) notes.push(`copies of kernel structs replaced by vmlinux.h's: ${[...out].join(', ')}`);
  return out;
}

const memberCache = new WeakMap<Btf, Set<string>>();

/** Every struct and union member name of the kernel's BTF. */
function memberNames(btf: Btf): Set<string> {
  let set = memberCache.get(btf);
  if (!set) {
    set = new Set();
    for (let id = 1; id <= btf.ownTypeCount; id++) {
      const k = btf.kind(id);
      if (k === Kind.Struct || k === Kind.Union) for (const m of (btf.type(id) as CompositeType).members) if (m.name) set.add(m.name);
    }
    memberCache.set(btf, set);
  }
  return set;
}

/** Which kernel members the code of a probe or helper function names that the BTF lacks (for version tests). */
function missingMembers(tree: Tree, text: string, program: BccProgram, btf: Btf | undefined): MissingMembers {
  if (!btf) return () => undefined;
  const model = buildModel(tree, text);
  const scope: ReadScope = { globals: model.globals, structs: model.structs, btf };
  const bodies = [...program.probes.map((p) => ({ body: p.body, params: p.macro ? [] : p.params })), ...program.functions.map((f) => ({ body: f.body, params: f.params }))];
  return (span) => {
    const b = bodies.find((x) => x.body.start <= span.start && span.end <= x.body.end);
    return b ? missingKernelMembers(tree, text, b.body, b.params, span, scope) : undefined;
  };
}

/**
 * `#ifdef INIT_PID_LINK`: a macro of the kernel headers BCC compiled against. vmlinux.h carries no macros,
 * so under libbpf the branch is out; it is written as `#if 0` so every tool sees that, and marked.
 */
function headerMacroTests(tree: Tree, text: string, fromPython: ReadonlySet<string>, edits: Edit[], marks: { at: number; message: string }[]): void {
  const defined = new Set([...text.matchAll(/^\s*#\s*define\s+(\w+)/gm)].map((m) => m[1]));
  for (const n of tree.rootNode.descendantsOfType('preproc_ifdef')) {
    const name = n?.childForFieldName('name');
    if (!n || !name || !/^#\s*ifdef\b/.test(text.slice(n.startIndex, n.startIndex + 10))) continue;
    const macro = text.slice(name.startIndex, name.endIndex);
    if (defined.has(macro) || fromPython.has(macro) || !/^[A-Z][A-Z0-9_]+$/.test(macro) || Object.hasOwn(KERNEL_MACROS, macro)) continue;
    edits.push({ start: n.startIndex, end: name.endIndex, text: `#if 0 /* #ifdef ${macro} */` });
    marks.push({
      at: n.startIndex,
      message: macro.startsWith('CONFIG_')
        ? `#ifdef ${macro}: the kernel configuration BCC compiled against; this branch is out here: read it at load time (extern bool ${macro} __kconfig __weak;) and test it in C`
        : `#ifdef ${macro}: a macro of the kernel headers BCC compiled against; vmlinux.h has none, so this branch is out: test the kernel at load time (bpf_core_field_exists()) if it matters`,
    });
  }
}

/** `__builtin_memcpy(dst, args->saddr, n)` in a tracepoint probe reads the context through a computed pointer, which the verifier refuses: a probe read. */
function memcpyFromContext(tree: Tree, text: string, program: BccProgram, edits: Edit[]): void {
  for (const p of program.probes) {
    if (p.macro !== 'TRACEPOINT_PROBE') continue;
    for (const c of tree.rootNode.descendantsOfType('call_expression')) {
      const fn = c?.childForFieldName('function');
      const args = c?.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment');
      if (!c || c.startIndex < p.body.start || c.endIndex > p.body.end || !fn || !/^(__builtin_memcpy|memcpy)$/.test(fn.text) || args?.length !== 3) continue;
      const [, src, size] = args as NonNullable<(typeof args)[number]>[];
      if (!/\bargs\s*->/.test(text.slice(src.startIndex, src.endIndex))) continue;
      edits.push({ start: fn.startIndex, end: fn.endIndex, text: 'bpf_probe_read_kernel' });
      edits.push({ start: src.startIndex, end: src.endIndex, text: text.slice(size.startIndex, size.endIndex) });
      edits.push({ start: size.startIndex, end: size.endIndex, text: text.slice(src.startIndex, src.endIndex) });
    }
  }
}

const PARAM_MEMORY: Partial<Record<BccProbe['kind'], 'kernel' | 'user'>> = { kprobe: 'kernel', kretprobe: 'kernel', ksyscall: 'user', uprobe: 'user' };

function readEdits(tree: Tree, text: string, program: BccProgram, facts: BccFacts, edits: Edit[], notes: string[], kernelCopies: Set<string>): void {
  if (!facts.btf) {
    notes.push('no kernel BTF: implicit kernel reads were not rewritten');
    return;
  }
  const model = buildModel(tree, text);
  for (const k of kernelCopies) model.structs.delete(k);
  const scope: ReadScope = { globals: model.globals, structs: model.structs, btf: facts.btf };
  const bodies: { body: { start: number; end: number }; params: string[]; exclude: Set<string>; memory?: 'kernel' | 'user' }[] = [];
  for (const p of program.probes) {
    if (BTF_PROBES.has(p.kind)) continue;
    const exclude = new Set<string>();
    if (p.macro === 'TRACEPOINT_PROBE') exclude.add('args');
    if (p.macro === 'RAW_TRACEPOINT_PROBE') exclude.add('ctx');
    const first = p.params[0];
    if (!p.macro && isContextParam(first)) exclude.add(/(\w+)\s*$/.exec(first)![1]);
    bodies.push({ body: p.body, params: p.macro ? [] : p.params, exclude, memory: p.macro ? undefined : PARAM_MEMORY[p.kind] });
  }
  for (const f of program.functions) bodies.push({ body: f.body, params: f.params, exclude: new Set(f.params.filter(isContextParam).map((q) => /(\w+)\s*$/.exec(q)![1])) });
  let count = 0;
  for (const b of bodies) {
    for (const r of implicitReads(tree, text, b.body, b.params, b.exclude, scope, b.memory)) {
      edits.push({ start: r.span.start, end: r.span.end, text: r.replacement });
      count++;
    }
  }
  if (count > 0) notes.push(`${count} implicit kernel read${count === 1 ? '' : 's'} (BCC rewrote them to bpf_probe_read) written as BPF_CORE_READ`);
}

const RENAMES: Readonly<Record<string, string>> = {
  bpf_trace_printk: 'bpf_printk', bpf_log2l: 'log2l', bpf_log2: 'log2', lock_xadd: '__sync_fetch_and_add',
};

function callRenames(tree: Tree, text: string, program: BccProgram, edits: Edit[], marks: { at: number; message: string }[]): void {
  for (const r of program.probeReads) {
    edits.push({ start: r.calleeSpan.start, end: r.calleeSpan.end, text: r.callee === 'bpf_probe_read_str' ? `bpf_probe_read_${r.variant}_str` : `bpf_probe_read_${r.variant}` });
  }
  for (const id of tree.rootNode.descendantsOfType('identifier')) {
    if (!id) continue;
    const name = text.slice(id.startIndex, id.endIndex);
    if (Object.hasOwn(RENAMES, name)) edits.push({ start: id.startIndex, end: id.endIndex, text: RENAMES[name] });
    else if (name === 'bpf_usdt_readarg' || name === 'bpf_usdt_readarg_p') {
      marks.push({ at: id.startIndex, message: `${name}(): USDT arguments: with libbpf, SEC("usdt") programs read them with bpf_usdt_arg() (usdt.bpf.h)` });
    }
  }
}

/** `struct tracepoint__cat__name` (BCC's generated tracepoint struct) as the BTF context struct. */
function tracepointStructRenames(tree: Tree, text: string, program: BccProgram, ctxOf: (c: string, n: string) => TracepointContext | undefined, edits: Edit[], marks: { at: number; message: string }[]): void {
  for (const s of tree.rootNode.descendantsOfType('struct_specifier')) {
    const name = s?.childForFieldName('name');
    const m = name && /^tracepoint__(\w+?)__(\w+)$/.exec(text.slice(name.startIndex, name.endIndex));
    if (!s || !name || !m || program.probes.some((p) => p.macro && p.head.start <= s.startIndex && s.endIndex <= p.head.end)) continue;
    const ctx = ctxOf(m[1], m[2]);
    if (ctx?.kind === 'class' || ctx?.kind === 'sys_exit') edits.push({ start: name.startIndex, end: name.endIndex, text: ctx.struct });
    else marks.push({ at: s.startIndex, message: `struct ${m[0]}: BCC generates it from tracefs; declare it or use the BTF context struct` });
  }
}

/** The edits applied in order; an edit overlapping an earlier one is dropped (the outer rewrite wins). */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || (a.end - a.start) - (b.end - b.start) || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue;
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

function assemble(body: string, original: string, facts: BccFacts, opts: ConvertOptions, program: BccProgram, notes: string[], config: ConfigGlobal[]): ConvertResult {
  const usesLog2 = /\blog2l?\s*\(/.test(body);
  const header = [
    '// SPDX-License-Identifier: GPL-2.0',
    `/* Converted from BCC (${opts.source}) by ebpf-ls convert-bcc: a libbpf CO-RE program, following the BCC to libbpf`,
    ` * conversion guide. Build it against vmlinux.h; load it with a skeleton (bpftool gen skeleton). Lines marked`,
    ` * ${TODO_MARK} have no faithful translation and need a decision. */`,
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    '#include <bpf/bpf_tracing.h>',
    '#include <bpf/bpf_core_read.h>',
    '#include <bpf/bpf_endian.h>',
  ].join('\n');
  const globals = config.map((g) => `const volatile ${g.type} ${g.name} = ${g.initial}; /* ${g.meaning.replace(/\*\//g, '* /')} */`).join('\n');
  const log2 = usesLog2 ? LOG2_HELPERS : '';
  const license = /SEC\s*\(\s*"license"\s*\)/.test(body) ? '' : '\nchar LICENSE[] SEC("license") = "GPL";\n';
  const withoutCompat = [header, globals, log2, body.trim(), license].filter(Boolean).join('\n\n');
  const compat = [compatBlock(withoutCompat, original, facts.btf, facts.kernelVersion), missingKernelStructs(original, facts.btf, notes)].filter(Boolean).join('\n\n');
  const text = [header, compat, globals, log2, body.trim() + '\n', license].filter(Boolean).join('\n\n').replace(/\n{4,}/g, '\n\n\n');
  const marks: ConvertResult['marks'] = [];
  text.split('\n').forEach((line, i) => {
    const m = new RegExp(`${TODO_MARK.replace(/[()]/g, '\\$&')}: (.*?)(?: \\*/|$)`).exec(line);
    if (m) marks.push({ line: i + 1, message: m[1] });
  });
  const programs = program.probes.map((p) => ({ name: p.name, section: sectionOf(p), moreTargets: p.moreTargets, kind: p.kind }));
  return { text, marks, notes, program, programs, config };
}

/**
 * Structs a program reads through pointers that the kernel's BTF does not have (a module's, such as nfs's):
 * declared with the members the program uses, for CO-RE to relocate against the module's BTF at load time.
 * Their types are not known here: u64 stands in, behind a TODO.
 */
function missingKernelStructs(original: string, btf: Btf | undefined, notes: string[]): string {
  if (!btf) return '';
  const code = original.replace(/\/\*[^]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"/g, ' ');
  const defined = new Set([...code.matchAll(/\bstruct\s+(\w+)\s*\{/g)].map((m) => m[1]));
  const out: string[] = [];
  for (const name of new Set([...code.matchAll(/\bstruct\s+(\w+)\s*\*/g)].map((m) => m[1]))) {
    if (defined.has(name) || name.startsWith('tracepoint__') || btf.findFirst(name, Kind.Struct) !== undefined || btf.findFirst(name, Kind.Union) !== undefined) continue;
    const vars = [...code.matchAll(new RegExp(`\\bstruct\\s+${name}\\s*\\*\\s*(\\w+)`, 'g'))].map((m) => m[1]);
    const paths = new Set<string>();
    for (const v of new Set(vars)) for (const m of code.matchAll(new RegExp(`\\b${v}\\s*->\\s*(\\w+(?:\\s*\\.\\s*\\w+)*)`, 'g'))) paths.add(m[1].replace(/\s+/g, ''));
    if (paths.size === 0) continue;
    out.push(`/* ${TODO_MARK}: struct ${name} is not in the kernel's BTF (a module's type): declared with the members used, their types guessed; take them from the module's BTF (bpftool btf dump file /sys/kernel/btf/<module> format c) */\nstruct ${name} ${membersDecl([...paths], 0)} __attribute__((preserve_access_index));`);
    notes.push(`struct ${name}: a module's type, declared from its uses (CO-RE relocates it against the module's BTF at load time)`);
  }
  return out.join('\n\n');
}

function membersDecl(paths: string[], depth: number): string {
  const groups = new Map<string, string[]>();
  for (const p of paths) {
    const [head, ...rest] = p.split('.');
    const list = groups.get(head) ?? [];
    if (rest.length > 0) list.push(rest.join('.'));
    groups.set(head, list);
  }
  const pad = '\t'.repeat(depth + 1);
  const lines = [...groups].map(([m, rest]) => (rest.length > 0 ? `${pad}struct ${membersDecl(rest, depth + 1)} ${m};` : `${pad}u64 ${m};`));
  return `{\n${lines.join('\n')}\n${'\t'.repeat(depth)}}`;
}

const LOG2_HELPERS = `/* BCC's bpf_log2() and bpf_log2l(): the histogram slot of a value */
static __always_inline u64 log2(u32 v)
{
	u32 shift, r;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline u64 log2l(u64 v)
{
	u32 hi = v >> 32;

	if (hi)
		return log2(hi) + 32 + 1;
	else
		return log2(v) + 1;
}`;
