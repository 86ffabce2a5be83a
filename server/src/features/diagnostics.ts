// Diagnostics of a .bpf.c file against libbpf's rules and every target kernel: SEC() names (unknown,
// bare BTF-attach, newer than the local libbpf), program targets missing in some kernels, CO-RE field
// paths of BPF_CORE_READ chains missing in some kernels, legacy `bpf_map_def` maps and a missing license.
import { Diagnostic, DiagnosticSeverity, Range } from 'vscode-languageserver-types';
import { Kind } from '../btf/wire';
import { SecDef } from '../sections/libbpf-sections';
import { matchSection, suggestSections } from '../sections/match';
import { BTF_TYPED_PROGRAMS, PROGRAM_CONTEXT } from '../sections/program-context';
import { CORE_READ_MACROS, Scope, callContext, expressionType } from './expression';
import { guardedChains, guardHolds, guardsAround, kernelScope, ruledOut } from './core-guards';
import { hasAttachType, hasHelper, hasKfunc, hasMapType, hasProgType } from './kernel-features';
import { argumentList, pointedStruct, programArguments } from './program-args';
import { GPL_COMPATIBLE_LICENSES, GPL_ONLY_HELPERS } from '../helpers/gpl-only';
import { essentialName } from '../relocs/relo-core';
import { Kernel, ParsedFile, hasTarget, projectStructs, targetNeed } from './language-service';
import { CType, MemberInfo, TypeEnv, composite, deref, member } from './types';
import type { Node } from 'web-tree-sitter';
import type { CStruct } from '../csource/model';

export interface DiagnosticEnv {
  /** `major.minor` of the libbpf headers on the include path, when found. */
  libbpfVersion?: string;
  /** The running kernel's tracefs, when mounted and that kernel is among the targets: its tracepoint events. */
  tracefs?: { kernel: string; hasEvent(category: string, name: string): boolean };
}

/** A quick fix carried in Diagnostic.data; the LSP edge turns it into a code action. */
export interface DiagnosticFix {
  title: string;
  range: Range;
  newText: string;
}

export const SOURCE = 'ebpf';

function versionLess(a: string, b: string): boolean {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am < bm || (am === bm && an < bn);
}

