/**
 * Field paths CO-RE relocates, checked against every kernel as libbpf relocates them at load time:
 * BPF_CORE_READ chains argument by argument, and every `->`/`.` chain through a kernel type (direct reads
 * in tp_btf/fentry programs, preserve_access_index types, bpf_core_field_size/offset and bpf_probe_read
 * arguments). Missing in some kernels is a warning naming them, in all an error; kernels where a guard
 * around the access is false are skipped. Guarded alternatives that all miss in a kernel are reported.
 */
import type { Node } from 'web-tree-sitter';
import { Range } from 'vscode-languageserver-types';
import { closest, editDistance } from '../../../btf/suggest';
import { Kind } from '../../../btf/wire';
import { CCall, CDefine } from '../../../csource/model';
import { guardedChains, guardHolds, guardsAround, kernelScope, ruledOut } from '../../core-guards';
import { Scope, expressionType, fieldPathSource } from '../../expression';
import { describedEnv } from '../../service-context';
import { ExprType, MemberInfo, TypeEnv, composite, deref, member, membersOf } from '../../types';
import { KernelStruct, ReadSite, flavourGuardFix } from '../core-flavour-fix';
import { DiagnosticFix, Finding, Rule, RuleInput } from '../rule';

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
  site: ReadSite;
}

/** Calls whose field arguments are not reads to check: the read macros (checked argument by argument), guards, raw builtins. */
const NOT_A_READ = /^(BPF_CORE_READ\w*|BPF_PROBE_READ\w*|bpf_core_(field|type|enum_value)_exists|bpf_core_type_matches|__builtin_preserve_field_info|typeof|__typeof__|offsetof|__builtin_offsetof)$/;

export const corePathsRule: Rule = {
  name: 'CO-RE paths',
  codes: ['core-field-missing', 'core-no-alternative'],
  // A step per path checked: a file has hundreds.
  *check(input, report) {
    if (input.kernels.length === 0) return;
    const defines = input.file.model.allDefines;
    for (const call of input.file.model.calls) {
      const path = coreReadPath(call);
      if (!path) continue;
      checkFieldPath(input, expandMacros(path, defines), report);
      yield;
    }
    for (const fe of input.file.tree.rootNode.descendantsOfType('field_expression')) {
      const path = fe && fieldChain(fe);
      if (!path || !isRead(fe!) || !relocated(input, path)) continue;
      checkFieldPath(input, expandMacros(path, defines), report);
      yield;
    }
    checkAlternatives(input, report);
  },
};

/** `BPF_CORE_READ(s, a.b, c)` is the path s->a.b->c: each argument dereferences, then walks its dotted members. */
function coreReadPath(call: CCall): FieldPath | undefined {
  const source = fieldPathSource(call.callee);
  if (source === undefined || call.args.length <= source + 1) return undefined;
  const steps: PathStep[] = [];
  for (const arg of call.args.slice(source + 1)) {
    // `BPF_CORE_READ(task, )` while typing: an empty name is not a path yet.
    if (!/\w/.test(arg.text)) return undefined;
    let partStart = 0;
    arg.text.split('.').forEach((part, p) => {
      const name = part.trim().replace(/\[.*\]$/, '');
      const at = arg.span.start + arg.text.indexOf(name, partStart);
      steps.push({ name, deref: p === 0, index: /\]\s*$/.test(part), start: at, end: at + name.length });
      partStart += part.length + 1;
    });
  }
  return { offset: call.span.start, base: call.args[source].text, steps, site: { call } };
}

/** The members an object-like macro's body names: `__sk_common.skc_family` (or `a->b`), else undefined. */
function memberPath(body: string): { name: string; deref: boolean }[] | undefined {
  if (!/^[A-Za-z_]\w*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*)*$/.test(body)) return undefined;
  return body.split(/\s*(\.|->)\s*/).flatMap((part, i, all) => (i % 2 ? [] : [{ name: part, deref: all[i - 1] === '->' }]));
}

