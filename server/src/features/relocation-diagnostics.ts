// After a build: the object's CO-RE relocations that libbpf cannot apply on some target kernel, as
// diagnostics at their source lines. A relocation under a CO-RE guard that is false in a kernel is dead
// code there (libbpf poisons it, the verifier never reaches it), exactly as the source checks treat it.
import { Diagnostic, DiagnosticSeverity, Range } from 'vscode-languageserver-types';
import { RelocationReport } from '../relocs/object';
import { guardsAround, kernelScope, ruledOut } from './core-guards';
import { Kernel, ParsedFile, projectStructs } from './language-service';
import { SOURCE } from './diagnostics';

export const POISON_CALL = 'invalid func unknown#195896080';

/** Diagnostics for the relocations of `reports` whose source line lies in `file` (caller picks them). */
export function relocationDiagnostics(file: ParsedFile, reports: RelocationReport[], kernels: Kernel[]): Diagnostic[] {
  const text = file.doc.getText();
  const structs = projectStructs(file);
  const byKey = new Map<string, Diagnostic>();
  for (const r of reports) {
    if (!r.source) continue;
    const lineIdx = r.source.line - 1;
    const lineStart = file.doc.offsetAt({ line: lineIdx, character: 0 });
    const lineText = text.slice(lineStart, file.doc.offsetAt({ line: lineIdx + 1, character: 0 })).replace(/\n$/, '');
    const at = r.name ? lineText.indexOf(r.name) : -1;
    const start = lineStart + (at >= 0 ? at : lineText.length - lineText.trimStart().length);
    const end = at >= 0 ? start + r.name.length : lineStart + lineText.trimEnd().length;
    const guards = guardsAround(file.tree, text, start);
    const failing = r.targets.filter((t) => {
      if (!t.error && !t.poisoned) return false;
      const k = kernels.find((x) => x.label === t.kernel);
      return !k || !ruledOut(guards, kernelScope(file, k, structs, start));
    });
    if (failing.length === 0) continue;
    const names = failing.map((t) => t.kernel).join(', ');
    const err = failing.find((t) => t.error);
    const message = err
      ? `CO-RE relocation ${r.kind} of ${r.access} fails in ${names}: ${err.error}; libbpf refuses to load the object there`
      : failing.every((t) => t.resolved)
        ? `CO-RE relocation ${r.kind} of ${r.access}: its size changed in ${names} in a way the load cannot be adjusted to; libbpf poisons it there`
        : `CO-RE relocation ${r.kind} of ${r.access} finds no match in ${names}: libbpf poisons the instruction there, and the verifier rejects the program if it runs it (${POISON_CALL}). Guard it with bpf_core_field_exists() or bpf_core_type_exists()`;
    // Bitfield reads and chains make several relocations per access: one diagnostic each.
    const key = `${start}:${end}:${message}`;
    if (byKey.has(key)) continue;
    byKey.set(key, {
      range: Range.create(file.doc.positionAt(start), file.doc.positionAt(end)),
      severity: err || failing.length === r.targets.length ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      code: err ? 'core-relo-error' : 'core-relo-unresolved',
      source: SOURCE,
      message: `${message} [${r.section} relo #${r.index}]`,
    });
  }
  return [...byKey.values()];
}
