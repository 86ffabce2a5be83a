// BCC's implicit kernel reads: `task->real_parent->tgid` in a kprobe compiles in BCC because its rewriter
// turns each dereference of a kernel pointer into bpf_probe_read. libbpf needs them written, as
// BPF_CORE_READ(task, real_parent, tgid). A chain is rewritten from the first `->` whose pointer points to a
// kernel struct (a BTF struct the file does not define itself); what comes before (a map value's member)
// stays a direct access. Address-of and array members read only the pointers before the last member;
// bitfields are read with BPF_CORE_READ_BITFIELD_PROBED. Types come from the file's declarations and BTF.
import type { Node, Tree } from 'web-tree-sitter';
import { Btf } from '../btf/btf';
import { Kind } from '../btf/wire';
import { CStruct, CVar, declaredVars } from '../csource/model';
import { ExprType, TypeEnv, deref, fromTypeText, step } from '../features/types';
import type { Span } from '../csource/model';
import { CAST_FUNCTIONS, MEMBER_ALIASES } from './compat';

export interface ImplicitRead {
  /** The chain as written. */
  span: Span;
  original: string;
  /** Its libbpf form. */
  replacement: string;
}

export interface ReadScope {
  /** Top-level variables. */
  globals: CVar[];
  structs: Map<string, CStruct>;
  btf: Btf;
}

/** A member access chain, outermost first undone: base, then each step. */
interface Step {
  op: '->' | '.' | '[]';
  text: string;
}

/** Every implicit kernel read inside `body` (a function's block), with context parameters left alone. */
export function implicitReads(
  tree: Tree, text: string, body: Span, params: string[], exclude: ReadonlySet<string>, scope: ReadScope, paramMemory?: 'kernel' | 'user',
): ImplicitRead[] {
  const block = blockAt(tree, body);
  if (!block) return [];
  const { env, typeOf } = bodyTypes(block, tree, text, body, params, exclude, scope);
  const out: ImplicitRead[] = [];
  for (const fe of block.descendantsOfType('field_expression')) {
    if (!fe || !isOutermost(fe)) continue;
    const r = rewriteChain(outermost(fe), text, env, typeOf);
    if (r && !out.some((o) => o.span.start <= r.span.start && r.span.end <= o.span.end)) out.push(r);
  }
  const paramNames = new Set(paramVars(tree, params, text, body).slice(1).map((p) => p.name));
  for (const pe of block.descendantsOfType(['pointer_expression', 'binary_expression', 'subscript_expression'])) {
    const r = pe && derefRead(pe, text, env, typeOf, paramMemory ? paramNames : new Set(), paramMemory ?? 'kernel', out);
    if (r && !out.some((o) => o.span.start <= r.span.start && r.span.end <= o.span.end)) out.push(r);
  }
  return out;
}

/**
 * Kernel struct members that chains inside `within` (a span of the function body `body`) name but the
 * kernel's BTF does not have (`task->state` on a kernel that has `__state`), as `struct.member`: such an
 * access does not compile against vmlinux.h.
 */
export function missingKernelMembers(tree: Tree, text: string, body: Span, params: string[], within: Span, scope: ReadScope): string[] {
  const block = blockAt(tree, body);
  if (!block) return [];
  const { env, typeOf } = bodyTypes(block, tree, text, body, params, new Set(), scope);
  const out = new Set<string>();
  for (const fe of block.descendantsOfType('field_expression')) {
    if (!fe || !isOutermost(fe) || fe.startIndex < within.start || fe.endIndex > within.end) continue;
    const chain = chainOf(fe, text);
    let t = chain && baseType(chain.base, text, env, typeOf)?.type;
    for (const s of chain?.steps ?? []) {
      if (!t) break;
      if (s.op === '[]') {
        t = deref(t, env);
        continue;
      }
      const m = step(t, s.op, s.text, env);
      const owner = s.op === '->' ? deref(t, env) : t;
      if (!m && owner?.kind === 'btf' && !Object.hasOwn(MEMBER_ALIASES, s.text)) out.add(`${env.btf.name(env.btf.resolve(owner.id))}.${s.text}`);
      t = m?.type;
    }
  }
  return [...out];
}

