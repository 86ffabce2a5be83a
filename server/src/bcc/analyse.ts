// Reading a BCC program from its tree-sitter tree (and the text, for macro arguments, which are types the
// grammar cannot parse): its tables, table method calls, probes, kernel-header includes, bpf_probe_read
// calls, `args->` uses and placeholders. Attach targets the Python sets (attach_kprobe(event=..., fn_name=...))
// are handed in by the caller. Nothing here decides whether the file is BCC: see isBccSource.
import type { Node, Tree } from 'web-tree-sitter';
import type { Span } from '../csource/model';
import {
  AttachTarget, BccArgsUse, BccInclude, BccMethodCall, BccPlaceholder, BccProbe, BccProbeRead, BccProgram, BccTable,
} from './model';
import { matchingClose, nextCodeChar, splitArgs } from './scan';
import {
  CONTEXT_TYPES, GENERIC_TABLE_MACROS, KERNEL_HEADER, KNOWN_PLACEHOLDERS, LIBBPF_HEADERS, PROBE_MACROS, PROBE_PREFIXES, ProbeKind, TABLE_MACROS,
  TABLE_METHODS, mapTypeOf,
} from './tables';

export interface AnalyseOptions {
  /** Function name -> where the Python attaches it. */
  attaches?: ReadonlyMap<string, readonly AttachTarget[]>;
  /** Names the Python substitutes in the text (`bpf_text.replace('FILTER', ...)`). */
  placeholders?: ReadonlySet<string>;
}

const span = (n: Node): Span => ({ start: n.startIndex, end: n.endIndex });

export function analyseBcc(tree: Tree, text: string, opts: AnalyseOptions = {}): BccProgram {
  const out: BccProgram = { tables: [], methodCalls: [], probes: [], includes: [], probeReads: [], argsUses: [], placeholders: [], functions: [] };
  const top = tree.rootNode.namedChildren.filter((n): n is Node => !!n);
  let consumedTo = -1;
  for (let i = 0; i < top.length; i++) {
    const n = top[i];
    if (n.startIndex < consumedTo) continue;
    if (n.type === 'preproc_include') continue;
    const macroProbe = probeMacroAt(n, text);
    if (macroProbe) {
      out.probes.push(macroProbe);
      consumedTo = macroProbe.body.end;
      continue;
    }
    if (n.type === 'function_definition') {
      const fn = plainFunction(n, text, opts.attaches);
      if (fn && 'probe' in fn) out.probes.push(fn.probe);
      else if (fn) out.functions.push(fn);
      continue;
    }
    for (const call of n.descendantsOfType('call_expression')) if (call) tableAt(call, n, text, out.tables);
  }
  for (const n of tree.rootNode.descendantsOfType('preproc_include')) {
    const inc = n && includeOf(n, text);
    if (inc) out.includes.push(inc);
  }
  const tables = new Set(out.tables.map((t) => t.name));
  const calls = tree.rootNode.descendantsOfType('call_expression').filter((c): c is Node => !!c);
  for (const c of calls) {
    const m = methodCallOf(c, text, tables);
    if (m) out.methodCalls.push(m);
  }
  out.probeReads = probeReadsOf(calls, text, out.probes);
  out.argsUses = argsUsesOf(tree, out.probes);
  out.placeholders = placeholdersOf(tree, text, opts.placeholders);
  return out;
}

function includeOf(n: Node, text: string): BccInclude | undefined {
  const path = n.childForFieldName('path');
  if (path?.type !== 'system_lib_string') return undefined;
  const p = text.slice(path.startIndex + 1, path.endIndex - 1);
  return KERNEL_HEADER.test(p) ? { path: p, span: span(n) } : undefined;
}

/** `BPF_HASH(name, key, value, size);` anywhere outside a function: one table. */
function tableAt(call: Node, stmt: Node, text: string, tables: BccTable[]): void {
  const fn = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (fn?.type !== 'identifier' || !args) return;
  const macro = text.slice(fn.startIndex, fn.endIndex);
  if (!Object.hasOwn(TABLE_MACROS, macro) && !GENERIC_TABLE_MACROS.has(macro)) return;
  const close = matchingClose(text, args.startIndex);
  if (close < 0) return;
  const a = splitArgs(text, args.startIndex, close);
  const semi = nextCodeChar(text, close + 1, ';');
  const end = semi >= 0 && text.slice(close + 1, semi).trim() === '' ? semi + 1 : close + 1;
  const start = Math.min(call.startIndex, stmt.type === 'declaration' || stmt.type === 'expression_statement' ? stmt.startIndex : call.startIndex);
  const t = GENERIC_TABLE_MACROS.has(macro) ? genericTable(macro, a) : namedTable(macro, a);
  if (t) tables.push({ ...t, span: { start, end } });
}

