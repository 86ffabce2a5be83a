// Reading the code around the cursor from the text itself: while a user types, the tree is broken (an
// unclosed `BPF_CORE_READ(` turns the rest of the file into an error node), but the text is not.
import { Tree } from '../csource/parser';
import { CDocument, CFunction, localBefore } from '../csource/model';
import { programArguments } from './program-arguments';
import { ExprType, TypeEnv, baseType, deref, fromTypeText, step } from './types';
import { CALLING_MACROS } from '../libbpf/macros';

/** Helpers whose result type is known better than their `long` prototype says. */
const HELPER_RESULTS: Record<string, string> = {
  bpf_get_current_task: 'struct task_struct',
  bpf_get_current_task_btf: 'struct task_struct',
  bpf_task_from_pid: 'struct task_struct',
  bpf_task_acquire: 'struct task_struct',
  bpf_cgroup_from_id: 'struct cgroup',
};

export interface Scope {
  doc: CDocument;
  tree: Tree;
  env: TypeEnv;
  offset: number;
  /** KERNEL_VERSION of the kernel of `env`, when known, for LINUX_KERNEL_VERSION guards. */
  kernelVersion?: number;
}

export function enclosingFunction(doc: CDocument, offset: number): CFunction | undefined {
  return doc.functions.find((f) => f.span.start <= offset && offset <= f.span.end);
}

/** The type of a plain identifier: a local before the cursor, a parameter, a global or a map. */
export function identifierType(name: string, scope: Scope): ExprType | undefined {
  const fn = enclosingFunction(scope.doc, scope.offset);
  if (fn) {
    const local = localBefore(scope.doc, scope.tree, fn, scope.offset, name);
    if (local) return fromTypeText(local.type, scope.env);
    const i = fn.params.findIndex((x) => x.name === name);
    if (i >= 0) {
      const declared = fromTypeText(fn.params[i].type, scope.env);
      // A BPF_PROG argument declared loosely (`void *p`, `u64 x`) has the kernel prototype's type.
      if ((fn.macro === 'BPF_PROG' || fn.macro === 'BPF_PROG2') && fn.section && !(declared.kind === 'pointer' && declared.target.kind !== 'other')) {
        const arg = programArguments(fn.section.name, scope.env.btf)?.[i];
        if (arg) return { kind: 'btf', id: arg.type };
      }
      return declared;
    }
  }
  const g = scope.doc.globals.find((x) => x.name === name);
  if (g) return fromTypeText(g.type, scope.env);
  return fn ? undefined : declaredInText(name, scope);
}

/**
 * While a line is half typed, tree-sitter may turn the whole function into an error node, and the model
 * then has no function around the cursor: the nearest declaration of `name` before the cursor, read from
 * the text (a parameter or a local: `struct task_struct *task`).
 */
function declaredInText(name: string, scope: Scope): ExprType | undefined {
  const before = scope.tree.rootNode.text.slice(Math.max(0, scope.offset - 4000), scope.offset);
  const decl = new RegExp(`\\b((?:struct|union)\\s+\\w+|\\w+)\\s*(\\*+)\\s*${name}\\s*[=;,)\\[]`, 'g');
  const last = [...before.matchAll(decl)].pop();
  if (!last || /^(return|sizeof)$/.test(last[1])) return undefined;
  return fromTypeText({ base: last[1].replace(/\s+/g, ' '), pointers: last[2].length, arrays: [], isConst: false }, scope.env);
}

type Token =
  | { kind: 'identifier'; name: string }
  | { kind: 'access'; operator: '->' | '.' }
  | { kind: 'index' }
  | { kind: 'cast'; base: string; pointers: number }
  | { kind: 'call'; callee: string };

/**
 * Tokens of an access chain such as `((struct task_struct *)ctx)->mm->pgd`, `t->cpus_ptr[0].bits`,
 * `bpf_get_current_task()`; undefined when the text is not one.
 */
function tokenize(expr: string): Token[] | undefined {
  const out: Token[] = [];
  let s = expr.trim();
  // A leading cast, parenthesised or not: ((struct x *)y) or (struct x *)y
  const cast = /^\(*\s*\(\s*((?:const\s+)?(?:struct|union)\s+\w+|\w+)\s*(\**)\s*\)\s*/.exec(s);
  if (cast) {
    out.push({ kind: 'cast', base: cast[1].replace(/^const\s+/, ''), pointers: cast[2].length });
    s = s.slice(cast[0].length).replace(/^\(/, '');
  }
  const re = /\s*(?:(->)|(\.)|(\[[^\]]*\])|(\w+)\s*\(\s*\)|(\w+)|(\)))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < s.length && (m = re.exec(s))) {
    if (m[1]) out.push({ kind: 'access', operator: '->' });
    else if (m[2]) out.push({ kind: 'access', operator: '.' });
    else if (m[3]) out.push({ kind: 'index' });
    else if (m[4]) out.push({ kind: 'call', callee: m[4] });
    else if (m[5]) out.push({ kind: 'identifier', name: m[5] });
    // a closing parenthesis of the cast group: nothing to record
  }
  if (re.lastIndex < s.length && s.slice(re.lastIndex).trim() !== '') return undefined;
  return out;
}

