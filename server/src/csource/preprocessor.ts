// The preprocessor as far as the tree shows it (tree-sitter does not expand macros): the #defines a file
// makes, and which #if/#ifdef/#elif/#else branches are dead. Conditions are evaluated three-valued (true,
// false, unknown) from what is known: the build's facts the edge passes in (clang's macros for BPF, the
// target architecture's, other architectures' known undefined, the build's -D and -U), then the #defines
// and #undefs of the file and of the project headers it includes, each from its line on. Any other name
// is unknown (a system header may define it), and only a condition known false makes a branch inactive. Pure: the edge reads the headers.
import type { Node } from 'web-tree-sitter';
import type { MacroFlag } from './build-flags';

/** An offset range (the same shape as the model's Span; declared here so that this module imports no model). */
export interface Span {
  start: number;
  end: number;
}

export interface CDefine {
  /** A function-like macro's parameters; undefined for an object-like one. */
  params?: string[];
  /** The replacement text (comments and line continuations removed, white space runs one space). */
  body: string;
  /** The `#define` line, in the file that defines it (`header`, when set). */
  span: Span;
  /** The project header that defines it, when not the file itself. */
  header?: string;
  /** Defined under a condition that could not be decided: whether it is defined is unknown. */
  conditional?: boolean;
}

/** What a project header contributes where it is included: its defines (its includes' too) and its license. */
export interface HeaderFacts {
  path: string;
  defines: ReadonlyMap<string, CDefine>;
  /** It is, or includes (through project headers too), a vmlinux.h: its kernel types are CO-RE relocated. */
  vmlinux?: boolean;
  license?: { value: string; span: Span; header: string };
}

/** What the build is known to define and not to define, and the project headers the edge can read. */
export interface PreprocessorFacts {
  /** Macros the build defines, with their value (`''` when defined empty). */
  defined: ReadonlyMap<string, string>;
  /** Macros the build is known not to define (other architectures'). */
  undefined: ReadonlySet<string>;
  /** A header's facts at its `#include` (`system` for `<...>`), or undefined when it is not the project's. */
  include?(path: string, system: boolean): HeaderFacts | undefined;
}

export interface Preprocessed {
  /** The file's own #defines outside inactive branches (the last one of a name wins). */
  defines: Map<string, CDefine>;
  /** The file's and its project headers' defines, the file's winning. */
  visible: Map<string, CDefine>;
  /** Branches whose condition is known false, sorted, none inside another. */
  inactive: Span[];
  /** The project headers included outside inactive branches, in order. */
  headers: HeaderFacts[];
}

// ---------------------------------------------------------------------------------------------------
// The build's facts

/** An include of a vmlinux.h (`vmlinux.h`, `vmlinux_flavors.h`, `bpfcore/vmlinux.h`): kernel types with preserve_access_index. */
export const VMLINUX_INCLUDE = /(^|\/)vmlinux[\w.-]*\.h$/;

/** Node's `process.arch` to libbpf's architecture name (`__TARGET_ARCH_<name>`, `bpf_target_<name>`). */
const NODE_ARCH: Record<string, string> = {
  x64: 'x86', ia32: 'x86', arm64: 'arm64', arm: 'arm', s390: 's390', s390x: 's390', ppc: 'powerpc', ppc64: 'powerpc',
  mips: 'mips', mipsel: 'mips', riscv64: 'riscv', loong64: 'loongarch',
};

/** Each architecture libbpf knows, with the macros a compiler for it defines. */
const ARCH_COMPILER_MACROS: Record<string, string[]> = {
  x86: ['__x86_64__', '__x86_64', '__amd64__', '__i386__'],
  arm64: ['__aarch64__'],
  arm: ['__arm__'],
  s390: ['__s390x__', '__s390__'],
  powerpc: ['__powerpc__', '__powerpc64__', '__PPC64__', '__ppc64__', '__PPC__'],
  mips: ['__mips__', '__mips'],
  sparc: ['__sparc__', '__sparc', '__sparc_v9__'],
  riscv: ['__riscv'],
  loongarch: ['__loongarch__', '__loongarch64'],
  arc: ['__arc__'],
};

