// After a build: the object's CO-RE relocations that libbpf cannot apply on some target kernel, as
// diagnostics at their source lines. A relocation under a CO-RE guard that is false in a kernel is dead
// code there (libbpf poisons it, the verifier never reaches it), exactly as the source checks treat it.
import { Diagnostic, Range } from 'vscode-languageserver-types';
import { RelocationReport } from '../../relocs/object';
import { CORE_POISON_CALL } from '../../relocs/poison';
import { guardsAround, kernelScope, ruledOut } from '../core-guards';
import { ParsedFile, ServiceContext } from '../service-context';
import { computeDiagnostics } from './diagnostics';
import { Finding, toDiagnostic } from './rule';

/** Diagnostics for the relocations of `reports` whose source line lies in `file` (the caller picks them). */
export function relocationDiagnostics(file: ParsedFile, reports: RelocationReport[], ctx: ServiceContext): Diagnostic[] {
  const kernels = ctx.kernels.all;
  const byKey = new Map<string, Diagnostic>();
  // One problem per cause: an access the source check already reports is not reported again here.
  const fromSource = computeDiagnostics(file, ctx).filter((d) => d.code === 'core-field-missing').map((d) => d.range);
  for (const r of reports) {
    const at = r.source && relocationSpan(file, r.source.line, r.name);
    if (!at || fromSource.some((range) => overlaps(file, range, at))) continue;
    const guards = guardsAround(file.tree, at.start);
    const failing = r.targets.filter((t) => {
      if (!t.error && !t.poisoned) return false;
      const k = kernels.find((x) => x.label === t.kernel);
      return !k || !ruledOut(guards, kernelScope(file, k, at.start));
    });
    if (failing.length === 0) continue;
    const finding = relocationFinding(r, failing);
    // Bitfield reads and chains make several relocations per access: one diagnostic each.
    const key = `${at.start}:${at.end}:${finding.message}`;
    const diagnostic = byKey.has(key) ? undefined : toDiagnostic(file, { ...finding, ...at, message: `${finding.message} [${r.section} relo #${r.index}]` }, ctx.severity);
    if (diagnostic) byKey.set(key, diagnostic);
  }
  return [...byKey.values()];
}

function overlaps(file: ParsedFile, range: Range, span: { start: number; end: number }): boolean {
  return file.doc.offsetAt(range.start) < span.end && span.start < file.doc.offsetAt(range.end);
}

/** The accessed field's name on the relocation's source line, else the line's text. */
function relocationSpan(file: ParsedFile, line: number, name: string): { start: number; end: number } {
  const text = file.doc.getText();
  const lineStart = file.doc.offsetAt({ line: line - 1, character: 0 });
  const lineText = text.slice(lineStart, file.doc.offsetAt({ line, character: 0 })).replace(/\n$/, '');
  const at = name ? lineText.indexOf(name) : -1;
  const start = lineStart + (at >= 0 ? at : lineText.length - lineText.trimStart().length);
  return { start, end: at >= 0 ? start + name.length : lineStart + lineText.trimEnd().length };
}

function relocationFinding(r: RelocationReport, failing: RelocationReport['targets']): Omit<Finding, 'start' | 'end'> {
  const names = failing.map((t) => t.kernel).join(', ');
  const err = failing.find((t) => t.error);
  if (err) return { code: 'core-relo-error', message: `CO-RE relocation ${r.kind} of ${r.access} fails in ${names}: ${err.error}; libbpf refuses to load the object there` };
  const someKernels = failing.length < r.targets.length;
  if (failing.every((t) => t.resolved)) {
    return { code: 'core-relo-unresolved', someKernels, message: `CO-RE relocation ${r.kind} of ${r.access}: its size changed in ${names} in a way the load cannot be adjusted to; libbpf poisons it there` };
  }
  return {
    code: 'core-relo-unresolved', someKernels,
    message: `CO-RE relocation ${r.kind} of ${r.access} finds no match in ${names}: libbpf poisons the instruction there, and the verifier rejects the program if it runs it (${CORE_POISON_CALL}). Guard it with bpf_core_field_exists() or bpf_core_type_exists()`,
  };
}
