// Where a pointer's value comes from, as far as the verifier is concerned. In kprobe, tracepoint and
// perf_event programs a kernel pointer is a plain number (a `scalar`) that only bpf_probe_read_kernel may
// follow, unless the verifier typed it from BTF: the result of bpf_get_current_task_btf() or of a kfunc,
// and members reached through such a pointer.
import type { Node } from 'web-tree-sitter';
import { CFunction, functionBody } from '../csource/model';
import { hasHelper, hasKfunc } from './kernel-support';
import { ParsedFile, ServiceContext } from './service-context';

export type Provenance = 'btf' | 'plain';

/** Helpers whose result the verifier types from BTF. */
const BTF_RESULT_HELPERS = new Set(['bpf_get_current_task_btf']);

/** Through parentheses and casts, to the value itself. */
export function unwrapValue(n: Node): Node {
  let cur = n;
  for (;;) {
    if (cur.type === 'parenthesized_expression' && cur.namedChildCount === 1) cur = cur.namedChild(0)!;
    else if (cur.type === 'cast_expression' && cur.childForFieldName('value')) cur = cur.childForFieldName('value')!;
    else return cur;
  }
}

/**
 * The provenance of a local or parameter `name` at `offset`: BTF when every value assigned to it before
 * `offset` (its initializer included) is a BTF pointer; plain otherwise, parameters of pt_regs-reading
 * heads included.
 */
export function provenanceOf(ctx: ServiceContext, file: ParsedFile, f: CFunction, name: string, offset: number, depth = 0): Provenance {
  const body = functionBody(file.tree, f);
  if (!body || depth > 4) return 'plain';
  const values = assignmentsOf(body, name).filter((a) => a.at < offset).map((a) => a.value);
  if (values.length === 0) return 'plain';
  return values.every((v) => valueProvenance(ctx, file, f, v, depth) === 'btf') ? 'btf' : 'plain';
}

function valueProvenance(ctx: ServiceContext, file: ParsedFile, f: CFunction, value: Node, depth: number): Provenance {
  const v = unwrapValue(value);
  if (v.type === 'call_expression') {
    const callee = v.childForFieldName('function')?.text ?? '';
    const btf = ctx.kernels.described.btf;
    // A helper's FUNC is in BTF too (and some kernels tag no kfuncs): a helper is never a kfunc.
    return BTF_RESULT_HELPERS.has(callee) || (!hasHelper(btf, callee) && hasKfunc(btf, callee)) ? 'btf' : 'plain';
  }
  if (v.type === 'field_expression') {
    // A member reached through a BTF pointer is typed from BTF too.
    let base: Node | null = v;
    while (base?.type === 'field_expression') base = base.childForFieldName('argument');
    return base?.type === 'identifier' ? provenanceOf(ctx, file, f, base.text, v.startIndex, depth + 1) : 'plain';
  }
  if (v.type === 'identifier') return provenanceOf(ctx, file, f, v.text, v.startIndex, depth + 1);
  return 'plain';
}

/** The name a declarator (`*p`, `a[4]`, `x = ...`) declares, or the identifier itself. */
export function declaratorName(d: Node | null | undefined): string | undefined {
  while (d && d.type !== 'identifier') d = d.childForFieldName('declarator');
  return d?.text;
}

/** The places in `body` that read through `name`: `name->x`, `*name`, `name[i]`, in text order. */
export function dereferencesOf(body: Node, name: string): Node[] {
  return body.descendantsOfType('identifier').filter((id): id is Node => {
    const parent = id?.text === name ? id.parent : null;
    if (!parent || parent.childForFieldName('argument')?.id !== id!.id || unevaluated(parent)) return false;
    return (parent.type === 'field_expression' && parent.childForFieldName('operator')?.text === '->')
      || parent.type === 'subscript_expression' || (parent.type === 'pointer_expression' && parent.text.startsWith('*'));
  });
}

/** Inside sizeof, typeof or offsetof: the expression is never evaluated, nothing is read. */
export function unevaluated(n: Node): boolean {
  for (let a: Node | null = n; a; a = a.parent) {
    if (a.type === 'sizeof_expression' || a.type === 'offsetof_expression' || a.type === 'alignof_expression') return true;
    if (a.type === 'macro_type_specifier' || (a.type === 'call_expression' && /^(typeof|__typeof__|__builtin_offsetof)$/.test(a.childForFieldName('function')?.text ?? ''))) return true;
    if (a.type === 'compound_statement') return false;
  }
  return false;
}

/** `name = value` and `T name = value` in `body`: each assignment's value and where it happens. */
export function assignmentsOf(body: Node, name: string): { value: Node; at: number; statementEnd: number }[] {
  const out = [];
  for (const d of body.descendantsOfType('init_declarator')) {
    const value = d?.childForFieldName('value');
    if (d && value && declaratorName(d.childForFieldName('declarator')) === name) out.push({ value, at: d.startIndex, statementEnd: d.parent?.endIndex ?? d.endIndex });
  }
  for (const a of body.descendantsOfType('assignment_expression')) {
    const left = a?.childForFieldName('left');
    const value = a?.childForFieldName('right');
    if (a && value && left?.type === 'identifier' && left.text === name) out.push({ value, at: a.startIndex, statementEnd: a.parent?.endIndex ?? a.endIndex });
  }
  return out.sort((x, y) => x.at - y.at);
}