export function computeDiagnostics(file: ParsedFile, kernels: Kernel[], env: DiagnosticEnv): Diagnostic[] {
  const out: Diagnostic[] = [];
  const d = file.doc;
  const range = (start: number, end: number) => Range.create(d.positionAt(start), d.positionAt(end));
  const add = (start: number, end: number, severity: DiagnosticSeverity, code: string, message: string, data?: DiagnosticFix) =>
    out.push({ range: range(start, end), severity, code, source: SOURCE, message, data });

  for (const sec of file.model.sections) {
    if (sec.name === '.maps' || sec.name === 'license' || sec.name === 'maps' || sec.name === 'version' || sec.name.startsWith('.')) continue;
    const m = matchSection(sec.name);
    if (!m) {
      const near = suggestSections(sec.name);
      const fix = near[0] ? { title: `Change to "${near[0]}"`, range: range(sec.span.start, sec.span.end), newText: near[0] } : undefined;
      add(sec.span.start, sec.span.end, DiagnosticSeverity.Error, 'unknown-section',
        `libbpf does not know SEC("${sec.name}")${near.length ? `: did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''}`, fix);
      continue;
    }
    checkSectionVersion(m.def, sec, env, add);
    if (m.def.flags.includes('ATTACH_BTF') && !m.target) {
      add(sec.span.start, sec.span.end, DiagnosticSeverity.Hint, 'section-needs-target',
        `SEC("${sec.name}") names no target: set one with bpf_program__set_attach_target() before loading`);
      continue;
    }
    if (m.target) {
      const need = targetNeed(m.def.sec, m.target);
      const missing = need ? kernels.filter((k) => !hasTarget(k.btf, need)).map((k) => k.label) : tracefsMissing(m.def.sec, m.target, env);
      if (missing.length) {
        // Allocation functions became `*_noprof` in 6.10 when memory profiling wrapped them.
        const noprof = need?.kind === Kind.Func && need.names.length === 1 ? `${need.names[0]}_noprof` : undefined;
        const renamed = noprof && kernels.some((k) => missing.includes(k.label) && k.btf.findFirst(noprof, Kind.Func) !== undefined);
        add(sec.span.start, sec.span.end, need && missing.length === kernels.length ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, 'missing-target',
          `${m.target} (${need?.what ?? 'tracepoint, per tracefs'}) is missing in ${missing.join(', ')}${renamed ? `; it is ${noprof} there` : ''}`);
      }
    }
  }

  checkLegacyMaps(file, add);
  checkLicense(file, kernels, add);
  checkCoreReads(file, kernels, add);
  checkKernelFeatures(file, kernels, add);
  checkProgramHeads(file, add);
  checkProgramArgs(file, kernels, add);
  checkDirectReads(file, kernels, add);
  return out;
}

/** Program types where the verifier refuses plain loads through kernel pointers: reads go through bpf_probe_read_kernel. */
const PROBE_READ_ONLY = new Set(['BPF_PROG_TYPE_KPROBE', 'BPF_PROG_TYPE_TRACEPOINT', 'BPF_PROG_TYPE_RAW_TRACEPOINT', 'BPF_PROG_TYPE_PERF_EVENT']);
const READ_MACROS = /^(BPF_CORE_READ\w*|BPF_PROBE_READ\w*|bpf_core_\w+|bpf_probe_read\w*|__builtin_preserve_\w+)$/;

/** `a->b` through a kernel pointer in a kprobe/tracepoint program: the verifier refuses it; offer BPF_CORE_READ. */
function checkDirectReads(file: ParsedFile, kernels: Kernel[], add: Add): void {
  if (kernels.length === 0) return;
  const structs = projectStructs(file);
  const env: TypeEnv = { btf: kernels[0].btf, structs };
  for (const f of file.model.functions) {
    const m = f.section && matchSection(f.section.name);
    if (!m || !PROBE_READ_ONLY.has(m.def.progType)) continue;
    const ctxParam = f.macro ? undefined : f.params[0]?.name;
    const brace = file.tree.rootNode.descendantForIndex(f.body.start, f.body.start + 1);
    const body = brace?.type === 'compound_statement' ? brace : brace?.parent;
    if (!body) continue;
    for (const fe of body.descendantsOfType('field_expression')) {
      if (!fe || fe.childForFieldName('operator')?.text !== '->') continue;
      if (fe.parent?.type === 'field_expression' && fe.parent.childForFieldName('argument')?.id === fe.id) continue; // report the whole chain once
      if (fe.parent?.type === 'pointer_expression' && fe.parent.text.startsWith('&')) continue; // taking an address reads nothing
      let inRead = false;
      for (let a = fe.parent; a && !inRead; a = a.parent) {
        if (a.type === 'call_expression' && READ_MACROS.test(a.childForFieldName('function')?.text ?? '')) inRead = true;
      }
      if (inRead) continue;
      // The innermost base of the chain, and the names it walks.
      const names: string[] = [];
      let base = fe;
      while (base.type === 'field_expression' && base.childForFieldName('operator')?.text === '->') {
        names.unshift(base.childForFieldName('field')?.text ?? '');
        base = base.childForFieldName('argument')!;
        if (!base) break;
      }
      if (!base || base.type !== 'identifier' || base.text === ctxParam) continue;
      const scope: Scope = { doc: file.model, tree: file.tree, env, offset: fe.startIndex };
      const t = expressionType(base.text, scope);
      const c = t && composite(deref(t, env) ?? t, env);
      if (!c?.btfId) continue; // a local struct, a map value, the context: direct access is fine
      const fix = `BPF_CORE_READ(${base.text}, ${names.join(', ')})`;
      add(fe.startIndex, fe.endIndex, DiagnosticSeverity.Warning, 'direct-kernel-read',
        `${m.def.progType} programs cannot dereference kernel pointers directly (the verifier rejects it): read with ${fix}`,
        { title: `Rewrite as ${fix}`, range: Range.create(file.doc.positionAt(fe.startIndex), file.doc.positionAt(fe.endIndex)), newText: fix });
    }
  }
}

/** The program's head fits its section: BPF_PROG for BTF-typed programs, BPF_KPROBE for kprobes, the right context. */
function checkProgramHeads(file: ParsedFile, add: Add): void {
  for (const f of file.model.functions) {
    if (!f.section) continue;
    const m = matchSection(f.section.name);
    if (!m) continue;
    const pt = m.def.progType;
    const sec = m.def.sec.replace(/[+/]$/, '');
    const at = (msg: string) => add(f.nameSpan.start, f.nameSpan.end, DiagnosticSeverity.Warning, 'program-head', msg);
    const kprobeLike = f.macro === 'BPF_KPROBE' || f.macro === 'BPF_KRETPROBE' || f.macro === 'BPF_KSYSCALL' || f.macro === 'BPF_KPROBE_SYSCALL';
    if ((f.macro === 'BPF_PROG' || f.macro === 'BPF_PROG2') && !BTF_TYPED_PROGRAMS.has(pt) && pt !== 'BPF_PROG_TYPE_RAW_TRACEPOINT') {
      at(`${f.macro} reads BTF-typed arguments, but SEC("${f.section.name}") is ${pt}: use ${pt === 'BPF_PROG_TYPE_KPROBE' ? (sec.startsWith('ksyscall') ? 'BPF_KSYSCALL' : sec.includes('ret') ? 'BPF_KRETPROBE' : 'BPF_KPROBE') : `a plain function taking ${PROGRAM_CONTEXT[pt] ?? 'its context'} *`}`);
    } else if (kprobeLike && BTF_TYPED_PROGRAMS.has(pt)) {
      at(`${f.macro} reads pt_regs, but SEC("${f.section.name}") is ${pt}, whose arguments come typed from BTF: use BPF_PROG`);
    } else if (f.macro === 'BPF_KPROBE' && /kretprobe|kretsyscall/.test(sec)) {
      at(`BPF_KPROBE under SEC("${f.section.name}"): a return probe sees the return value: use BPF_KRETPROBE`);
    } else if (f.macro === 'BPF_KRETPROBE' && /^(kprobe|uprobe)/.test(sec)) {
      at(`BPF_KRETPROBE under SEC("${f.section.name}") reads a return value an entry probe does not have: use BPF_KPROBE`);
    } else if (!f.macro && f.params.length > 0) {
      const want = PROGRAM_CONTEXT[pt];
      const p = f.params[0];
      const got = p.type.base;
      if (want?.startsWith('struct ') && !want.includes('<') && /^struct \w+$/.test(got) && p.type.pointers === 1 && got.replace(/___\w+$/, '') !== want) {
        at(`${pt} programs receive ${want} *, not ${got} *: change the parameter's type`);
      }
    }
  }
}

