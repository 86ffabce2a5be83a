// A pointer that may be NULL (bpf_map_lookup_elem, bpf_ringbuf_reserve...) read through before any check:
// the verifier refuses the load ("invalid mem access 'map_value_or_null'"). The quick fix inserts the
// check right after the assignment. Any condition that mentions the pointer between the assignment and
// the read counts as a check: a missed check is better than a false error.
import type { Node } from 'web-tree-sitter';
import { Range } from 'vscode-languageserver-types';
import { functionBody } from '../../../csource/model';
import { MAYBE_NULL_HELPERS } from '../../../helpers/maybe-null';
import { assignmentsOf, declaratorName, dereferencesOf, unwrapValue } from '../../pointer-provenance';
import { Rule, RuleInput } from '../rule';

const CONDITIONS = new Set(['if_statement', 'while_statement', 'for_statement', 'do_statement', 'conditional_expression']);

export const nullChecksRule: Rule = {
  name: 'NULL checks',
  codes: ['maybe-null-deref'],
  // A step per program.
  *check(input, report) {
    for (const f of input.file.model.functions) {
      const body = functionBody(input.file.tree, f);
      if (!body || !f.section) continue;
      for (const { name, assignment, deref } of uncheckedReads(body)) {
        const helper = unwrapValue(assignment.value).childForFieldName('function')?.text;
        report({
          code: 'maybe-null-deref', start: deref.startIndex, end: deref.endIndex,
          message: `${name} may be NULL (${helper}() returns NULL when there is nothing to return): check it before reading through it; the verifier refuses the load otherwise`,
          fix: nullCheckFix(input, name, assignment.statementEnd),
        });
      }
      yield;
    }
  },
};

/** The first read through each maybe-NULL pointer that no condition guards. */
function uncheckedReads(body: Node): { name: string; assignment: ReturnType<typeof assignmentsOf>[number]; deref: Node }[] {
  const out = [];
  const names = new Set<string>();
  for (const call of body.descendantsOfType('call_expression')) {
    const callee = call?.childForFieldName('function')?.text ?? '';
    if (!MAYBE_NULL_HELPERS.has(callee.replace(/^bpf_/, ''))) continue;
    let n = call!.parent;
    while (n && (n.type === 'cast_expression' || n.type === 'parenthesized_expression')) n = n.parent;
    const target = n?.type === 'init_declarator' ? n.childForFieldName('declarator') : n?.type === 'assignment_expression' ? n.childForFieldName('left') : null;
    const name = declaratorName(target);
    if (name) names.add(name);
  }
  for (const name of names) {
    const assignments = assignmentsOf(body, name);
    for (const deref of dereferencesOf(body, name)) {
      const last = assignments.filter((a) => a.statementEnd <= deref.startIndex).pop();
      const fromHelper = last && MAYBE_NULL_HELPERS.has((unwrapValue(last.value).childForFieldName('function')?.text ?? '').replace(/^bpf_/, ''));
      if (!last || !fromHelper || checked(body, name, last.at, deref)) continue;
      out.push({ name, assignment: last, deref });
      break;
    }
  }
  return out;
}

/** Whether a condition mentioning `name` lies between the assignment and the read, or around the read. */
function checked(body: Node, name: string, from: number, deref: Node): boolean {
  for (let a = deref.parent; a && a.id !== body.id; a = a.parent) {
    const logical = a.type === 'binary_expression' && /^(&&|\|\|)$/.test(a.childForFieldName('operator')?.text ?? '');
    if ((CONDITIONS.has(a.type) || logical) && mentions(a.childForFieldName('condition') ?? a.childForFieldName('left'), name)) return true;
  }
  return body.descendantsOfType([...CONDITIONS]).some((c) => {
    if (!c || c.startIndex < from || c.startIndex >= deref.startIndex) return false;
    return mentions(c.childForFieldName('condition'), name);
  });
}

function mentions(n: Node | null, name: string): boolean {
  return !!n && (n.text === name || n.descendantsOfType('identifier').some((id) => id?.text === name));
}

function nullCheckFix(input: RuleInput, name: string, statementEnd: number) {
  const doc = input.file.doc;
  const at = doc.positionAt(statementEnd);
  const line = doc.getText(Range.create(at.line, 0, at.line, at.character));
  const indent = /^\s*/.exec(line)![0];
  return { title: `Check ${name} for NULL`, range: Range.create(at, at), newText: `\n${indent}if (!${name})\n${indent}\treturn 0;` };
}
