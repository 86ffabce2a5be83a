// CO-RE guards: `if (bpf_core_field_exists(...))`, `bpf_core_type_exists(...)`,
// `bpf_core_enum_value_exists(...)` and `LINUX_KERNEL_VERSION >= KERNEL_VERSION(a, b, c)` decide, per
// kernel, which accesses a program makes there. An access in a branch whose guard is false in a kernel
// is not reported for that kernel.
import type { Node, Tree } from 'web-tree-sitter';
import { Kind } from '../btf/wire';
import { enumValues } from './kernel-support';
import { expressionType, Scope } from './expression';
import { essentialName } from '../relocs/relo-core';
import { ExprType, baseType, deref, member } from './types';
import { Kernel, kernelVersionCode } from '../kernels/kernel';
import type { ParsedFile } from './service-context';

export interface Guard {
  fn: 'field_exists' | 'type_exists' | 'enum_value_exists' | 'kernel_version';
  /** The macro's argument text; for a version guard, the operator and the KERNEL_VERSION code (`>= 330240`). */
  arg: string;
  /** Written as `!bpf_core_...(...)`. */
  negated: boolean;
  /** Where the guard call sits, for diagnostics. */
  start: number;
  end: number;
}

const CORE_GUARDS: Record<string, Guard['fn']> = {
  bpf_core_field_exists: 'field_exists',
  bpf_core_type_exists: 'type_exists',
  bpf_core_enum_value_exists: 'enum_value_exists',
};

/** `!guard`, through parentheses. */
function isNegated(call: Node): boolean {
  let n = call.parent;
  while (n?.type === 'parenthesized_expression') n = n.parent;
  return n?.type === 'unary_expression' && n.childForFieldName('operator')?.text === '!';
}

/** `LINUX_KERNEL_VERSION >= KERNEL_VERSION(a, b, c)`: the operator and the version code. */
function versionComparison(n: Node): { op: string; code: number } | undefined {
  const left = n.childForFieldName('left');
  const right = n.childForFieldName('right');
  const op = n.childForFieldName('operator')?.text;
  if (left?.text !== 'LINUX_KERNEL_VERSION' || right?.type !== 'call_expression' || !op || !/^(>=|<=|==|!=|>|<)$/.test(op)) return undefined;
  if (right.childForFieldName('function')?.text !== 'KERNEL_VERSION') return undefined;
  const parts = right.childForFieldName('arguments')?.namedChildren.filter((a) => a?.type !== 'comment') ?? [];
  if (parts.length !== 3 || parts.some((p) => p?.type !== 'number_literal')) return undefined;
  const [major, minor, patch] = parts.map((p) => Number(p!.text));
  return { op, code: kernelVersionCode(major, minor, patch) };
}

/** Whether code may hold a guard: most holds none, and its text says so without walks of the tree. */
const mayHoldGuard = (text: string) => text.includes('bpf_core_') || text.includes('LINUX_KERNEL_VERSION');

