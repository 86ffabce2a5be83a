// Open Python documents that are BCC tools: the C each passes to BPF(text=...) (bcc/python.ts), parsed as
// C under the .py's URI and language (which is what makes the bcc rule read it as BCC), and their diagnostics placed
// back on the Python (bcc/python-diagnostics.ts). Python files that pass no C to BPF() cost one regular
// expression per change: no tokenizing, no parse, no diagnostics published.
import { fileURLToPath } from 'node:url';
import { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CompletionList, Diagnostic, Hover, Position, Range } from 'vscode-languageserver-types';
import { extractBccFromPython, mayPassBccText, pythonOffset, PythonBccText } from '../bcc/python';
import { diagnosticsInPython } from '../bcc/python-diagnostics';
import { CParser } from '../csource/parser';
import { LanguageService } from '../features/language-service';
import { ParsedFile } from '../features/service-context';
import { parseSource } from '../host/language-setup';
import { ProjectHeaders } from '../host/project-headers';
import { OrderedDocuments } from './ordered-documents';
import { withEditRange } from './completion-defaults';

export interface PythonDocument {
  uri: string;
  doc: TextDocument;
  /** Each BPF(text=...) program with its C parsed; empty for Python that is not BCC. */
  programs: { bcc: PythonBccText; parsed: ParsedFile }[];
  /** Whether diagnostics were ever published for it (so a file that stops being BCC is cleared once). */
  published: boolean;
}

export class PythonDocuments extends OrderedDocuments<PythonDocument> {
  /** The URIs open as Python, known at once (the parse is asynchronous): where a change notification goes. */
  private readonly openUris = new Set<string>();

  constructor(
    private readonly parser: Promise<CParser>,
    private readonly headers: Promise<ProjectHeaders>,
    log: (msg: string) => void,
    /** Called after each open or change of a document that is, or was, BCC. */
    private readonly onUpdate: (doc: PythonDocument) => void,
  ) {
    super(log);
  }

  has(uri: string): boolean {
    return this.openUris.has(uri);
  }

  open(uri: string, version: number, text: string): void {
    this.openUris.add(uri);
    this.inOrder(uri, async () => this.update(uri, TextDocument.create(uri, 'python', version, text), false));
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    this.inOrder(uri, async () => {
      const open = this.docs.get(uri);
      if (open) await this.update(uri, TextDocument.update(open.doc, changes, version), open.published);
    });
  }

  close(uri: string): void {
    this.openUris.delete(uri);
    this.inOrder(uri, async () => {
      this.release(this.docs.get(uri));
      this.docs.delete(uri);
    });
  }

  private async update(uri: string, doc: TextDocument, published: boolean): Promise<void> {
    this.release(this.docs.get(uri));
    const text = doc.getText();
    const bcc = mayPassBccText(text) ? extractBccFromPython(text).programs : [];
    const programs: PythonDocument['programs'] = [];
    if (bcc.length > 0) {
      const parser = await this.parser;
      const headers = await this.headers;
      const path = uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
      for (const p of bcc) programs.push({ bcc: p, parsed: parseSource(parser, headers, TextDocument.create(uri, 'python', doc.version, p.text), path) });
    }
    const next: PythonDocument = { uri, doc, programs, published };
    this.docs.set(uri, next);
    if (programs.length > 0 || published) this.onUpdate(next);
  }

  private release(doc: PythonDocument | undefined): void {
    for (const p of doc?.programs ?? []) p.parsed.tree.delete();
  }
}

/** The diagnostics of every program of a BCC tool, on the Python file, a step at a time as a C file's are (diagnosticSteps). */
export function* pythonDiagnosticSteps(doc: PythonDocument, service: LanguageService): Generator<void, Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const p of doc.programs) out.push(...diagnosticsInPython(doc.doc, p.bcc, yield* service.diagnosticSteps(p.parsed)));
  doc.published = out.length > 0;
  return out;
}

/** The hover of the C under a position of the .py (inside a BPF(text=...) program's text), its range moved back to the Python. */
export function pythonHover(doc: PythonDocument, pos: Position, service: LanguageService): Hover | null {
  const offset = doc.doc.offsetAt(pos);
  for (const p of doc.programs) {
    const c = p.bcc.offsets.indexOf(offset);
    if (c < 0) continue;
    const hover = service.hover(p.parsed, p.parsed.doc.positionAt(c));
    return hover?.range ? { ...hover, range: pythonRange(doc, p, hover.range) } : hover;
  }
  return null;
}

/** Completion in the C of a .py: the cursor follows the character typed last, inside a program's text; edits that do not map onto one Python literal are left out. */
export function pythonCompletion(doc: PythonDocument, pos: Position, service: LanguageService): CompletionList | null {
  const offset = doc.doc.offsetAt(pos);
  for (const p of doc.programs) {
    const before = p.bcc.offsets.indexOf(offset - 1);
    if (before < 0) continue;
    const list = service.complete(p.parsed, p.parsed.doc.positionAt(before + 1));
    const shared = list.itemDefaults?.editRange;
    const sharedRange = shared && 'start' in shared ? pythonRange(doc, p, shared) : undefined;
    const items = list.items.flatMap((item) => {
      const edit = item.textEdit && 'range' in item.textEdit ? item.textEdit : undefined;
      // An item without an edit of its own replaces the list's range: kept where that maps onto the literal.
      if (!edit) return item.textEdit || (shared && !sharedRange) ? [] : [item];
      const range = pythonRange(doc, p, edit.range);
      return range ? [{ ...item, textEdit: { range, newText: edit.newText } }] : [];
    });
    return withEditRange(list, items, sharedRange);
  }
  return null;
}

/** A range of a program's C as a range of the .py, when its text is one stretch of one literal there. */
function pythonRange(doc: PythonDocument, p: PythonDocument['programs'][number], r: Range): Range | undefined {
  const cs = p.parsed.doc.offsetAt(r.start);
  const ce = p.parsed.doc.offsetAt(r.end);
  const start = cs < p.bcc.offsets.length ? p.bcc.offsets[cs] : pythonOffset(p.bcc, cs);
  const end = ce === cs ? start : pythonOffset(p.bcc, ce - 1) + 1;
  return start >= 0 && end - start === ce - cs ? Range.create(doc.doc.positionAt(start), doc.doc.positionAt(end)) : undefined;
}