/**
 * BPF_PROG heads against the kernel's prototype in every target kernel: more arguments than the target
 * passes, or a struct pointer where the kernel passes another struct (vfs_unlink's first argument became
 * `struct mnt_idmap *` in 6.3): the program would read the wrong argument there.
 */
function checkProgramArgs(file: ParsedFile, kernels: Kernel[], add: Add): void {
  for (const f of file.model.functions) {
    if (!f.section || (f.macro !== 'BPF_PROG' && f.macro !== 'BPF_PROG2')) continue;
    const problems = new Map<string, { at: { start: number; end: number }; kernels: string[] }>();
    const note = (at: { start: number; end: number }, msg: string, k: string) => {
      const p = problems.get(msg) ?? { at, kernels: [] };
      p.kernels.push(k);
      problems.set(msg, p);
    };
    const target = matchSection(f.section.name)?.target ?? '';
    for (const k of kernels) {
      const args = programArguments(f.section.name, k.btf);
      if (!args) continue;
      if (f.params.length > args.length) {
        note(f.params[args.length].span, `${target} passes ${args.length} argument(s) (${argumentList(args, k.btf)}), fewer than this head reads`, k.label);
      }
      f.params.forEach((p, i) => {
        const want = i < args.length ? pointedStruct(k.btf, args[i].type) : undefined;
        const got = /^(?:struct|union) (\w+)$/.exec(p.type.base)?.[1];
        if (want === undefined || got === undefined || p.type.pointers !== 1 || essentialName(got) === want) return;
        note(p.span, `argument ${i + 1} of ${target} is ${argumentList([args[i]], k.btf)}, not ${p.type.base} *`, k.label);
      });
    }
    for (const [msg, p] of problems) {
      add(p.at.start, p.at.end, DiagnosticSeverity.Warning, 'program-args', `${msg} in ${p.kernels.join(', ')}`);
    }
  }
}