/** The macros that name a target architecture: the edge's choice, not a flag's. */
const ARCH_MACRO = new RegExp(`^(?:__TARGET_ARCH_\\w+|bpf_target_\\w+|${Object.values(ARCH_COMPILER_MACROS).flat().join('|')})$`);

/** What clang defines for every BPF build. */
const BPF_COMPILER: [string, string][] = [['__BPF__', '1'], ['__bpf__', '1'], ['__clang__', '1']];

/**
 * The facts of a BPF build for `nodeArch` (Node's `process.arch`, which the edge passes): clang's BPF
 * macros; the target's `__TARGET_ARCH_x` (the build's -D) and libbpf's `bpf_target_x` defined; every other
 * architecture's macros known undefined. The target's own compiler macros (`__x86_64__`) stay unknown:
 * `-target bpf` does not define them, a native build does. An unknown architecture adds nothing. The
 * build's -D/-U `flags` come last, as on clang's command line, except for architecture macros: the edge
 * decides the target (a fleet check parses once per kernel architecture, whatever compile_commands.json says).
 */
export function targetFacts(nodeArch?: string, flags: readonly MacroFlag[] = []): PreprocessorFacts {
  const defined = new Map<string, string>(BPF_COMPILER);
  const undefinedNames = new Set<string>();
  const target = nodeArch !== undefined ? NODE_ARCH[nodeArch] : undefined;
  for (const [arch, compilerMacros] of Object.entries(ARCH_COMPILER_MACROS)) {
    if (!target) break;
    if (arch === target) {
      defined.set(`__TARGET_ARCH_${arch}`, '1');
      defined.set(`bpf_target_${arch}`, '');
      continue;
    }
    for (const name of [`__TARGET_ARCH_${arch}`, `bpf_target_${arch}`, ...compilerMacros]) undefinedNames.add(name);
  }
  for (const { name, value } of flags) {
    if (ARCH_MACRO.test(name)) continue;
    if (value === undefined) {
      defined.delete(name);
      undefinedNames.add(name);
    } else {
      defined.set(name, value);
      undefinedNames.delete(name);
    }
  }
  return { defined, undefined: undefinedNames };
}

// ---------------------------------------------------------------------------------------------------
// Evaluating a condition

/** A macro at a point: defined (with its definition), known undefined, or unknown (undefined as a value). */
export type MacroState = { defined: true; body: string; params?: string[] } | { defined: false } | undefined;

type Value = bigint | undefined;

class NotAnExpression extends Error {}

const TOKEN = /\s+|((?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*)|([A-Za-z_]\w*)|('(?:\\.|[^'\\])*')|(\|\||&&|==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^?:(),])|(.)/gy;

/** A directive's text without comments and line continuations, white space runs made one space. */
export function directiveText(text: string): string {
  return text.replace(/\/\*[^]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '').replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim();
}

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) if (!/^\s/.test(m[0])) out.push(m[0]);
  return out;
}

/** Binary operators by precedence, loosest first. */
const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

const MAX_EXPANSION_DEPTH = 16;

/** An `#if` expression's value: a number, or undefined when anything it depends on is unknown. */
class Evaluator {
  private pos = 0;

  constructor(private readonly tokens: string[], private readonly lookup: (name: string) => MacroState, private readonly depth: number) {}

  static value(text: string, lookup: (name: string) => MacroState, depth = 0): Value {
    if (depth > MAX_EXPANSION_DEPTH) return undefined;
    const tokens = tokenize(directiveText(text));
    if (tokens.length === 0) return undefined;
    const e = new Evaluator(tokens, lookup, depth);
    try {
      const v = e.ternary();
      return e.pos === tokens.length ? v : undefined;
    } catch (err) {
      if (err instanceof NotAnExpression) return undefined;
      throw err;
    }
  }

  private peek(): string | undefined {
    return this.tokens[this.pos];
  }

