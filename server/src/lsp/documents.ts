// The open C documents: text kept in sync with incremental edits, re-parsed incrementally by tree-sitter,
// notifications applied in order (ordered-documents.ts).
import { fileURLToPath } from 'node:url';
import { TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CParser, Tree, treeEdit } from '../csource/parser';
import { isBpfSource } from '../features/bpf-source';
import { ParsedFile } from '../features/service-context';
import { parseSource } from '../host/language-setup';
import { ProjectHeaders } from '../host/project-headers';
import { OrderedDocuments } from './ordered-documents';

export interface OpenDocument {
  uri: string;
  /** The file's path, for `file:` URIs. */
  path: string | undefined;
  /** The latest parse; replaced whole on every change. */
  parsed: ParsedFile;
  /** Whether the latest parse is an eBPF program (features/bpf-source.ts): other C gets no answers. */
  bpf: boolean;
}

export class Documents extends OrderedDocuments<OpenDocument> {
  constructor(
    private readonly parser: Promise<CParser>,
    private readonly headers: Promise<ProjectHeaders>,
    log: (msg: string) => void,
    /** Called after each open or change, with the document as it now is. */
    private readonly onUpdate: (doc: OpenDocument) => void,
  ) {
    super(log);
  }

  open(uri: string, languageId: string, version: number, text: string): void {
    this.inOrder(uri, async () => {
      const path = uriPath(uri);
      const parsed = parseSource(await this.parser, await this.headers, TextDocument.create(uri, languageId, version, text), path);
      const doc = { uri, path, parsed, bpf: isBpfSource(parsed) };
      this.docs.set(uri, doc);
      this.onUpdate(doc);
    });
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    this.inOrder(uri, async () => {
      const open = this.docs.get(uri);
      if (!open) return;
      const parser = await this.parser;
      const { doc, tree } = applyChanges(parser, open.parsed.doc, open.parsed.tree, changes, version);
      this.update(open, parseSource(parser, await this.headers, doc, open.path, tree));
    });
  }

  /** Parses every open document again, as when it was opened (the build's flags changed). */
  reparseAll(): void {
    for (const open of this.docs.values()) {
      this.inOrder(open.uri, async () => {
        this.update(open, parseSource(await this.parser, await this.headers, open.parsed.doc, open.path, open.parsed.tree));
      });
    }
  }

  close(uri: string): void {
    this.inOrder(uri, async () => {
      this.docs.get(uri)?.parsed.tree.delete();
      this.docs.delete(uri);
    });
  }

  /** Parses a file that is not open (a built object's source), with the same headers. */
  async parseFile(uri: string, path: string, text: string): Promise<ParsedFile> {
    return parseSource(await this.parser, await this.headers, TextDocument.create(uri, 'c', 0, text), path);
  }

  private update(open: OpenDocument, parsed: ParsedFile): void {
    open.parsed = parsed;
    open.bpf = isBpfSource(parsed);
    this.onUpdate(open);
  }
}

/** The text and tree after `changes`; the old tree is edited in place for the incremental re-parse. */
function applyChanges(parser: CParser, doc: TextDocument, tree: Tree, changes: TextDocumentContentChangeEvent[], version: number): { doc: TextDocument; tree: Tree } {
  for (const change of changes) {
    if (TextDocumentContentChangeEvent.isIncremental(change)) {
      const start = { offset: doc.offsetAt(change.range.start), ...change.range.start };
      const oldEnd = { offset: doc.offsetAt(change.range.end), ...change.range.end };
      doc = TextDocument.update(doc, [change], version);
      const newEndOffset = start.offset + change.text.length;
      tree.edit(treeEdit(start, oldEnd, { offset: newEndOffset, ...doc.positionAt(newEndOffset) }));
    } else {
      doc = TextDocument.update(doc, [change], version);
      tree.delete();
      tree = parser.parse(doc.getText());
    }
  }
  return { doc, tree };
}

function uriPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}