/** Helpers, kfuncs, map, program and attach types that some target kernels lack. */
function checkKernelFeatures(file: ParsedFile, kernels: Kernel[], add: Add): void {
  if (kernels.length === 0) return;
  const text = file.doc.getText();
  const lacking = (has: (k: Kernel) => boolean) => kernels.filter((k) => !has(k)).map((k) => k.label);
  const report = (start: number, end: number, what: string, missing: string[]) => {
    if (missing.length === 0) return;
    add(start, end, missing.length === kernels.length ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, 'kernel-feature-missing',
      `${what} is not available in ${missing.join(', ')}`);
  };
  const seenCalls = new Map<string, string[]>();
  for (const c of kernelCalls(file, kernels)) {
    if (!c.kind) continue;
    let missing = seenCalls.get(c.name);
    if (!missing) {
      missing = lacking((k) => (c.kind === 'helper' ? hasHelper : hasKfunc)(k.btf, c.name));
      seenCalls.set(c.name, missing);
    }
    report(c.at, c.at + c.name.length, `${c.kind} ${c.name}()`, missing);
  }
  // Typed `__ksym` variables resolve through the kernel's BTF VARs (untyped `const void` ones through kallsyms: not ours to judge).
  for (const m of text.matchAll(/\bextern\s+(?:const\s+)?(?:volatile\s+)?(struct\s+\w+|union\s+\w+|\w+)\s*\**\s*(\w+)\s*(?:\[\s*\d*\s*\])?\s*__ksym\b[^;(]*;/g)) {
    const [decl, type, name] = m;
    if (type === 'void') continue;
    const missing = lacking((k) => k.btf.findFirst(name, Kind.Var) !== undefined);
    if (missing.length === 0) continue;
    const uses = [...text.matchAll(new RegExp(`\\b${name}\\b`, 'g'))].map((u) => u.index!).filter((at) => !isDeclaration(text, at));
    const declAt = m.index! + decl.lastIndexOf(name);
    for (const at of uses.length ? uses : [declAt]) report(at, at + name.length, `kernel variable ${name} (__ksym)`, missing);
  }
  for (const map of file.model.maps) {
    const type = map.fields.type;
    if (!type || !/^BPF_MAP_TYPE_\w+$/.test(type)) continue;
    const at = text.indexOf(type, text.lastIndexOf('struct', map.nameSpan.start));
    if (at >= 0) report(at, at + type.length, `map type ${type}`, lacking((k) => hasMapType(k.btf, type)));
  }
  for (const sec of file.model.sections) {
    const m = matchSection(sec.name);
    if (!m) continue;
    report(sec.span.start, sec.span.end, `program type ${m.def.progType}`, lacking((k) => hasProgType(k.btf, m.def.progType)));
    if (m.def.attachType) report(sec.span.start, sec.span.end, `attach type ${m.def.attachType}`, lacking((k) => hasAttachType(k.btf, m.def.attachType!)));
  }
}

type Add = (start: number, end: number, severity: DiagnosticSeverity, code: string, message: string, data?: DiagnosticFix) => void;

/** Other tracepoints: BTF names event classes, not events, so only the running kernel's tracefs can tell, when mounted. */
function tracefsMissing(sec: string, target: string, env: DiagnosticEnv): string[] {
  const p = sec.replace(/[+/]$/, '');
  const m = (p === 'tp' || p === 'tracepoint') && /^(\w+)\/(\w+)$/.exec(target);
  if (!m || !env.tracefs) return [];
  return env.tracefs.hasEvent(m[1], m[2]) ? [] : [env.tracefs.kernel];
}

function checkSectionVersion(def: SecDef, sec: { name: string; span: { start: number; end: number } }, env: DiagnosticEnv, add: Add): void {
  if (!env.libbpfVersion) return;
  if (def.since === 'unreleased') {
    add(sec.span.start, sec.span.end, DiagnosticSeverity.Warning, 'section-too-new',
      `SEC("${sec.name}") is on libbpf's master branch only (after v1.7.0); the libbpf here is ${env.libbpfVersion}`);
  } else if (versionLess(env.libbpfVersion, def.since)) {
    add(sec.span.start, sec.span.end, DiagnosticSeverity.Warning, 'section-too-new',
      `SEC("${sec.name}") needs libbpf ${def.since} or newer; the libbpf here is ${env.libbpfVersion}`);
  }
}

function checkLegacyMaps(file: ParsedFile, add: Add): void {
  const text = file.doc.getText();
  for (const m of text.matchAll(/struct\s+bpf_map_def\s+(\w+)\s+SEC\s*\(\s*"maps"\s*\)/g)) {
    add(m.index!, m.index! + m[0].length, DiagnosticSeverity.Error, 'legacy-map',
      `legacy map definition: libbpf 1.0 and newer reject struct bpf_map_def in SEC("maps"); declare it as struct { __uint(type, ...); ... } ${m[1]} SEC(".maps")`);
  }
}

function checkLicense(file: ParsedFile, kernels: Kernel[], add: Add): void {
  if (file.model.functions.every((f) => !f.section)) return;
  const text = file.doc.getText();
  const license = /SEC\s*\(\s*"license"\s*\)\s*=\s*"([^"]*)"/.exec(text);
  if (!/SEC\s*\(\s*"license"\s*\)/.test(text)) {
    const first = file.model.functions.find((f) => f.section)!;
    add(first.section!.span.start, first.section!.span.end, DiagnosticSeverity.Warning, 'missing-license',
      'no license: add `char LICENSE[] SEC("license") = "GPL";` (GPL-only helpers and many program types need a GPL-compatible license)');
    return;
  }
  if (!license || GPL_COMPATIBLE_LICENSES.has(license[1])) return;
  // Under a license the kernel does not count as GPL-compatible, GPL-only helpers and every kfunc are refused.
  for (const c of kernelCalls(file, kernels)) {
    if (c.kind !== 'kfunc' && !GPL_ONLY_HELPERS.has(c.name.slice('bpf_'.length))) continue;
    add(c.at, c.at + c.name.length, DiagnosticSeverity.Error, 'gpl-only',
      `${c.kind === 'kfunc' ? 'kfunc' : 'helper'} ${c.name}() needs a GPL-compatible license: the kernel refuses it in a program licensed "${license[1]}" (use "GPL" or "Dual BSD/GPL")`);
  }
}