/** The CO-RE guards a condition holds, in order. */
export function guardsIn(condition: Node): Guard[] {
  if (!mayHoldGuard(condition.text)) return [];
  const out: Guard[] = [];
  for (const call of condition.descendantsOfType('call_expression')) {
    const fn = call && CORE_GUARDS[call.childForFieldName('function')?.text ?? ''];
    const args = call?.childForFieldName('arguments');
    if (!call || !fn || !args) continue;
    out.push({ fn, arg: args.text.slice(1, -1).trim(), negated: isNegated(call), start: call.startIndex, end: call.endIndex });
  }
  for (const cmp of condition.descendantsOfType('binary_expression')) {
    const v = cmp && versionComparison(cmp);
    if (v) out.push({ fn: 'kernel_version', arg: `${v.op} ${v.code}`, negated: false, start: cmp!.startIndex, end: cmp!.endIndex });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Whether a guard is true in the kernel of `scope.env`; undefined when it cannot be decided. */
export function guardHolds(g: Guard, scope: Scope): boolean | undefined {
  const btf = scope.env.btf;
  let v: boolean | undefined;
  if (g.fn === 'kernel_version') {
    const [op, code] = g.arg.split(' ');
    const have = scope.kernelVersion;
    if (have === undefined) return undefined;
    const want = Number(code);
    v = op === '>=' ? have >= want : op === '>' ? have > want : op === '<=' ? have <= want : op === '<' ? have < want : op === '==' ? have === want : have !== want;
  } else if (g.fn === 'field_exists') {
    v = fieldExists(g.arg, scope);
    if (v === undefined) return undefined;
  } else if (g.fn === 'type_exists') {
    const m = /^(struct|union|enum)\s+(\w+)$/.exec(g.arg) ?? /^()(\w+)$/.exec(g.arg);
    if (!m) return undefined;
    const name = essentialName(m[2]);
    const kind = m[1] === 'struct' ? Kind.Struct : m[1] === 'union' ? Kind.Union : m[1] === 'enum' ? Kind.Enum : Kind.Typedef;
    v = btf.findFirst(name, kind) !== undefined || (kind === Kind.Enum && btf.findFirst(name, Kind.Enum64) !== undefined);
  } else {
    const m = /^enum\s+(\w+)\s*,\s*(\w+)$/.exec(g.arg);
    if (!m) return undefined;
    v = enumValues(btf, essentialName(m[1])).has(m[2]);
  }
  return g.negated ? !v : v;
}

/**
 * bpf_core_field_exists in its two forms: an access (`t->state`, `s.a.b`) or a type and a field
 * (`struct task_struct___pre514, state`), as libbpf's ___bpf_field_ref takes them.
 */
function fieldExists(arg: string, scope: Scope): boolean | undefined {
  const typed = /^((?:struct|union)\s+\w+)\s*,\s*(\w+(?:\s*\.\s*\w+)*)$/.exec(arg);
  if (typed) {
    let cur: ExprType | undefined = baseType(typed[1], scope.env);
    for (const name of typed[2].split('.')) cur = cur && member(cur, name.trim(), scope.env)?.type;
    return cur !== undefined;
  }
  const m = /^(.*?)(->|\.)\s*(\w+)\s*$/s.exec(arg);
  const base = m ? expressionType(m[1], scope) : undefined;
  if (!m || !base) return undefined;
  return member(m[2] === '->' ? deref(base, scope.env) ?? base : base, m[3], scope.env) !== undefined;
}

/** The scope in which one kernel decides guards and types at `offset`: its BTF (CO-RE flavours resolved) and version. */
export function kernelScope(file: ParsedFile, k: Kernel, offset: number): Scope {
  return { doc: file.model, tree: file.tree, env: { btf: k.btf, structs: file.structs, core: true }, offset, kernelVersion: k.version };
}

/** Whether one of `guards` is false in the scope's kernel: the code under them never runs there. */
export function ruledOut(guards: Guard[], scope: Scope): boolean {
  return guards.some((g) => guardHolds(g, scope) === false);
}

const within = (n: Node | null, offset: number) => !!n && n.startIndex <= offset && offset < n.endIndex;

/** A statement after which control never falls through: `return`, `goto`, `break`, `continue`, or a block ending so. */
function exits(n: Node | null): boolean {
  if (!n) return false;
  if (n.type === 'return_statement' || n.type === 'goto_statement' || n.type === 'break_statement' || n.type === 'continue_statement') return true;
  if (n.type !== 'compound_statement') return false;
  const last = n.namedChildren.filter((c) => c && c.type !== 'comment').pop();
  return exits(last ?? null);
}

/** A lone guard in a condition, inverted: what holds on the branch not taken. */
function inverted(cond: Node | null): Guard[] {
  if (!cond) return [];
  const guards = guardsIn(cond);
  return guards.length === 1 ? [{ ...guards[0], negated: !guards[0].negated }] : [];
}

/**
 * The guards that must hold for code at `offset` to run: the conditions of the `if`s and `?:` around it
 * (then branch: the guards as written, all of them; else branch: a lone guard, inverted), and a lone
 * guard of an earlier `if` in the same block whose branch always leaves it (`if (exists(a)) return ...;`
 * then the fallback, as libbpf-tools' get_task_state does), inverted.
 */
export function guardsAround(tree: Tree, offset: number): Guard[] {
  const out: Guard[] = [];
  for (let n: Node | null = tree.rootNode.descendantForIndex(offset, offset); n; n = n.parent) {
    if (n.type === 'if_statement' || n.type === 'conditional_expression') {
      const cond = n.childForFieldName('condition');
      if (!cond) continue;
      if (within(n.childForFieldName('consequence'), offset)) out.push(...guardsIn(cond));
      else if (within(n.childForFieldName('alternative'), offset)) out.push(...inverted(cond));
    } else if (n.type === 'compound_statement') {
      // The `if`s that count end before the access: their guards are written before it.
      if (!mayHoldGuard(n.text.slice(0, offset - n.startIndex))) continue;
      for (const stmt of n.namedChildren) {
        if (!stmt || stmt.startIndex >= offset) break;
        if (stmt.type === 'if_statement' && !stmt.childForFieldName('alternative') && !within(stmt, offset) && exits(stmt.childForFieldName('consequence'))) {
          out.push(...inverted(stmt.childForFieldName('condition')));
        }
      }
    }
  }
  return out;
}

/** Chains `if (guard A) ... else if (guard B) ...` with two or more positive guards: alternatives of one access. */
export function guardedChains(tree: Tree): Guard[][] {
  const chains: Guard[][] = [];
  for (const n of tree.rootNode.descendantsOfType('if_statement')) {
    if (!n || n.parent?.type === 'else_clause') continue; // counted from the head of its chain
    const chain: Guard[] = [];
    for (let cur: Node | null = n; cur && cur.type === 'if_statement'; ) {
      const cond = cur.childForFieldName('condition');
      const g = cond ? guardsIn(cond).filter((x) => !x.negated && x.fn === 'field_exists') : [];
      if (g.length !== 1) break;
      chain.push(g[0]);
      const alt = cur.childForFieldName('alternative');
      cur = alt?.type === 'else_clause' ? alt.namedChild(0) : alt;
    }
    if (chain.length >= 2) chains.push(chain);
  }
  return chains;
}