const MAX_EXPANSIONS = 8;

/**
 * A field step spelled through a macro, as the preprocessor expands it before CO-RE sees it:
 * `#define sk_family __sk_common.skc_family` makes `sk->sk_family` the path sk->__sk_common.skc_family.
 * The expanded steps keep the written name's place, so a finding points at what is written.
 */
function expandStep(step: PathStep, defines: ReadonlyMap<string, CDefine>, depth: number): PathStep[] {
  const define = defines.get(step.name);
  const members = define && !define.params && depth < MAX_EXPANSIONS ? memberPath(define.body) : undefined;
  if (!members || (members.length === 1 && members[0].name === step.name)) return [step];
  return members.flatMap((m, i) => expandStep({
    ...step, name: m.name, deref: i === 0 ? step.deref : m.deref, index: i === members.length - 1 && step.index,
  }, defines, depth + 1));
}

function expandMacros(path: FieldPath, defines: ReadonlyMap<string, CDefine>): FieldPath {
  if (defines.size === 0) return path;
  return { ...path, steps: path.steps.flatMap((st) => expandStep(st, defines, 0)) };
}

/** A field path checked against every kernel; kernels where a guard around it is false are skipped. */
function checkFieldPath(input: RuleInput, path: FieldPath, report: (f: Finding) => void): void {
  const { file, kernels } = input;
  const guards = guardsAround(file.tree, path.offset);
  const missingIn: string[] = [];
  /** Per kernel that misses it, the names its struct does have: where a rename may be the answer. */
  const namesThere: string[][] = [];
  /** The step each kernel that misses the path fails at. */
  const failedSteps = new Set<number>();
  /** Per kernel, the struct it looks each step up in, as far as it got. */
  const structs: { kernel: number; bases: ExprType[]; env: TypeEnv }[] = [];
  let failed: { field: string; step: PathStep } | undefined;
  for (const [ki, k] of kernels.entries()) {
    const scope = kernelScope(file, k, path.offset);
    if (ruledOut(guards, scope)) continue;
    const env = scope.env;
    let cur: ExprType | undefined = expressionType(path.base, scope);
    if (!cur || !composite(deref(cur, env) ?? cur, env)?.btfId) return; // not a kernel type: nothing CO-RE relocates
    const bases: ExprType[] = [];
    structs.push({ kernel: ki, bases, env });
    for (const [i, st] of path.steps.entries()) {
      const base: ExprType = st.deref ? deref(cur, env) ?? cur : cur;
      bases.push(base);
      const found: MemberInfo | undefined = member(base, st.name, env);
      if (!found) {
        missingIn.push(k.label);
        namesThere.push(membersOf(base, env).map((m) => m.name));
        failedSteps.add(i);
        const owner = composite(base, env);
        failed = { field: `${owner?.btfId !== undefined ? `${k.btf.kind(owner.btfId) === Kind.Union ? 'union' : 'struct'} ${k.btf.name(owner.btfId)}` : '?'}.${st.name}`, step: st };
        break;
      }
      cur = st.index ? deref(found.type, env) ?? found.type : found.type;
    }
  }
  if (!failed) return;
  const some = missingIn.length < kernels.length;
  const renamed = renamedTo(failed.step.name, namesThere);
  const doc = file.doc;
  let fix: DiagnosticFix | undefined;
  if (renamed && !throughOwnStruct(input, path)) {
    const step = failed.step;
    const at = [...failedSteps][0];
    // In some kernels only: a guard with a flavour for the other name; in all: the new name.
    fix = !some ? { title: `Rename to ${renamed}`, range: Range.create(doc.positionAt(step.start), doc.positionAt(step.end)), newText: renamed }
      : failedSteps.size === 1 ? flavourGuardFix(file, {
        site: path.site, written: step.name, start: step.start, end: step.end, renamed,
        kernels: structs.filter((s) => s.bases.length > at).map((s): KernelStruct => ({ env: s.env, struct: s.bases[at], described: s.kernel === 0 })),
      }) : undefined;
  }
  report({
    code: 'core-field-missing', start: failed.step.start, end: failed.step.end, someKernels: some,
    message: `CO-RE: ${failed.field} does not exist in ${missingIn.join(', ')}${renamed ? `; it is ${renamed} there` : ''}${some ? ': guard it with bpf_core_field_exists()' : ''}`,
    fix,
  });
}