/** The type of each variable of a function body where it is used: globals, parameters, then locals in order. */
function bodyTypes(block: Node, tree: Tree, text: string, body: Span, params: string[], exclude: ReadonlySet<string>, scope: ReadScope): { env: TypeEnv; typeOf: TypeOf } {
  const env: TypeEnv = { btf: scope.btf, structs: scope.structs };
  const vars = new Map<string, { type: CVar['type']; start: number }[]>();
  const declare = (v: CVar, start: number) => vars.set(v.name, [...(vars.get(v.name) ?? []), { type: v.type, start }]);
  for (const g of scope.globals) declare(g, -1);
  for (const p of paramVars(tree, params, text, body)) declare(p, -1);
  for (const d of block.descendantsOfType(['declaration', 'parameter_declaration'])) if (d) for (const v of declaredVars(d)) declare(v, d.startIndex);
  const mapValues = mapValueNames(block, text);
  const fromKernel = kernelAssigned(block, text);
  const typeOf: TypeOf = (name, at) => {
    const decls = (vars.get(name) ?? []).filter((d) => d.start < at);
    const d = decls[decls.length - 1];
    if (!d) return undefined;
    const type = fromTypeText(d.type, env);
    // Context parameters and map values are memory the program may read directly: only what they point to is kernel memory.
    return { type, direct: exclude.has(name) || mapValues.has(name), localKernel: fromKernel.has(name) && type.kind === 'pointer' && type.target.kind === 'local' };
  };
  return { env, typeOf };
}

const SCALAR_TYPES = /^(u8|u16|u32|u64|s8|s16|s32|s64|__u8|__u16|__u32|__u64|__s8|__s16|__s32|__s64|u_int8_t|u_int16_t|u_int32_t|u_int64_t|uint8_t|uint16_t|uint32_t|uint64_t|int|char|long|short)$/;

/** The deref a node makes: `*x`, `(u8) *x` (which the grammar reads as a product), `x[i]`; its operand and span. */
function derefOf(n: Node): { operand: Node; span: Span; subscript?: Node } | undefined {
  if (n.type === 'pointer_expression') {
    const arg = n.childForFieldName('argument');
    return n.childForFieldName('operator')?.text === '*' && arg ? { operand: arg, span: { start: n.startIndex, end: n.endIndex } } : undefined;
  }
  if (n.type === 'binary_expression') {
    const left = n.childForFieldName('left');
    const op = n.childForFieldName('operator');
    const right = n.childForFieldName('right');
    const ty = left?.type === 'parenthesized_expression' && left.namedChildCount === 1 ? left.namedChild(0) : null;
    if (op?.text !== '*' || !right || !ty || ty.type !== 'identifier' || !SCALAR_TYPES.test(ty.text)) return undefined;
    return { operand: right, span: { start: op.startIndex, end: right.endIndex } };
  }
  const arg = n.childForFieldName('argument');
  const idx = n.childForFieldName('index') ?? n.namedChild(1);
  return arg && idx && (arg.type === 'identifier' || arg.type === 'parenthesized_expression') ? { operand: arg, span: { start: n.startIndex, end: n.endIndex }, subscript: idx } : undefined;
}

type TypeOf = (name: string, at: number) => TypeInfo | undefined;

interface TypeInfo {
  type: ExprType;
  /** Program memory (context, map value): readable directly. */
  direct: boolean;
  /** A pointer to the file's own copy of a kernel struct, assigned from kernel memory (BCC's partial structs): read without CO-RE. */
  localKernel?: boolean;
}

/**
 * `*p` where p is a probe's pointer argument, or `*(&task->x - 2)`: memory BCC read with bpf_probe_read,
 * read here the same way (the value through a statement expression).
 */
