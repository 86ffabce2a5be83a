// Document symbols (programs with their sections, maps, globals) and workspace symbols (the programs and
// maps of the files handed in, then kernel types).
import { DocumentSymbol, Range, SymbolInformation, SymbolKind } from 'vscode-languageserver-types';
import { Kind } from '../btf/wire';
import { describedViewUri } from './navigation';
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

/** The last segment of a document URI, as people name the file (`handler.bpf.c`). */
function fileName(uri: string): string {
  const last = uri.slice(uri.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** The programs and maps of `files` whose name contains `q` (lower case; every one when `q` is empty). */
function projectSymbols(files: readonly ParsedFile[], q: string, limit: number): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const matches = (name: string) => name.toLowerCase().includes(q);
  for (const file of files) {
    const d = file.doc;
    const range = (s: { start: number; end: number }) => Range.create(d.positionAt(s.start), d.positionAt(s.end));
    const where = fileName(d.uri);
    for (const f of file.model.functions) {
      if (f.section && matches(f.name) && out.length < limit) out.push(SymbolInformation.create(f.name, SymbolKind.Function, range(f.nameSpan), d.uri, `SEC("${f.section.name}") in ${where}`));
    }
    for (const m of file.model.maps) {
      if (matches(m.name) && out.length < limit) out.push(SymbolInformation.create(m.name, SymbolKind.Variable, range(m.nameSpan), d.uri, `${m.fields.type ?? 'map'} in ${where}`));
    }
  }
  return out;
}

/**
 * Workspace symbol search: the programs and maps of `files` (the open documents), then kernel types by
 * name (capped per query). Container names say what a symbol is and where, in words:
 * `SEC("kprobe/do_unlinkat") in prog.bpf.c`, `struct in 6.1.0-56-amd64`.
 */
export function workspaceSymbols(ctx: ServiceContext, query: string, files: readonly ParsedFile[] = [], limit = 200): SymbolInformation[] {
  const q = query.toLowerCase();
  const out = projectSymbols(files, q, limit);
  return q ? [...out, ...kernelTypeSymbols(ctx, q, limit - out.length)] : out;
}

/**
 * The described kernel's types whose name contains `q` (lower case), once per kind and name: the name
 * itself first, then names that start with it, then the rest, so the cap never hides the type asked for.
 */
function kernelTypeSymbols(ctx: ServiceContext, q: string, limit: number): SymbolInformation[] {
  const { btf, label } = ctx.kernels.described;
  const ranked: SymbolInformation[][] = [[], [], []];
  for (const [kind, word, symbolKind] of SEARCHED_KINDS) {
    let previous: string | undefined;
    for (const { name } of btf.namesOfKind(kind)) {
      if (name === previous) continue;
      previous = name;
      const at = name.toLowerCase().indexOf(q);
      if (at < 0) continue;
      const rank = ranked[name.length === q.length ? 0 : at === 0 ? 1 : 2];
      if (rank.length < limit) rank.push(SymbolInformation.create(name, symbolKind, Range.create(0, 0, 0, 0), describedViewUri(ctx, word, name), `${word} in ${label}`));
    }
  }
  return ranked.flat().slice(0, limit);
}