/**
 * The calls of `bpf_*` functions the file makes (not its own functions, not declarations, not the
 * bpf_core_* macros): a helper if any kernel knows BPF_FUNC_<name>; else a kfunc if any kernel has
 * the FUNC; else undefined, not ours to judge.
 */
function kernelCalls(file: ParsedFile, kernels: Kernel[]): { name: string; at: number; kind?: 'helper' | 'kfunc' }[] {
  const text = file.doc.getText();
  const own = new Set(file.model.functions.map((f) => f.name));
  const kinds = new Map<string, 'helper' | 'kfunc' | undefined>();
  const out = [];
  for (const m of text.matchAll(/\b(bpf_\w+)\s*\(/g)) {
    const name = m[1];
    if (own.has(name) || name.startsWith('bpf_core_') || isDeclaration(text, m.index!)) continue;
    if (!kinds.has(name)) {
      kinds.set(name, kernels.some((k) => hasHelper(k.btf, name)) ? 'helper' : kernels.some((k) => hasKfunc(k.btf, name)) ? 'kfunc' : undefined);
    }
    out.push({ name, at: m.index!, kind: kinds.get(name) });
  }
  return out;
}

/** Whether the call at `at` sits on a declaration line (`extern ... __ksym`), not a use. */
function isDeclaration(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at) + 1;
  return /\b(extern|__ksym)\b/.test(text.slice(lineStart, text.indexOf('\n', at)));
}

