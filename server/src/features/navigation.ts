// Go to definition: the file's own structs, or a kernel type (or one of its members) in a read-only C
// view of BTF, addressed `ebpf-btf:/<kernel>/<kind> <name>.h` (btf-view-uri.ts) and rendered on request;
// a struct's or union's layout as pahole prints it is the view `<kind> <name>.layout.h`.
import { Location, Position, Range } from 'vscode-languageserver-types';
import { renderType } from '../btf/c-render';
import { Kind } from '../btf/wire';
import { layoutOf } from '../layout/model';
import { formatPahole } from '../layout/pahole';
import { layoutSummary } from './layout-summary';
import { essentialName } from '../relocs/relo-core';
import { btfViewUri, parseBtfViewUri, viewKernel, viewKernelName, ViewKind } from './btf-view-uri';
import { cursorContext } from './cursor';
import { ParsedFile, ServiceContext, scopeAt } from './service-context';
import { ExprType, composite, deref, step } from './types';

/** The URI of the described kernel's view of a type, or of a struct's or union's pahole layout. */
export function describedViewUri(ctx: ServiceContext, kind: ViewKind, name: string, layout = false): string {
  return btfViewUri({ kernel: viewKernelName(ctx.kernels, ctx.kernels.described), kind, name, layout });
}

export function definition(ctx: ServiceContext, file: ParsedFile, pos: Position): Location | null {
  const offset = file.doc.offsetAt(pos);
  const scope = scopeAt(ctx, file, offset);
  const cursor = cursorContext(file, offset, scope, false);
  const word = cursor.word;
  if (!word) return null;
  if (cursor.typeKeyword) {
    const local = file.structs.get(`${cursor.typeKeyword} ${word.text}`);
    if (local && file.model.structs.has(`${cursor.typeKeyword} ${word.text}`)) {
      const at = file.doc.positionAt(local.span.start);
      return Location.create(file.doc.uri, Range.create(at, at));
    }
    return kernelTypeLocation(ctx, cursor.typeKeyword, essentialName(word.text));
  }
  let owner: ExprType | undefined;
  if (cursor.member) {
    const { owner: base, op } = cursor.member;
    if (step(base, op, word.text, scope.env)) owner = op === '->' ? deref(base, scope.env) ?? base : base;
  } else owner = cursor.coreRead?.owner;
  const c = owner && composite(owner, scope.env);
  const btf = ctx.kernels.described.btf;
  if (c?.btfId !== undefined) return kernelTypeLocation(ctx, btf.kind(c.btfId) === Kind.Union ? 'union' : 'struct', btf.name(c.btfId), word.text);
  return btf.findFirst(word.text, Kind.Typedef) !== undefined ? kernelTypeLocation(ctx, 'typedef', word.text) : null;
}

function kernelTypeLocation(ctx: ServiceContext, kind: ViewKind, name: string, memberName?: string): Location | null {
  const uri = describedViewUri(ctx, kind, name);
  const view = kernelTypeView(ctx, uri);
  if (!view) return null;
  const line = memberName !== undefined ? view.memberLines.get(memberName) ?? [...view.memberLines.entries()].find(([p]) => p.endsWith('.' + memberName))?.[1] ?? 0 : 0;
  return Location.create(uri, Range.create(line, 0, line, 0));
}

/**
 * The content of an `ebpf-btf:` view, with the line of each member path: a kernel type as C, ending with
 * a struct's or union's summary; or (`.layout.h`) its layout exactly as pahole prints it.
 */
export function kernelTypeView(ctx: ServiceContext, uri: string): { text: string; memberLines: Map<string, number> } | undefined {
  const a = parseBtfViewUri(uri);
  const k = a && viewKernel(ctx.kernels, a.kernel);
  if (!a || !k) return undefined;
  const kind = { struct: Kind.Struct, union: Kind.Union, enum: Kind.Enum, typedef: Kind.Typedef }[a.kind];
  const id = k.btf.findFirst(a.name, kind) ?? (kind === Kind.Enum ? k.btf.findFirst(a.name, Kind.Enum64) : undefined);
  if (id === undefined) return undefined;
  const composite = kind === Kind.Struct || kind === Kind.Union;
  if (a.layout) {
    if (!composite) return undefined;
    return { text: `/* ${a.kind} ${a.name} in ${k.label}: the layout as pahole prints it */\n${formatPahole(k.btf, layoutOf(k.btf, id)!)}`, memberLines: new Map() };
  }
  const r = renderType(k.btf, id);
  let text = `/* ${a.kind} ${a.name} in ${k.label} (read-only view of kernel BTF) */\n${r.text}`;
  if (composite) text += `/* ${layoutSummary(k.btf, layoutOf(k.btf, id)!)} */\n`;
  const lines = new Map([...r.memberLines].map(([p, l]) => [p, l + 1]));
  return { text, memberLines: lines };
}
