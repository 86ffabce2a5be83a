// `a->b` through a kernel pointer in a kprobe/tracepoint/perf_event program: to the verifier the pointer
// is a plain number and the load is refused ("R1 invalid mem access 'scalar'"); offer BPF_CORE_READ.
// Pointers the verifier types from BTF (bpf_get_current_task_btf(), kfunc results) are readable.
import type { Node } from 'web-tree-sitter';
import { Range } from 'vscode-languageserver-types';
import { Kind } from '../../../btf/wire';
import { CFunction, functionBody } from '../../../csource/model';
import { Scope, expressionType } from '../../expression';
import { provenanceOf, unevaluated, unwrapValue } from '../../pointer-provenance';
import { describedEnv } from '../../service-context';
import { baseType, composite, deref } from '../../types';
import { Rule, RuleInput, programFunctions } from '../rule';

/** Program types where the verifier refuses plain loads through kernel pointers: reads go through bpf_probe_read_kernel. */
const PROBE_READ_ONLY = new Set(['BPF_PROG_TYPE_KPROBE', 'BPF_PROG_TYPE_TRACEPOINT', 'BPF_PROG_TYPE_RAW_TRACEPOINT', 'BPF_PROG_TYPE_PERF_EVENT']);
const READ_MACROS = /^(BPF_CORE_READ\w*|BPF_PROBE_READ\w*|bpf_core_\w+|bpf_probe_read\w*|__builtin_preserve_\w+)$/;

/** `base->a.b->c`: the base and the `->`-separated groups of dotted names, as BPF_CORE_READ takes them. */
interface Chain {
  node: Node;
  base: Node;
  groups: string[];
}

export const directReadsRule: Rule = {
  name: 'direct reads',
  codes: ['direct-kernel-read'],
  check(input, report) {
    if (input.kernels.length === 0) return;
    for (const { fn: f, program } of programFunctions(input)) {
      if (!PROBE_READ_ONLY.has(program.match.def.progType)) continue;
      for (const chain of readChains(input, f)) {
        if (!throughPlainPointer(input, f, chain)) continue;
        const fix = `BPF_CORE_READ(${chain.base.text}, ${chain.groups.join(', ')})`;
        const doc = input.file.doc;
        const { startIndex: start, endIndex: end } = chain.node;
        report({
          code: 'direct-kernel-read', start, end,
          message: `${program.match.def.progType} programs cannot dereference kernel pointers directly (the verifier rejects it: "invalid mem access 'scalar'"): read with ${fix}`,
          fix: { title: `Rewrite as ${fix}`, range: Range.create(doc.positionAt(start), doc.positionAt(end)), newText: fix },
        });
      }
    }
  },
};

/** The outermost member-access chains of a function's body that load a value: not in a read macro, not `&a->b`. */
function readChains(input: RuleInput, f: CFunction): Chain[] {
  const body = functionBody(input.file.tree, f);
  if (!body) return [];
  const out: Chain[] = [];
  for (const fe of body.descendantsOfType('field_expression')) {
    if (!fe || (fe.parent?.type === 'field_expression' && fe.parent.childForFieldName('argument')?.id === fe.id)) continue; // the whole chain once
    const chain = chainOf(fe);
    if (chain && !takesAddress(fe) && !insideReadMacro(fe) && !unevaluated(fe)) out.push(chain);
  }
  return out;
}

function chainOf(fe: Node): Chain | undefined {
  const groups: string[] = [];
  let current = '';
  let n: Node | null = fe;
  let derefs = 0;
  while (n?.type === 'field_expression') {
    const field = n.childForFieldName('field')?.text ?? '';
    current = current ? `${field}.${current}` : field;
    if (n.childForFieldName('operator')?.text === '->') {
      groups.unshift(current);
      current = '';
      derefs++;
    }
    n = n.childForFieldName('argument');
  }
  // `s.a->b` reads through a pointer held in a struct: not a shape BPF_CORE_READ(s, ...) rewrites.
  if (!n || derefs === 0 || current) return undefined;
  return { node: fe, base: n, groups };
}

/** `&a->b`, `&a->b[i]`: an address is computed, nothing is loaded. */
function takesAddress(fe: Node): boolean {
  let n: Node = fe;
  while (n.parent && (n.parent.type === 'subscript_expression' || n.parent.type === 'parenthesized_expression')) n = n.parent;
  return n.parent?.type === 'pointer_expression' && n.parent.text.startsWith('&');
}

function insideReadMacro(fe: Node): boolean {
  for (let a = fe.parent; a; a = a.parent) {
    if (a.type === 'call_expression' && READ_MACROS.test(a.childForFieldName('function')?.text ?? '')) return true;
  }
  return false;
}

/**
 * Whether the chain's first `->` goes through a kernel pointer the verifier sees as a plain number: a
 * local or argument (not the program's context) typed as a kernel struct pointer and not BTF-typed, or a
 * cast to one (`((struct sock *)PT_REGS_PARM1(ctx))->...`). An array member at the end is an address.
 */
function throughPlainPointer(input: RuleInput, f: CFunction, chain: Chain): boolean {
  const env = describedEnv(input.ctx, input.file);
  const scope: Scope = { doc: input.file.model, tree: input.file.tree, env, offset: chain.node.startIndex };
  const base = unwrapValue(chain.base);
  let type;
  if (base.type === 'identifier') {
    const ctxParam = f.macro ? undefined : f.params[0]?.name;
    if (base.text === ctxParam || provenanceOf(input.ctx, input.file, f, base.text, chain.node.startIndex) === 'btf') return false;
    type = expressionType(base.text, scope);
  } else if (base.type === 'call_expression' && chain.base.type !== 'call_expression') {
    // A cast call result: the cast names the type, the call (PT_REGS_PARM1, bpf_get_current_task) gives a number.
    const cast = /^\(*\s*\(\s*((?:const\s+)?(?:struct|union)\s+\w+)\s*\*\s*\)/.exec(chain.base.text);
    const callee = base.childForFieldName('function')?.text ?? '';
    if (!cast || callee === 'bpf_get_current_task_btf') return false;
    type = { kind: 'pointer' as const, target: baseType(cast[1].replace(/^const\s+/, ''), env) };
  } else return false;
  const pointee = type && composite(deref(type, env) ?? type, env);
  if (!pointee?.btfId) return false; // a local struct, a map value: direct access is fine
  const whole = expressionType(chain.node.text, scope);
  return !(whole?.kind === 'array' || (whole?.kind === 'btf' && env.btf.kind(env.btf.resolve(whole.id)) === Kind.Array));
}