/** The type of an access chain, or undefined when any step is unknown. */
export function expressionType(expr: string, scope: Scope): ExprType | undefined {
  const tokens = tokenize(expr);
  if (!tokens || tokens.length === 0) return undefined;
  let cur: ExprType | undefined;
  let i = 0;
  const first = tokens[0];
  if (first.kind === 'cast') {
    cur = baseType(first.base, scope.env);
    for (let p = 0; p < first.pointers; p++) cur = { kind: 'pointer', target: cur };
    i = 1;
    if (tokens[i]?.kind === 'identifier' || tokens[i]?.kind === 'call') i++; // the casted operand
  } else if (first.kind === 'identifier') {
    cur = identifierType(first.name, scope);
    i = 1;
  } else if (first.kind === 'call') {
    const ret = HELPER_RESULTS[first.callee];
    if (!ret) return undefined;
    cur = { kind: 'pointer', target: baseType(ret, scope.env) };
    i = 1;
  }
  for (; cur && i < tokens.length; i++) {
    const tk = tokens[i];
    if (tk.kind === 'index') cur = deref(cur, scope.env);
    else if (tk.kind === 'access') {
      const field = tokens[i + 1];
      if (!field || field.kind !== 'identifier') return undefined;
      cur = step(cur, tk.operator, field.name, scope.env)?.type;
      i++;
    } else return undefined;
  }
  return cur;
}

/** The innermost call whose argument list contains `offset` and is still open there. */
export interface CallContext {
  callee: string;
  /** Argument texts before the cursor; the last one is the (partial) argument being typed. */
  args: string[];
  /** Offset where the current argument starts. */
  argStart: number;
}

export function callContext(text: string, offset: number, maxBack = 4000): CallContext | undefined {
  let depth = 0;
  const stop = Math.max(0, offset - maxBack);
  for (let i = offset - 1; i >= stop; i--) {
    const c = text[i];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) {
        if (c === '[') return undefined;
        const callee = /(\w+)\s*$/.exec(text.slice(Math.max(0, i - 64), i));
        if (!callee) return undefined;
        const inner = text.slice(i + 1, offset);
        const args: string[] = [];
        let d = 0;
        let from = 0;
        for (let j = 0; j < inner.length; j++) {
          const ch = inner[j];
          if (ch === '(' || ch === '[') d++;
          else if (ch === ')' || ch === ']') d--;
          else if (ch === ',' && d === 0) {
            args.push(inner.slice(from, j));
            from = j + 1;
          }
        }
        args.push(inner.slice(from));
        return { callee: callee[1], args, argStart: i + 1 + from };
      }
      depth--;
    } else if (c === ';' || c === '{' || c === '}') return undefined;
  }
  return undefined;
}

/** The source argument of a BPF_CORE_READ-family macro, from libbpf's macro table; undefined for other calls. */
export function fieldPathSource(callee: string): number | undefined {
  return Object.hasOwn(CALLING_MACROS, callee) ? CALLING_MACROS[callee].source : undefined;
}

/**
 * In `BPF_CORE_READ(src, a, b.c, |`: the type the next field name applies to, following the fields
 * before the cursor (each argument is `->`-applied; dots inside one argument are `.` steps).
 */
export function coreReadTarget(ctx: CallContext, scope: Scope): { type: ExprType; partial: string } | undefined {
  const source = fieldPathSource(ctx.callee);
  if (source === undefined || ctx.args.length <= source + 1) return undefined;
  let cur = expressionType(ctx.args[source], scope);
  for (let a = source + 1; cur && a < ctx.args.length; a++) {
    const parts = ctx.args[a].trim().split('.');
    const last = a === ctx.args.length - 1;
    const steps = last ? parts.slice(0, -1) : parts;
    for (let p = 0; cur && p < steps.length; p++) {
      const name = steps[p].trim().replace(/\[.*\]$/, '');
      cur = step(cur, p === 0 ? '->' : '.', name, scope.env)?.type;
    }
    if (last && cur) {
      // The next name is looked up in what `cur` points to (first part) or in `cur` itself (after a dot).
      const base = parts.length === 1 ? deref(cur, scope.env) ?? cur : cur;
      return { type: base, partial: parts[parts.length - 1].trim() };
    }
  }
  return undefined;
}
