// Document symbols (programs with their sections, maps, globals) and workspace symbols (kernel types).
import { DocumentSymbol, Range, SymbolInformation, SymbolKind } from 'vscode-languageserver-types';
import { Kind } from '../btf/wire';
import { btfViewUri } from './navigation';
import { ParsedFile, ServiceContext } from './service-context';

export function documentSymbols(file: ParsedFile): DocumentSymbol[] {
  const d = file.doc;
  const range = (s: { start: number; end: number }) => Range.create(d.positionAt(s.start), d.positionAt(s.end));
  const out: DocumentSymbol[] = [];
  for (const f of file.model.functions) {
    out.push(DocumentSymbol.create(f.name, f.section ? `SEC("${f.section.name}")` : 'function', SymbolKind.Function, range(f.span), range(f.nameSpan)));
  }
  for (const m of file.model.maps) out.push(DocumentSymbol.create(m.name, m.fields.type ?? 'map', SymbolKind.Variable, range(m.nameSpan), range(m.nameSpan)));
  for (const g of file.model.globals) out.push(DocumentSymbol.create(g.name, `${g.type.isConst ? 'const ' : ''}${g.type.base}`, SymbolKind.Variable, range(g.span), range(g.span)));
  return out;
}

const SEARCHED_KINDS = [[Kind.Struct, 'struct', SymbolKind.Struct], [Kind.Union, 'union', SymbolKind.Struct], [Kind.Enum, 'enum', SymbolKind.Enum], [Kind.Typedef, 'typedef', SymbolKind.TypeParameter]] as const;

/** Kernel types by name for workspace symbol search (substring matches, capped per query). */
export function workspaceSymbols(ctx: ServiceContext, query: string, limit = 200): SymbolInformation[] {
  const q = query.toLowerCase();
  if (!q) return [];
  const { btf, label } = ctx.kernels.described;
  const out: SymbolInformation[] = [];
  for (const [kind, word, symbolKind] of SEARCHED_KINDS) {
    for (const n of btf.namesOfKind(kind)) {
      if (out.length >= limit) return out;
      if (n.name.toLowerCase().includes(q)) out.push(SymbolInformation.create(n.name, symbolKind, Range.create(0, 0, 0, 0), btfViewUri(0, word, n.name), `${word} in ${label}`));
    }
  }
  return out;
}