/** One step of a field path: `->name` or `.name` (`deref`), maybe followed by `[i]` (`index`). */
interface PathStep {
  name: string;
  deref: boolean;
  index: boolean;
  start: number;
  end: number;
}

interface FieldPath {
  /** Where the access sits: its guards and its scope are those of this offset. */
  offset: number;
  base: string;
  steps: PathStep[];
}

/**
 * A field path checked against every kernel, as CO-RE relocates it at load time: missing in some
 * kernels is a warning naming them, in all an error. Kernels where a guard around it is false are skipped.
 */
function checkFieldPath(file: ParsedFile, kernels: Kernel[], structs: Map<string, CStruct>, path: FieldPath, add: Add): void {
  const guards = guardsAround(file.tree, file.doc.getText(), path.offset);
  const missingIn: string[] = [];
  let failed: { field: string; step: PathStep } | undefined;
  for (const k of kernels) {
    const scope = kernelScope(file, k, structs, path.offset);
    if (ruledOut(guards, scope)) continue;
    const env = scope.env;
    let cur: CType | undefined = expressionType(path.base, scope);
    if (!cur || !composite(deref(cur, env) ?? cur, env)?.btfId) return; // not a kernel type: nothing CO-RE relocates
    for (const st of path.steps) {
      const base: CType = st.deref ? deref(cur, env) ?? cur : cur;
      const found: MemberInfo | undefined = member(base, st.name, env);
      if (!found) {
        missingIn.push(k.label);
        const owner = composite(base, env);
        failed = { field: `${owner?.btfId !== undefined ? `${k.btf.kind(owner.btfId) === Kind.Union ? 'union' : 'struct'} ${k.btf.name(owner.btfId)}` : '?'}.${st.name}`, step: st };
        break;
      }
      cur = st.index ? deref(found.type, env) ?? found.type : found.type;
    }
  }
  if (!failed) return;
  add(failed.step.start, failed.step.end, missingIn.length === kernels.length ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, 'core-field-missing',
    `CO-RE: ${failed.field} does not exist in ${missingIn.join(', ')}${missingIn.length < kernels.length ? ': guard it with bpf_core_field_exists()' : ''}`);
}

/** Calls whose field arguments are not reads to check: the read macros (checked argument by argument), guards, raw builtins. */
const NOT_A_READ = /^(BPF_CORE_READ\w*|BPF_PROBE_READ\w*|bpf_core_(field|type|enum_value)_exists|bpf_core_type_matches|__builtin_preserve_field_info|typeof|__typeof__|offsetof|__builtin_offsetof)$/;