  private next(): string {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new NotAnExpression();
    return t;
  }

  private expect(t: string): void {
    if (this.next() !== t) throw new NotAnExpression();
  }

  private ternary(): Value {
    const cond = this.binary(0);
    if (this.peek() !== '?') return cond;
    this.pos++;
    const a = this.ternary();
    this.expect(':');
    const b = this.ternary();
    if (cond !== undefined) return cond !== 0n ? a : b;
    return a !== undefined && a === b ? a : undefined;
  }

  private binary(level: number): Value {
    if (level === LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (let op = this.peek(); op !== undefined && LEVELS[level].includes(op); op = this.peek()) {
      this.pos++;
      left = applyBinary(op, left, this.binary(level + 1));
    }
    return left;
  }

  private unary(): Value {
    const t = this.peek();
    if (t === '!' || t === '~' || t === '-' || t === '+') {
      this.pos++;
      const v = this.unary();
      if (v === undefined) return undefined;
      return t === '!' ? (v === 0n ? 1n : 0n) : t === '~' ? BigInt.asIntN(64, ~v) : t === '-' ? BigInt.asIntN(64, -v) : v;
    }
    return this.primary();
  }

  private primary(): Value {
    const t = this.next();
    if (t === '(') {
      const v = this.ternary();
      this.expect(')');
      return v;
    }
    if (/^\d/.test(t)) return integer(t);
    if (t.startsWith("'")) return undefined;
    if (!/^[A-Za-z_]/.test(t)) throw new NotAnExpression();
    if (t === 'defined') return this.defined();
    if (this.peek() === '(') {
      // A function-like macro or a builtin (__has_include, __has_builtin...): not expanded, unknown.
      this.skipParens();
      return undefined;
    }
    return this.identifier(t);
  }

  private defined(): Value {
    const paren = this.peek() === '(';
    if (paren) this.pos++;
    const name = this.next();
    if (!/^[A-Za-z_]\w*$/.test(name)) throw new NotAnExpression();
    if (paren) this.expect(')');
    const m = this.lookup(name);
    return m === undefined ? undefined : m.defined ? 1n : 0n;
  }

  private identifier(name: string): Value {
    const m = this.lookup(name);
    if (m === undefined) return undefined;
    if (!m.defined) return 0n; // an identifier that is no macro is 0 in #if
    if (m.params) return undefined;
    return Evaluator.value(m.body, this.lookup, this.depth + 1);
  }

  private skipParens(): void {
    let depth = 0;
    do {
      const t = this.next();
      if (t === '(') depth++;
      else if (t === ')') depth--;
    } while (depth > 0);
  }
}

function integer(token: string): Value {
  const digits = token.replace(/[uUlL]+$/, '');
  const text = /^0\d/.test(digits) ? `0o${digits.slice(1)}` : digits;
  try {
    return BigInt.asIntN(64, BigInt(text));
  } catch {
    return undefined;
  }
}

function applyBinary(op: string, a: Value, b: Value): Value {
  const truth = (v: Value) => (v === undefined ? undefined : v !== 0n);
  if (op === '&&') return truth(a) === false || truth(b) === false ? 0n : a !== undefined && b !== undefined ? 1n : undefined;
  if (op === '||') return truth(a) === true || truth(b) === true ? 1n : a !== undefined && b !== undefined ? 0n : undefined;
  if (a === undefined || b === undefined) return undefined;
  const bool = (x: boolean) => (x ? 1n : 0n);
  switch (op) {
    case '==': return bool(a === b);
    case '!=': return bool(a !== b);
    case '<': return bool(a < b);
    case '>': return bool(a > b);
    case '<=': return bool(a <= b);
    case '>=': return bool(a >= b);
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '<<': return b < 0n || b > 63n ? undefined : BigInt.asIntN(64, a << b);
    case '>>': return b < 0n || b > 63n ? undefined : a >> b;
    case '+': return BigInt.asIntN(64, a + b);
    case '-': return BigInt.asIntN(64, a - b);
    case '*': return BigInt.asIntN(64, a * b);
    case '/': return b === 0n ? undefined : a / b;
    case '%': return b === 0n ? undefined : a % b;
    default: return undefined;
  }
}

/** An `#if`/`#elif` condition: true, false, or undefined when it depends on something unknown. */
export function evaluateCondition(text: string, lookup: (name: string) => MacroState): boolean | undefined {
  const v = Evaluator.value(text, lookup);
  return v === undefined ? undefined : v !== 0n;
}

// ---------------------------------------------------------------------------------------------------
// Walking the tree

type Tri = boolean | undefined;
const and = (a: Tri, b: Tri): Tri => (a === false || b === false ? false : a === true && b === true ? true : undefined);
const not = (a: Tri): Tri => (a === undefined ? undefined : !a);

const CONDITIONALS = new Set(['preproc_if', 'preproc_ifdef', 'preproc_elif', 'preproc_elifdef', 'preproc_else']);
/** The node types `preprocessDirectives` reads. */
export const DIRECTIVES: readonly string[] = ['preproc_def', 'preproc_function_def', 'preproc_call', 'preproc_include', ...CONDITIONALS];

/** A directive node with its type, read once by whoever found it. */
export interface Directive {
  node: Node;
  type: string;
}

/** A name in the table: defined (surely, or only maybe: `sure` false), or surely undefined (`#undef`). */
interface Entry {
  define?: CDefine;
  sure: boolean;
}

/** One pass over the directives in text order, with the macro table as it is at each. */
class Walk {
  readonly out: Preprocessed = { defines: new Map(), visible: new Map(), inactive: [], headers: [] };
  private readonly table = new Map<string, Entry>();
  /** Per conditional node: whether its body is active, and whether no branch of its chain so far was taken (for the next). */
  private readonly branches = new Map<number, { body: Tri; rest: Tri }>();