function namedTable(macro: string, a: { text: string; span: Span }[]): Omit<BccTable, 'span'> | undefined {
  const def = TABLE_MACROS[macro];
  if (a.length < def.required) return undefined;
  const got: Partial<Record<string, string>> = {};
  def.params.forEach((p, i) => (got[p] = a[i]?.text));
  const key = got.key ?? def.defaults.key;
  const table: Omit<BccTable, 'span'> = {
    name: a[0].text, nameSpan: a[0].span, macro, bccType: def.bccType, key, value: got.value ?? def.defaults.value,
    size: got.size ?? def.defaults.size, pages: got.pages, flags: got.flags ?? def.defaults.flags, inner: got.inner?.replace(/^"|"$/g, ''),
  };
  table.mapType = mapTypeOf(def.bccType, key ?? '');
  return table;
}

/** BPF_TABLE("type", key, value, name, size[, ...]) and BPF_F_TABLE("type", key, value, name, size, flags). */
function genericTable(macro: string, a: { text: string; span: Span }[]): Omit<BccTable, 'span'> | undefined {
  if (a.length < 5) return undefined;
  const bccType = a[0].text.replace(/^"|"$/g, '').replace(/[:$].*$/, '');
  return {
    name: a[3].text, nameSpan: a[3].span, macro, bccType, mapType: mapTypeOf(bccType, a[1].text), key: a[1].text, value: a[2].text, size: a[4].text,
    flags: macro === 'BPF_F_TABLE' ? a[5]?.text : undefined,
  };
}