function derefRead(pe: Node, text: string, env: TypeEnv, typeOf: TypeOf, params: Set<string>, memory: 'kernel' | 'user', reads: ImplicitRead[]): ImplicitRead | undefined {
  const d = derefOf(pe);
  if (!d || isWritten(pe) || takesAddress(pe) || insideReadMacro(pe, text)) return undefined;
  if (d.subscript && pe.parent?.type === 'field_expression') return undefined;
  const arg = d.operand;
  let inner = arg;
  while ((inner.type === 'parenthesized_expression' && inner.namedChildCount === 1) || inner.type === 'cast_expression') inner = inner.type === 'cast_expression' ? inner.childForFieldName('value')! : inner.namedChild(0)!;
  const info = inner.type === 'identifier' ? typeOf(inner.text, inner.startIndex) : undefined;
  const isParam = inner.type === 'identifier' && params.has(inner.text) && info?.type.kind !== 'other';
  // `sgs[i]` of a `struct scatterlist **`: an array of kernel pointers lives in kernel memory too.
  const pointee = info && deref(info.type, env);
  const kernelBase = !!info && !info.direct && (isKernelPointer(info.type, env) || (!!d.subscript && !!pointee && isKernelPointer(pointee, env)));
  if (d.subscript && !isParam && !kernelBase) return undefined;
  const fromKernelAddress = inner.descendantsOfType('pointer_expression').some((a) => {
    if (a?.childForFieldName('operator')?.text !== '&') return false;
    const target = a.childForFieldName('argument');
    const chain = target && (target.type === 'field_expression' ? chainOf(target, text) : undefined);
    const bt = chain && baseType(chain.base, text, env, typeOf);
    return !!bt && !bt.direct && isKernelPointer(bt.type, env);
  });
  if (!isParam && !fromKernelAddress && !(d.subscript && kernelBase)) return undefined;
  let operand = text.slice(arg.startIndex, arg.endIndex);
  for (const r of [...reads].filter((x) => x.span.start >= arg.startIndex && x.span.end <= arg.endIndex).sort((a, b) => b.span.start - a.span.start)) {
    operand = operand.slice(0, r.span.start - arg.startIndex) + r.replacement + operand.slice(r.span.end - arg.startIndex);
  }
  const variant = isParam ? memory : 'kernel';
  const value = d.subscript ? `${operand}[${text.slice(d.subscript.startIndex, d.subscript.endIndex)}]` : `*${operand}`;
  const address = d.subscript ? `&${value}` : operand;
  return {
    span: d.span, original: text.slice(d.span.start, d.span.end),
    replacement: `({ typeof(${value}) __val; bpf_probe_read_${variant}(&__val, sizeof(__val), ${address}); __val; })`,
  };
}

function blockAt(tree: Tree, body: Span): Node | undefined {
  const n = tree.rootNode.descendantForIndex(body.start, body.start + 1);
  if (n?.type === 'compound_statement') return n;
  if (n?.parent?.type === 'compound_statement' && n.parent.startIndex === body.start) return n.parent;
  return undefined;
}

/** The parameters as variables, from their text (`struct sock *sk`). */
function paramVars(tree: Tree, params: string[], _text: string, _body: Span): CVar[] {
  const out: CVar[] = [];
  for (const p of params) {
    const m = /^(?:const\s+)?((?:struct|union|enum)\s+\w+|(?:unsigned\s+|signed\s+)?\w+(?:\s+(?:long|int|char))*)\s*((?:\*\s*|const\s+|__user\s+)*)\s*(\w+)\s*((?:\[[^\]]*\])*)$/.exec(p.trim());
    if (!m) continue;
    out.push({ name: m[3], type: { base: m[1].replace(/\s+/g, ' '), pointers: (m[2].match(/\*/g) ?? []).length, arrays: m[4] ? [0] : [], isConst: false }, span: { start: 0, end: 0 } });
  }
  void tree;
  return out;
}