  constructor(private readonly facts: PreprocessorFacts) {}

  readonly lookup = (name: string): MacroState => {
    const e = this.table.get(name);
    if (e) return !e.sure ? undefined : e.define ? { defined: true, body: e.define.body, params: e.define.params } : { defined: false };
    const value = this.facts.defined.get(name);
    if (value !== undefined) return { defined: true, body: value };
    return this.facts.undefined.has(name) ? { defined: false } : undefined;
  };

  visit({ node: n, type }: Directive): void {
    if (CONDITIONALS.has(type)) return this.conditional(n, type);
    const state = this.enclosing(n);
    if (state === false) return;
    if (type === 'preproc_def' || type === 'preproc_function_def') this.define(n, type, state);
    else if (type === 'preproc_call') this.undef(n, state);
    else if (type === 'preproc_include') this.include(n, state);
  }

  /** Whether the branch `n` sits in is active: that of its nearest enclosing conditional, true at top level. */
  private enclosing(n: Node): Tri {
    for (let p = n.parent; p; p = p.parent) {
      const b = this.branches.get(p.id);
      if (b) return b.body;
    }
    return true;
  }

  private conditional(n: Node, type: string): void {
    // #if/#ifdef start a chain in the enclosing branch; #elif/#else continue their parent's.
    const first = type === 'preproc_if' || type === 'preproc_ifdef';
    const before = first ? this.enclosing(n) : this.branches.get(n.parent?.id ?? -1)?.rest;
    const cond = type === 'preproc_else' ? true : this.condition(n, type);
    const body = and(before, cond);
    this.branches.set(n.id, { body, rest: and(before, not(cond)) });
    if (body === false) this.out.inactive.push(branchSpan(n));
  }

  private condition(n: Node, type: string): Tri {
    const cond = n.childForFieldName('condition');
    if (cond) return evaluateCondition(cond.text, this.lookup);
    const name = n.childForFieldName('name')?.text;
    if (!name) return undefined;
    const negated = /^#(?:ifndef|elifndef)$/.test(n.child(0)?.text ?? '');
    if (negated && type === 'preproc_ifdef' && this.isIncludeGuard(n, name)) return true;
    const m = this.lookup(name);
    const defined = m === undefined ? undefined : m.defined;
    return negated ? not(defined) : defined;
  }