/** `TRACEPOINT_PROBE(sched, sched_switch) { ... }` and friends, however the grammar split them. */
function probeMacroAt(n: Node, text: string): BccProbe | undefined {
  const head = /^(\w+)\s*\(/.exec(text.slice(n.startIndex, n.startIndex + 64));
  if (!head || !Object.hasOwn(PROBE_MACROS, head[1])) return undefined;
  const macro = head[1];
  const open = n.startIndex + head[0].length - 1;
  const close = matchingClose(text, open);
  const brace = close < 0 ? -1 : nextCodeChar(text, close + 1, '{');
  if (brace < 0 || text.slice(close + 1, brace).trim() !== '') return undefined;
  const end = matchingClose(text, brace);
  if (end < 0) return undefined;
  const macroArgs = splitArgs(text, open, close).map((a) => a.text);
  const def = PROBE_MACROS[macro];
  const simple = (s: string) => s.trim();
  const kindArgs = macro === 'TRACEPOINT_PROBE' ? [] : macroArgs.slice(macro.startsWith('MODULE_') ? 2 : 1);
  return {
    name: def.program(macroArgs.map(simple)), kind: def.kind, via: 'macro', macro, macroArgs,
    target: macro === 'TRACEPOINT_PROBE' ? `${macroArgs[0]}/${macroArgs[1]}` : macro.startsWith('MODULE_') ? macroArgs[1] : macroArgs[0],
    moreTargets: [], params: kindArgs, head: { start: n.startIndex, end: brace }, body: { start: brace, end: end + 1 },
    nameSpan: { start: n.startIndex, end: n.startIndex + macro.length },
  };
}

interface PlainFunction {
  name: string;
  span: Span;
  params: string[];
  body: Span;
}

/** A function definition: a probe by its name, its attach in the Python, or its context parameter; else a helper. */
function plainFunction(n: Node, text: string, attaches?: ReadonlyMap<string, readonly AttachTarget[]>): { probe: BccProbe } | PlainFunction | undefined {
  let decl = n.childForFieldName('declarator');
  while (decl?.type === 'pointer_declarator') decl = decl.childForFieldName('declarator');
  const nameNode = decl?.type === 'function_declarator' ? decl.childForFieldName('declarator') : null;
  const paramList = decl?.childForFieldName('parameters');
  const body = n.childForFieldName('body');
  if (!nameNode || nameNode.type !== 'identifier' || !paramList || !body) return undefined;
  const name = text.slice(nameNode.startIndex, nameNode.endIndex);
  const params = paramList.namedChildren.filter((p): p is Node => p?.type === 'parameter_declaration').map((p) => text.slice(p.startIndex, p.endIndex).replace(/\s+/g, ' '));
  const isStatic = n.children.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
  const base = { name, params, head: { start: n.startIndex, end: body.startIndex }, body: span(body), nameSpan: span(nameNode), moreTargets: [] as string[], macroArgs: [] };
  const attached = attaches?.get(name);
  if (attached && attached.length > 0) {
    const targets = attached.map((a) => a.target).filter((t): t is string => !!t);
    return { probe: { ...base, kind: attached[0].kind, target: targets[0], moreTargets: [...new Set(targets.slice(1))].filter((t) => t !== targets[0]), via: 'python' } };
  }
  const prefix = PROBE_PREFIXES.find((p) => name.startsWith(p) && name.length > p.length);
  if (prefix && !isStatic) {
    const kind: ProbeKind = prefix === 'kprobe__' ? 'kprobe' : prefix === 'kretprobe__' ? 'kretprobe' : 'ksyscall';
    return { probe: { ...base, kind, target: name.slice(prefix.length), via: 'prefix' } };
  }
  const ctxType = params[0]?.replace(/\s*\*\s*\w*$/, '').replace(/^const /, '');
  if (!attaches && !isStatic && ctxType && (ctxType === 'struct pt_regs' || ctxType === 'struct bpf_perf_event_data')) {
    return { probe: { ...base, kind: ctxType === 'struct pt_regs' ? 'kprobe' : 'perf_event', via: 'context' } };
  }
  return { name, span: span(n), params, body: span(body) };
}

function methodCallOf(c: Node, text: string, tables: ReadonlySet<string>): BccMethodCall | undefined {
  const fn = c.childForFieldName('function');
  const args = c.childForFieldName('arguments');
  if (fn?.type !== 'field_expression' || !args) return undefined;
  const obj = fn.childForFieldName('argument');
  const field = fn.childForFieldName('field');
  if (obj?.type !== 'identifier' || !field || fn.childForFieldName('operator')?.text !== '.') return undefined;
  const table = text.slice(obj.startIndex, obj.endIndex);
  const method = text.slice(field.startIndex, field.endIndex);
  if (!tables.has(table) || !Object.hasOwn(TABLE_METHODS, method)) return undefined;
  const close = matchingClose(text, args.startIndex);
  return { table, method, args: close < 0 ? [] : splitArgs(text, args.startIndex, close), span: span(c), calleeSpan: span(fn) };
}

const SYSCALL_KINDS = new Set<ProbeKind>(['ksyscall', 'kretsyscall']);

function probeReadsOf(calls: Node[], text: string, probes: BccProbe[]): BccProbeRead[] {
  const out: BccProbeRead[] = [];
  for (const c of calls) {
    const fn = c.childForFieldName('function');
    const args = c.childForFieldName('arguments');
    if (fn?.type !== 'identifier' || !args || (fn.text !== 'bpf_probe_read' && fn.text !== 'bpf_probe_read_str')) continue;
    const close = matchingClose(text, args.startIndex);
    const a = close < 0 ? [] : splitArgs(text, args.startIndex, close);
    const probe = probes.find((p) => p.body.start <= c.startIndex && c.endIndex <= p.body.end);
    out.push({ callee: fn.text, calleeSpan: span(fn), span: span(c), args: a, variant: readsUser(a[2]?.text ?? '', probe, text) ? 'user' : 'kernel' });
  }
  return out;
}

/** A source pointer is user memory when it is a `__user` parameter or a syscall's argument. */
function readsUser(src: string, probe: BccProbe | undefined, _text: string): boolean {
  if (!probe) return false;
  const base = /^[(&*\s]*(?:\([^)]*\)\s*)*(\w+)/.exec(src)?.[1];
  const param = probe.params.find((p) => base && new RegExp(`\\b${base}$`).test(p));
  if (param && /\b__user\b/.test(param)) return true;
  if (SYSCALL_KINDS.has(probe.kind) && param && probe.params.indexOf(param) > 0) return true;
  return probe.kind === 'tracepoint' && /^syscalls\/sys_enter_/.test(probe.target ?? '') && /^args->/.test(src.replace(/^[(&*\s]*(?:\([^)]*\)\s*)*/, ''));
}

function argsUsesOf(tree: Tree, probes: BccProbe[]): BccArgsUse[] {
  const out: BccArgsUse[] = [];
  for (const p of probes) {
    if (p.macro !== 'TRACEPOINT_PROBE') continue;
    const body = tree.rootNode.descendantForIndex(p.body.start, p.body.start + 1);
    const block = body?.type === 'compound_statement' ? body : body?.parent;
    const nodes = block ? block.descendantsOfType('field_expression') : [];
    for (const fe of nodes) {
      if (!fe || fe.startIndex < p.body.start || fe.endIndex > p.body.end) continue;
      const arg = fe.childForFieldName('argument');
      if (arg?.type === 'identifier' && arg.text === 'args' && fe.childForFieldName('operator')?.text === '->') {
        out.push({ probe: p.name, field: fe.childForFieldName('field')?.text ?? '', span: span(fe), read: isRead(fe) });
      }
    }
  }
  return out;
}

/** A value read: not written, not under `&`, not continued by `.x`, `[i]` or a call. */
function isRead(fe: Node): boolean {
  let n = fe;
  while (n.parent?.type === 'parenthesized_expression') n = n.parent;
  const p = n.parent;
  if (!p) return true;
  if (p.type === 'assignment_expression' && p.childForFieldName('left')?.id === n.id) return false;
  if (p.type === 'update_expression') return false;
  if (p.type === 'pointer_expression' && p.childForFieldName('operator')?.text === '&') return false;
  if ((p.type === 'field_expression' || p.type === 'subscript_expression' || p.type === 'call_expression') && p.namedChild(0)?.id === n.id) return false;
  if (p.type === 'sizeof_expression') return false;
  return true;
}

function placeholdersOf(tree: Tree, text: string, fromPython?: ReadonlySet<string>): BccPlaceholder[] {
  const defined = new Set<string>();
  for (const d of tree.rootNode.descendantsOfType(['preproc_def', 'preproc_function_def'])) {
    const name = d?.childForFieldName('name');
    if (name) defined.add(name.text);
  }
  const out: BccPlaceholder[] = [];
  if (fromPython) {
    // The Python replaces text, not tokens (`##FILTER_FAMILY##`): every occurrence outside comments and strings.
    for (const key of fromPython) {
      if (defined.has(key) || !key.trim()) continue;
      const re = new RegExp(`${/^\w/.test(key) ? '\\b' : ''}${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${/\w$/.test(key) ? '\\b' : ''}`, 'g');
      for (const m of text.matchAll(re)) {
        const node = tree.rootNode.descendantForIndex(m.index!, m.index! + 1);
        if (node && /comment|string|char_literal|system_lib_string/.test(node.type)) continue;
        out.push({ name: key, span: { start: m.index!, end: m.index! + key.length } });
      }
    }
    return out.sort((a, b) => a.span.start - b.span.start);
  }
  for (const id of tree.rootNode.descendantsOfType(['identifier', 'type_identifier'])) {
    if (!id) continue;
    const name = text.slice(id.startIndex, id.endIndex);
    if (defined.has(name) || !KNOWN_PLACEHOLDERS.has(name) || !standsAlone(id)) continue;
    out.push({ name, span: span(id) });
  }
  return out;
}

/** A known placeholder counts in C alone only where it stands as a statement (`FILTER` on its own line). */
function standsAlone(id: Node): boolean {
  const p = id.parent;
  return !!p && (p.type === 'expression_statement' || p.type === 'ERROR' || p.type === 'compound_statement' || (p.type === 'declaration' && p.childForFieldName('type')?.id === id.id));
}

/**
 * BCC code: C from a Python `BPF(text=...)`, or C that uses BCC's table or probe macros (or its probe naming
 * next to kernel-header includes) without defining them, includes no libbpf header and declares no SEC().
 */
export function isBccSource(tree: Tree, text: string, program: BccProgram, fromPython = false): boolean {
  if (fromPython) return true;
  const root = tree.rootNode;
  for (const inc of root.descendantsOfType('preproc_include')) {
    const path = inc?.childForFieldName('path');
    if (path && LIBBPF_HEADERS.test(text.slice(path.startIndex + 1, path.endIndex - 1))) return false;
  }
  const defined = new Set<string>();
  for (const d of root.descendantsOfType(['preproc_def', 'preproc_function_def'])) {
    const name = d?.childForFieldName('name');
    if (name) defined.add(name.text);
  }
  for (const c of root.descendantsOfType('call_expression')) {
    if (c?.childForFieldName('function')?.text === 'SEC') return false;
  }
  const macros = [...program.tables.map((t) => t.macro), ...program.probes.filter((p) => p.macro).map((p) => p.macro!)];
  if (macros.some((m) => !defined.has(m))) return true;
  const named = program.probes.some((p) => p.via === 'prefix');
  return named && program.includes.length > 0;
}

/** Whether the first parameter of a probe is its context (never a kernel pointer to follow). */
export function isContextParam(param: string | undefined): boolean {
  const type = param?.replace(/\s*\*\s*\w*$/, '').replace(/^const /, '');
  return !!type && CONTEXT_TYPES.has(type);
}