/** The path starts at a struct of the file's own (a CO-RE flavour): renaming the access would not compile. */
function throughOwnStruct(input: RuleInput, path: FieldPath): boolean {
  const scope: Scope = { doc: input.file.model, tree: input.file.tree, env: describedEnv(input.ctx, input.file), offset: path.offset };
  const base = expressionType(path.base, scope);
  return !!(base && composite(deref(base, scope.env) ?? base, scope.env)?.local);
}

/**
 * The member a missing field became, when every kernel that misses it has one name in its place: the
 * field with a `__` prefix added or dropped (`state` became `__state` in 5.14), else one edit away.
 */
function renamedTo(name: string, namesThere: string[][]): string | undefined {
  if (namesThere.length === 0) return undefined;
  const candidates = [`__${name}`, name.replace(/^__/, ''), ...closest(name, namesThere[0], 3).filter((n) => editDistance(name, n) <= 1)];
  return candidates.find((c) => c !== name && namesThere.every((names) => names.includes(c)));
}

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
  return n && steps.length ? { offset: fe.startIndex, base: n.text, steps, site: { node: fe } } : undefined;
}

/**
 * Whether clang emits CO-RE relocations for a plain `->`/`.` chain: when the file's kernel types come from
 * a vmlinux.h (preserve_access_index on every struct), or the chain starts at a relocatable struct of the
 * file's own (a `___flavour` or a preserve_access_index type). A file that builds against the kernel's
 * UAPI headers (`<linux/...>`) and no vmlinux.h gets their structs with fixed layouts: nothing relocates.
 */
function relocated(input: RuleInput, path: FieldPath): boolean {
  const { model } = input.file;
  if (model.usesVmlinux || !model.systemIncludes.some((i) => i.startsWith('linux/'))) return true;
  const scope: Scope = { doc: input.file.model, tree: input.file.tree, env: describedEnv(input.ctx, input.file), offset: path.offset };
  const base = expressionType(path.base, scope);
  const pointee = base && composite(deref(base, scope.env) ?? base, scope.env);
  return !!pointee?.local?.relocatable;
}

/** Whether a chain is an access to check: not an argument of a read macro or guard, not in sizeof/offsetof. */
function isRead(fe: Node): boolean {
  for (let a = fe.parent; a; a = a.parent) {
    if (a.type === 'call_expression' && NOT_A_READ.test(a.childForFieldName('function')?.text ?? '')) return false;
    if (a.type === 'sizeof_expression' || a.type === 'offsetof_expression') return false;
    if (a.type === 'function_definition') break;
  }
  return true;
}

/** Guarded alternatives that are all missing in a kernel: the program silently takes its fallback there. */
function checkAlternatives(input: RuleInput, report: (f: Finding) => void): void {
  // A chain holds two bpf_core_field_exists() calls: without them, no walk of every `if` in the file.
  if (input.file.model.calls.filter((c) => c.callee === 'bpf_core_field_exists').length < 2) return;
  for (const chain of guardedChains(input.file.tree)) {
    const none = input.kernels.filter((k) => {
      const scope = kernelScope(input.file, k, chain[0].start);
      return chain.every((g) => guardHolds(g, scope) === false);
    });
    if (!none.length) continue;
    report({
      code: 'core-no-alternative', start: chain[0].start, end: chain[chain.length - 1].end,
      message: `CO-RE: none of the ${chain.length} guarded alternatives (${chain.map((g) => g.arg).join('; ')}) exists in ${none.map((k) => k.label).join(', ')}: the program silently takes its fallback there`,
    });
  }
}