/** `a->b.c[i].d` from its outermost node: the base expression and the steps, or undefined when it is part of a longer chain. */
function fieldChain(fe: Node): FieldPath | undefined {
  const p = fe.parent;
  if (p?.type === 'field_expression' && p.childForFieldName('argument')?.id === fe.id) return undefined;
  if (p?.type === 'subscript_expression' && p.parent?.type === 'field_expression' && p.parent.childForFieldName('argument')?.id === p.id) return undefined;
  const steps: PathStep[] = [];
  let n: Node | null = fe;
  let index = false;
  while (n) {
    if (n.type === 'field_expression') {
      const field = n.childForFieldName('field');
      if (!field) return undefined;
      steps.unshift({ name: field.text, deref: n.childForFieldName('operator')?.text === '->', index, start: field.startIndex, end: field.endIndex });
      index = false;
    } else if (n.type === 'subscript_expression' && steps.length && n.childForFieldName('argument')?.type === 'field_expression') {
      index = true;
    } else {
      break;
    }
    n = n.childForFieldName('argument');
  }
  return n && steps.length ? { offset: fe.startIndex, base: n.text, steps } : undefined;
}

/**
 * Field paths CO-RE relocates, checked against every kernel: BPF_CORE_READ chains argument by argument,
 * and every `->`/`.` chain through a kernel type (direct reads in tp_btf/fentry programs, accesses through
 * preserve_access_index types, bpf_core_field_size/offset and bpf_probe_read arguments).
 */
function checkCoreReads(file: ParsedFile, kernels: Kernel[], add: Add): void {
  if (kernels.length === 0) return;
  const text = file.doc.getText();
  const structs = projectStructs(file);
  for (const m of text.matchAll(/\b(BPF_CORE_READ\w*|BPF_PROBE_READ\w*)\s*\(/g)) {
    const spec = CORE_READ_MACROS[m[1]];
    if (!spec) continue;
    const open = m.index! + m[0].length;
    const close = matchingParen(text, open - 1);
    if (close < 0) continue;
    const ctx = callContext(text, close);
    if (!ctx || ctx.callee !== m[1]) continue;
    const args = ctx.args;
    if (args.length <= spec.src + 1) continue;
    // Each argument dereferences a pointer, then walks its dotted members: BPF_CORE_READ(s, a.b, c) is s->a.b->c.
    const steps: PathStep[] = [];
    let at = open + args.slice(0, spec.src + 1).join(',').length + 1;
    for (let a = spec.src + 1; a < args.length; a++) {
      const arg = args[a].trim();
      const argStart = text.indexOf(arg, at);
      let partStart = argStart;
      arg.split('.').forEach((part, p) => {
        const name = part.trim().replace(/\[.*\]$/, '');
        const nameStart = text.indexOf(name, partStart);
        steps.push({ name, deref: p === 0, index: /\]\s*$/.test(part), start: nameStart, end: nameStart + name.length });
        partStart += part.length + 1;
      });
      at += args[a].length + 1;
    }
    checkFieldPath(file, kernels, structs, { offset: m.index!, base: args[spec.src], steps }, add);
  }
  for (const fe of file.tree.rootNode.descendantsOfType('field_expression')) {
    if (!fe) continue;
    const path = fieldChain(fe);
    if (!path) continue;
    let skip = false;
    for (let a = fe.parent; a && !skip; a = a.parent) {
      if (a.type === 'call_expression' && NOT_A_READ.test(a.childForFieldName('function')?.text ?? '')) skip = true;
      else if (a.type === 'sizeof_expression' || a.type === 'offsetof_expression') skip = true;
      else if (a.type === 'function_definition') break;
    }
    if (!skip) checkFieldPath(file, kernels, structs, path, add);
  }
  // Guarded alternatives that are all missing in a kernel: the program silently takes its fallback there.
  for (const chain of guardedChains(file.tree, text)) {
    const none = kernels.filter((k) => {
      const scope = kernelScope(file, k, structs, chain[0].start);
      return chain.every((g) => guardHolds(g, scope) === false);
    });
    if (none.length) {
      add(chain[0].start, chain[chain.length - 1].end, DiagnosticSeverity.Warning, 'core-no-alternative',
        `CO-RE: none of the ${chain.length} guarded alternatives (${chain.map((g) => g.arg).join('; ')}) exists in ${none.map((k) => k.label).join(', ')}: the program silently takes its fallback there`);
    }
  }
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length && i < open + 4000; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
    else if (text[i] === ';' || text[i] === '{') return -1;
  }
  return -1;
}
