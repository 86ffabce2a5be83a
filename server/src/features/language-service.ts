// The language features of a .bpf.c file, one module each, behind one facade: plain functions over
// (parsed file, position). Results are vscode-languageserver-types shapes; nothing here knows the LSP
// connection, and nothing reads files.
import { CompletionList, Diagnostic, DocumentSymbol, Hover, Location, Position, SymbolInformation } from 'vscode-languageserver-types';
import { complete } from './completion';
import { RelocationReport } from '../relocs/object';
import { computeDiagnostics, diagnosticSteps } from './diagnostics/diagnostics';
import { relocationDiagnostics } from './diagnostics/relocations';
import { hoverProvider } from './hover';
import { definition, kernelTypeView } from './navigation';
import { ParsedFile, ServiceContext } from './service-context';
import { documentSymbols, workspaceSymbols } from './symbols';

export interface LanguageService {
  readonly context: ServiceContext;
  hover(file: ParsedFile, pos: Position): Hover | null;
  complete(file: ParsedFile, pos: Position): CompletionList;
  definition(file: ParsedFile, pos: Position): Location | null;
  documentSymbols(file: ParsedFile): DocumentSymbol[];
  /** Kernel types by name, after the programs and maps of `files` (the open documents) when given. */
  workspaceSymbols(query: string, files?: readonly ParsedFile[]): SymbolInformation[];
  diagnostics(file: ParsedFile): Diagnostic[];
  /** The same diagnostics computed a step at a time (the generator's value is the list), for the server to answer requests in between. */
  diagnosticSteps(file: ParsedFile): Generator<void, Diagnostic[]>;
  /** Diagnostics for a built object's relocations whose source lines lie in `file`. */
  relocationDiagnostics(file: ParsedFile, reports: RelocationReport[]): Diagnostic[];
  /** The C text of an `ebpf-btf:` read-only kernel type view. */
  kernelTypeView(uri: string): { text: string; memberLines: Map<string, number> } | undefined;
}

export function getLanguageService(ctx: ServiceContext): LanguageService {
  return {
    context: ctx,
    hover: hoverProvider(ctx),
    complete: (file, pos) => complete(ctx, file, pos),
    definition: (file, pos) => definition(ctx, file, pos),
    documentSymbols,
    workspaceSymbols: (query, files) => workspaceSymbols(ctx, query, files),
    diagnostics: (file) => computeDiagnostics(file, ctx),
    diagnosticSteps: (file) => diagnosticSteps(file, ctx),
    relocationDiagnostics: (file, reports) => relocationDiagnostics(file, reports, ctx),
    kernelTypeView: (uri) => kernelTypeView(ctx, uri),
  };
}