  /** `#ifndef X` / `#define X` / ... / `#endif` with no #else: an include guard, taken the first time. */
  private isIncludeGuard(n: Node, name: string): boolean {
    if (n.childForFieldName('alternative') || this.table.has(name)) return false;
    const first = n.namedChildren.find((c) => c && c.type !== 'comment' && c.type !== 'identifier');
    return first?.type === 'preproc_def' && first.childForFieldName('name')?.text === name && !first.childForFieldName('value');
  }

  private define(n: Node, type: string, state: Tri): void {
    const name = n.childForFieldName('name');
    if (!name) return;
    const value = n.childForFieldName('value');
    const params = n.childForFieldName('parameters')?.namedChildren.filter((p): p is Node => !!p && p.type === 'identifier').map((p) => p.text);
    const variadic = n.childForFieldName('parameters')?.children.some((c) => c?.type === '...');
    const define: CDefine = {
      ...(type === 'preproc_function_def' ? { params: variadic ? [...(params ?? []), '...'] : params ?? [] } : {}),
      body: value ? directiveText(value.text) : '',
      span: { start: n.startIndex, end: (value ?? name).endIndex },
      ...(state !== true ? { conditional: true } : {}),
    };
    this.table.set(name.text, { define, sure: state === true });
    this.out.defines.set(name.text, define);
    this.out.visible.set(name.text, define);
  }

  private undef(n: Node, state: Tri): void {
    if (n.childForFieldName('directive')?.text !== '#undef') return;
    const name = /^\s*([A-Za-z_]\w*)/.exec(n.childForFieldName('argument')?.text ?? '')?.[1];
    if (!name) return;
    if (state === true) {
      this.table.set(name, { sure: true });
      this.out.defines.delete(name);
      this.out.visible.delete(name);
    } else {
      this.table.set(name, { define: this.table.get(name)?.define, sure: false });
    }
  }

  private include(n: Node, state: Tri): void {
    const path = n.childForFieldName('path');
    const system = path?.type === 'system_lib_string';
    if (!path || (!system && path.type !== 'string_literal')) return;
    const header = this.facts.include?.(path.text.slice(1, -1), system);
    if (!header) return;
    this.out.headers.push(header);
    for (const [name, d] of header.defines) {
      const define = state === true ? d : { ...d, conditional: true };
      this.table.set(name, { define, sure: state === true && !d.conditional });
      if (!this.out.defines.has(name)) this.out.visible.set(name, define);
    }
  }
}

/** The lines of a branch: from the end of its directive to the next #elif/#else or the #endif. */
function branchSpan(n: Node): Span {
  const head = n.childForFieldName('condition') ?? n.childForFieldName('name') ?? n.child(0);
  const alternative = n.childForFieldName('alternative');
  const last = n.child(n.childCount - 1);
  const end = alternative ? alternative.startIndex : last?.type === '#endif' ? last.startIndex : n.endIndex;
  return { start: head ? head.endIndex : n.startIndex, end: Math.max(end, head ? head.endIndex : n.startIndex) };
}

/** Spans sorted by start, those inside another dropped. */
function outermost(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start || b.end - a.end)) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * The file's defines and inactive branches, evaluating each directive in text order: the tree's directives
 * (`DIRECTIVES`), found by the caller (the model finds them in its one walk of the tree).
 */
export function preprocessDirectives(directives: readonly Directive[], facts: PreprocessorFacts = targetFacts()): Preprocessed {
  const walk = new Walk(facts);
  for (const d of directives) walk.visit(d);
  walk.out.inactive = outermost(walk.out.inactive);
  return walk.out;
}

/** Whether `offset` lies in one of `spans` (sorted, disjoint: as `Preprocessed.inactive`). */
export function inSpans(spans: readonly Span[], offset: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offset < spans[mid].start) hi = mid - 1;
    else if (offset >= spans[mid].end) lo = mid + 1;
    else return true;
  }
  return false;
}