/** Locals assigned a cast of kernel memory (`my_q = (struct cfs_rq_partial *)task->se.cfs_rq`). */
function kernelAssigned(block: Node, text: string): Set<string> {
  const out = new Set<string>();
  const fromKernel = (v: Node | null) => !!v && v.type === 'cast_expression' && /->|bpf_get_current_task\s*\(/.test(text.slice(v.startIndex, v.endIndex));
  for (const d of block.descendantsOfType('init_declarator')) if (d && fromKernel(d.childForFieldName('value'))) out.add(lastIdentifier(d.childForFieldName('declarator') ?? null));
  for (const a of block.descendantsOfType('assignment_expression')) {
    const left = a?.childForFieldName('left');
    if (a && left?.type === 'identifier' && fromKernel(a.childForFieldName('right'))) out.add(left.text);
  }
  return out;
}

/** Locals assigned a map lookup's result: pointers into map memory, read directly. */
function mapValueNames(block: Node, text: string): Set<string> {
  const out = new Set<string>();
  const isLookup = (v: Node | null) => !!v && /\.(lookup\w*|ringbuf_reserve)\s*\(|bpf_map_lookup_elem\s*\(|bpf_ringbuf_reserve\s*\(/.test(text.slice(v.startIndex, v.endIndex));
  for (const d of block.descendantsOfType('init_declarator')) {
    const name = d?.childForFieldName('declarator');
    if (d && isLookup(d.childForFieldName('value'))) out.add(lastIdentifier(name ?? null));
  }
  for (const a of block.descendantsOfType('assignment_expression')) {
    const left = a?.childForFieldName('left');
    if (a && left?.type === 'identifier' && isLookup(a.childForFieldName('right'))) out.add(left.text);
  }
  return out;
}

function lastIdentifier(n: Node | null): string {
  while (n && n.type !== 'identifier') n = n.childForFieldName('declarator');
  return n?.text ?? '';
}

/** A field or subscript expression that no enclosing field/subscript expression continues. */
function isOutermost(fe: Node): boolean {
  const p = fe.parent;
  if (!p) return true;
  if (p.type === 'field_expression' && p.childForFieldName('argument')?.id === fe.id) return false;
  if (p.type === 'subscript_expression' && p.childForFieldName('argument')?.id === fe.id) return false;
  return true;
}

/** A field expression may still sit inside subscripts that continue the chain (`a->arr[i]`). */
function outermost(fe: Node): Node {
  return fe;
}

function chainOf(node: Node, text: string): { base: Node; steps: Step[] } | undefined {
  const steps: Step[] = [];
  let n: Node | null = node;
  while (n && (n.type === 'field_expression' || n.type === 'subscript_expression')) {
    if (n.type === 'field_expression') {
      const op = n.childForFieldName('operator')?.text === '->' ? '->' : '.';
      const field = n.childForFieldName('field');
      if (!field) return undefined;
      steps.unshift({ op, text: text.slice(field.startIndex, field.endIndex) });
    } else {
      const idx = n.childForFieldName('index') ?? n.namedChild(1);
      if (!idx) return undefined;
      steps.unshift({ op: '[]', text: `[${text.slice(idx.startIndex, idx.endIndex)}]` });
    }
    n = n.childForFieldName('argument');
  }
  return n ? { base: n, steps } : undefined;
}

function baseType(base: Node, text: string, env: TypeEnv, typeOf: TypeOf): TypeInfo | undefined {
  let b = base;
  while (b.type === 'parenthesized_expression' && b.namedChildCount === 1) b = b.namedChild(0)!;
  if (b.type === 'identifier') return typeOf(b.text, b.startIndex);
  if (b.type === 'call_expression') {
    const cast = CAST_FUNCTIONS[b.childForFieldName('function')?.text ?? ''];
    return cast ? { type: fromTypeText({ base: cast, pointers: 1, arrays: [], isConst: false }, env), direct: false } : undefined;
  }
  if (b.type === 'cast_expression') {
    const t = b.childForFieldName('type');
    const m = t && /^(?:const\s+)?((?:struct|union)\s+\w+|\w+)\s*((?:\*\s*)*)$/.exec(text.slice(t.startIndex, t.endIndex).trim());
    if (!m) return undefined;
    const inner = b.childForFieldName('value');
    const from = inner && inner.type === 'identifier' ? typeOf(inner.text, inner.startIndex) : undefined;
    return { type: fromTypeText({ base: m[1].replace(/\s+/g, ' '), pointers: (m[2].match(/\*/g) ?? []).length, arrays: [], isConst: false }, env), direct: !!from?.direct };
  }
  return undefined;
}

/** A pointer to a struct or union the kernel defines (BTF), not one the file defines. */
function isKernelPointer(t: ExprType | undefined, env: TypeEnv): boolean {
  const target = t && deref(t, env);
  if (!target || target.kind !== 'btf') return false;
  const id = env.btf.resolve(target.id);
  const k = env.btf.kind(id);
  return k === Kind.Struct || k === Kind.Union;
}

interface Walk {
  /** Index of the first kernel dereference. */
  first: number;
  lastIsArray: boolean;
  lastIsBitfield: boolean;
}

function walk(steps: Step[], start: ExprType, env: TypeEnv, direct: boolean, localKernel = false): Walk | undefined {
  let t: ExprType | undefined = start;
  let first = -1;
  let lastIsArray = false;
  let lastIsBitfield = false;
  for (let i = 0; i < steps.length && t; i++) {
    const s = steps[i];
    if (s.op === '->' && first < 0 && !(direct && i === 0) && (isKernelPointer(t, env) || (i === 0 && localKernel))) first = i;
    if (s.op === '[]') {
      t = deref(t, env);
      lastIsArray = false;
      lastIsBitfield = false;
      continue;
    }
    let m = step(t, s.op, s.text, env);
    if (!m && Object.hasOwn(MEMBER_ALIASES, s.text)) {
      // `sk->sk_family` is a header #define for `sk->__sk_common.skc_family`: follow (and write) the real path.
      const path = MEMBER_ALIASES[s.text].split('.');
      m = step(t, s.op, path[0], env);
      for (const p of path.slice(1)) m = m && step(m.type, '.', p, env);
      if (m) s.text = MEMBER_ALIASES[s.text];
    }
    if (!m) return undefined;
    t = m.type;
    lastIsBitfield = !!m.bitSize;
    lastIsArray = isArray(t, env);
  }
  if (!t || first < 0) return undefined;
  return { first, lastIsArray, lastIsBitfield };
}

function isArray(t: ExprType, env: TypeEnv): boolean {
  if (t.kind === 'array') return true;
  return t.kind === 'btf' && env.btf.kind(env.btf.resolve(t.id)) === Kind.Array;
}

/** The chain's groups after the first kernel dereference: each `->` starts one, `.x` and `[i]` extend it. */
function groupsOf(steps: Step[]): string[] {
  const groups: string[] = [];
  for (const s of steps) {
    if (s.op === '->' || groups.length === 0) groups.push(s.text);
    else groups[groups.length - 1] += s.op === '.' ? `.${s.text}` : s.text;
  }
  return groups;
}

function rewriteChain(node: Node, text: string, env: TypeEnv, typeOf: TypeOf): ImplicitRead | undefined {
  if (isWritten(node) || insideReadMacro(node, text)) return undefined;
  const chain = chainOf(node, text);
  if (!chain) return undefined;
  const bt = baseType(chain.base, text, env, typeOf);
  if (!bt) return undefined;
  const w = walk(chain.steps, bt.type, env, bt.direct, bt.localKernel);
  if (!w) return undefined;
  const prefixEnd = w.first === 0 ? chain.base.endIndex : endOfStep(node, chain.steps.length - w.first);
  let prefix = text.slice(chain.base.startIndex, prefixEnd);
  if (chain.base.type === 'cast_expression' && w.first === 0) prefix = `(${prefix})`;
  const groups = groupsOf(chain.steps.slice(w.first));
  const addressOnly = takesAddress(node) || (w.lastIsArray && !(node.parent?.type === 'subscript_expression'));
  const original = text.slice(node.startIndex, node.endIndex);
  // A prefix through program memory (`valp->fp`) is read before the macro: inside it, the access would be relocated too.
  const hoist = w.first > 0 || /[.>]/.test(prefix);
  const macro = bt.localKernel ? 'BPF_PROBE_READ' : 'BPF_CORE_READ';
  const read = (gs: string[]) => (gs.length === 0 ? prefix
    : hoist ? `({ typeof(${prefix}) __p = ${prefix}; ${macro}(__p, ${gs.join(', ')}); })` : `${macro}(${prefix}, ${gs.join(', ')})`);
  let replacement: string;
  if (addressOnly || w.lastIsBitfield) {
    if (groups.length === 1 && !w.lastIsBitfield) return undefined;
    const last = groups[groups.length - 1];
    replacement = w.lastIsBitfield && !addressOnly ? `BPF_CORE_READ_BITFIELD_PROBED(${read(groups.slice(0, -1))}, ${last})` : `${read(groups.slice(0, -1))}->${last}`;
    if (addressOnly && groups.length === 1) return undefined;
  } else {
    replacement = read(groups);
  }
  return { span: { start: node.startIndex, end: node.endIndex }, original, replacement };
}

/** The end offset of the chain with its last `n` steps removed. */
function endOfStep(node: Node, n: number): number {
  let cur: Node = node;
  for (let i = 0; i < n; i++) cur = cur.childForFieldName('argument') ?? cur;
  return cur.endIndex;
}

function isWritten(node: Node): boolean {
  const p = node.parent;
  if (!p) return false;
  if (p.type === 'assignment_expression' && p.childForFieldName('left')?.id === node.id) return true;
  if (p.type === 'update_expression') return true;
  return false;
}

function takesAddress(node: Node): boolean {
  let p = node.parent;
  while (p?.type === 'parenthesized_expression') p = p.parent;
  return p?.type === 'pointer_expression' && p.childForFieldName('operator')?.text === '&';
}

const READ_CALLS = /^(BPF_CORE_READ\w*|BPF_PROBE_READ\w*|bpf_core_\w+|__builtin_preserve_\w+|sizeof|offsetof|TP_DATA_LOC_READ\w*)$/;

function insideReadMacro(node: Node, text: string): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'sizeof_expression' || p.type === 'offsetof_expression') return true;
    if (p.type === 'call_expression') {
      const fn = p.childForFieldName('function');
      if (fn && READ_CALLS.test(text.slice(fn.startIndex, fn.endIndex))) return true;
    }
    if (p.type === 'compound_statement' && p.parent?.type === 'function_definition') break;
  }
  return false;
}
