// Diagnostics of the C inside a Python BCC tool, placed on the Python: the edge (the language server)
// extracts the C (python.ts), has the language service diagnose it as a document whose URI is the .py
// (which is what makes the bcc rule treat it as BCC), and maps each range back with this.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Diagnostic, Range } from 'vscode-languageserver-types';
import { PythonBccText, pythonOffset } from './python';

/** The diagnostics of `program`'s C (ranges in the C text), moved to the Python file `py`; those with no place there are dropped. */
export function diagnosticsInPython(py: TextDocument, program: PythonBccText, diagnostics: Diagnostic[]): Diagnostic[] {
  const c = TextDocument.create('file:///bcc.c', 'c', 1, program.text);
  const out: Diagnostic[] = [];
  for (const d of diagnostics) {
    const start = pythonOffset(program, c.offsetAt(d.range.start));
    const end = pythonOffset(program, Math.max(c.offsetAt(d.range.start), c.offsetAt(d.range.end) - 1));
    if (start < 0 || end < 0) continue;
    const fix = d.data as { title: string; range: Range; newText: string; edits?: unknown[] } | undefined;
    // A quick fix's range is in the C; where its text maps contiguously into one Python literal, it can be applied there
    // (a fix with edits elsewhere too, such as the CO-RE flavour guard's declaration, is not moved).
    const fs = fix && pythonOffset(program, c.offsetAt(fix.range.start));
    const fe = fix && pythonOffset(program, c.offsetAt(fix.range.end));
    const contiguous = fix && !fix.edits?.length && fs !== undefined && fe !== undefined && fs >= 0 && fe - fs === c.offsetAt(fix.range.end) - c.offsetAt(fix.range.start);
    out.push({
      ...d,
      range: Range.create(py.positionAt(start), py.positionAt(end + 1)),
      data: contiguous ? { ...fix, range: Range.create(py.positionAt(fs!), py.positionAt(fe!)) } : undefined,
    });
  }
  return out;
}
