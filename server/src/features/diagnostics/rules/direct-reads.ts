// `a->b` through a kernel pointer in a kprobe/tracepoint program: the verifier refuses it; offer BPF_CORE_READ.
import type { Node } from 'web-tree-sitter';
import { Range } from 'vscode-languageserver-types';
import { CFunction } from '../../../csource/model';
import { matchSection } from '../../../sections/match';
import { Scope, expressionType } from '../../expression';
import { composite, deref } from '../../types';
import { describedEnv } from '../../service-context';
import { Rule, RuleInput } from '../rule';

/** Program types where the verifier refuses plain loads through kernel pointers: reads go through bpf_probe_read_kernel. */
const PROBE_READ_ONLY = new Set(['BPF_PROG_TYPE_KPROBE', 'BPF_PROG_TYPE_TRACEPOINT', 'BPF_PROG_TYPE_RAW_TRACEPOINT', 'BPF_PROG_TYPE_PERF_EVENT']);
const READ_MACROS = /^(BPF_CORE_READ\w*|BPF_PROBE_READ\w*|bpf_core_\w+|bpf_probe_read\w*|__builtin_preserve_\w+)$/;

export const directReadsRule: Rule = {
  name: 'direct reads',
  codes: ['direct-kernel-read'],
  check(input, report) {
    if (input.kernels.length === 0) return;
    for (const f of input.file.model.functions) {
      const m = f.section && matchSection(f.section.name);
      if (!m || !PROBE_READ_ONLY.has(m.def.progType)) continue;
      for (const fe of pointerReads(input, f)) {
        const read = directRead(input, f, fe);
        if (!read) continue;
        const fix = `BPF_CORE_READ(${read.base}, ${read.names.join(', ')})`;
        const doc = input.file.doc;
        report({
          code: 'direct-kernel-read', start: fe.startIndex, end: fe.endIndex,
          message: `${m.def.progType} programs cannot dereference kernel pointers directly (the verifier rejects it): read with ${fix}`,
          fix: { title: `Rewrite as ${fix}`, range: Range.create(doc.positionAt(fe.startIndex), doc.positionAt(fe.endIndex)), newText: fix },
        });
      }
    }
  },
};

/** The outermost `->` chains of a function's body that are reads: not inside a read macro, not `&a->b`. */
function pointerReads(input: RuleInput, f: CFunction): Node[] {
  const brace = input.file.tree.rootNode.descendantForIndex(f.body.start, f.body.start + 1);
  const body = brace?.type === 'compound_statement' ? brace : brace?.parent;
  if (!body) return [];
  return body.descendantsOfType('field_expression').filter((fe): fe is Node => {
    if (!fe || fe.childForFieldName('operator')?.text !== '->') return false;
    if (fe.parent?.type === 'field_expression' && fe.parent.childForFieldName('argument')?.id === fe.id) return false; // report the whole chain once
    if (fe.parent?.type === 'pointer_expression' && fe.parent.text.startsWith('&')) return false; // taking an address reads nothing
    for (let a = fe.parent; a; a = a.parent) {
      if (a.type === 'call_expression' && READ_MACROS.test(a.childForFieldName('function')?.text ?? '')) return false;
    }
    return true;
  });
}

/** The chain's base and the names it walks, when the base is a kernel pointer (not the context, a local struct or a map value). */
function directRead(input: RuleInput, f: CFunction, fe: Node): { base: string; names: string[] } | undefined {
  const names: string[] = [];
  let base: Node | null = fe;
  while (base && base.type === 'field_expression' && base.childForFieldName('operator')?.text === '->') {
    names.unshift(base.childForFieldName('field')?.text ?? '');
    base = base.childForFieldName('argument');
  }
  const ctxParam = f.macro ? undefined : f.params[0]?.name;
  if (!base || base.type !== 'identifier' || base.text === ctxParam) return undefined;
  const env = describedEnv(input.ctx, input.file);
  const scope: Scope = { doc: input.file.model, tree: input.file.tree, env, offset: fe.startIndex };
  const t = expressionType(base.text, scope);
  const c = t && composite(deref(t, env) ?? t, env);
  return c?.btfId ? { base: base.text, names } : undefined;
}
