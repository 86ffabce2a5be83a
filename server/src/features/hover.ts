// Hover: a kernel type's pahole layout, a member's offset and size in every kernel, SEC() facts, helper
// and kfunc signatures, variables, maps and typedefs. One hover provider per service: kernel type hovers
// are cached, since a layout never changes for a loaded kernel and hovers repeat.
import { Hover, Position, Range } from 'vscode-languageserver-types';
import { declaration, typeName } from '../btf/c-decl';
import { renderType } from '../btf/c-render';
import { Kind } from '../btf/wire';
import { layoutOf } from '../layout/model';
import { formatPahole } from '../layout/pahole';
import { essentialName } from '../relocs/relo-core';
import { hasTarget, targetNeed } from '../sections/families';
import { matchSection } from '../sections/match';
import { PROGRAM_CONTEXT } from '../sections/program-context';
import { CursorContext, TypeKeyword, cursorContext } from './cursor';
import { identifierType } from './expression';
import { markdown, withRange } from './markdown';
import { btfViewUri } from './navigation';
import { ParsedFile, ServiceContext, describedEnv, scopeAt } from './service-context';
import { ExprType, MemberInfo, TypeEnv, composite, deref, membersOf, step, typeText } from './types';

export type HoverProvider = (file: ParsedFile, pos: Position) => Hover | null;

export function hoverProvider(ctx: ServiceContext): HoverProvider {
  const typeHoverCache = new Map<string, Hover>();

  function kernelTypeHoverCached(keyword: TypeKeyword, name: string): Hover {
    const key = `${keyword} ${name}`;
    const cached = typeHoverCache.get(key);
    if (cached) return cached;
    const hover = kernelTypeHover(ctx, keyword, name);
    if (typeHoverCache.size >= 256) typeHoverCache.delete(typeHoverCache.keys().next().value!);
    typeHoverCache.set(key, hover);
    return hover;
  }

  return (file, pos) => {
    const offset = file.doc.offsetAt(pos);
    const scope = scopeAt(ctx, file, offset);
    const cursor = cursorContext(file, offset, scope, false);
    if (cursor.section?.whole) return sectionHover(ctx, cursor.section.whole.name);
    const word = cursor.word;
    if (!word) return null;
    const range = Range.create(file.doc.positionAt(word.start), file.doc.positionAt(word.end));
    if (cursor.typeKeyword) {
      const local = file.structs.get(`${cursor.typeKeyword} ${word.text}`);
      return withRange(local ? localStructHover(cursor.typeKeyword, word.text, local.members) : kernelTypeHoverCached(cursor.typeKeyword, word.text), range);
    }
    return withRange(memberHover(ctx, file, cursor) ?? wordHover(ctx, file, cursor), range);
  };
}

/** A member after `->`/`.` or in a BPF_CORE_READ argument. */
function memberHover(ctx: ServiceContext, file: ParsedFile, cursor: CursorContext): Hover | null {
  const env = describedEnv(ctx, file);
  const word = cursor.word!.text;
  if (cursor.member) {
    const m = step(cursor.member.owner, cursor.member.op, word, env);
    if (m) return fieldHover(ctx, cursor.member.owner, cursor.member.op, m, env);
  }
  const read = cursor.coreRead;
  if (read?.owner && read.partial === word) {
    const m = membersOf(read.owner, env).find((x) => x.name === word);
    if (m) return fieldHover(ctx, read.owner, '.', m, env);
  }
  return null;
}

/** A plain identifier: a helper, a variable, a map, a kfunc, a kernel typedef. */
function wordHover(ctx: ServiceContext, file: ParsedFile, cursor: CursorContext): Hover | null {
  const word = cursor.word!.text;
  const described = ctx.kernels.described;
  const helper = ctx.helpers.get(word);
  if (helper) return markdown(`\`\`\`c\n${helper.signature}\n\`\`\`\n${helper.doc}`);
  const scope = scopeAt(ctx, file, cursor.offset);
  const v = identifierType(word, scope);
  if (v) return markdown(`\`\`\`c\n${v.kind === 'btf' ? declaration(scope.env.btf, v.id, word) : `${typeText(v, scope.env)} ${word}`}\n\`\`\``);
  const map = file.model.maps.find((m) => m.name === word);
  if (map) return markdown(`**map \`${map.name}\`**\n\n${Object.entries(map.fields).map(([k, value]) => `- ${k}: \`${value}\``).join('\n')}`);
  const kfunc = described.btf.findFirst(word, Kind.Func);
  if (kfunc !== undefined && /^bpf_/.test(word)) return markdown(`\`\`\`c\n${typeName(described.btf, kfunc)}\n\`\`\`\nkfunc in ${described.label}`);
  const typedef = described.btf.findFirst(word, Kind.Typedef);
  return typedef !== undefined ? typedefHover(ctx, typedef) : null;
}

function localStructHover(keyword: TypeKeyword, name: string, members: { name: string; type: { base: string; pointers: number; arrays: number[] } }[]): Hover {
  const body = members.map((m) => `\t${m.type.base}${m.type.pointers ? ' ' + '*'.repeat(m.type.pointers) : ' '}${m.name}${m.type.arrays.map((n) => `[${n}]`).join('')};`).join('\n');
  return markdown(`\`\`\`c\n${keyword} ${name} {\n${body}\n};\n\`\`\`\nDefined in this project.`);
}

function kernelTypeHover(ctx: ServiceContext, keyword: TypeKeyword, name: string): Hover {
  const { btf, label } = ctx.kernels.described;
  const kind = keyword === 'struct' ? Kind.Struct : keyword === 'union' ? Kind.Union : Kind.Enum;
  const id = btf.findFirst(essentialName(name), kind) ?? (keyword === 'enum' ? btf.findFirst(name, Kind.Enum64) : undefined);
  if (id === undefined) return markdown(`\`${keyword} ${name}\` is not in ${label}.`);
  const flavour = essentialName(name) !== name ? `\n\nCO-RE flavour of \`${keyword} ${essentialName(name)}\`.` : '';
  if (kind === Kind.Enum) return markdown(`\`\`\`c\n${renderType(btf, id).text}\`\`\`${flavour}`);
  const layout = layoutOf(btf, id)!;
  const lines = formatPahole(btf, layout).trimEnd().split('\n');
  const max = ctx.maxHoverLines ?? 60;
  const cut = lines.length > max;
  const shown = cut ? [...lines.slice(0, max), `\t/* ... ${lines.length - max} more lines */`, ...lines.slice(lines.length - 8)] : lines;
  const s = layout.summary;
  const link = `[Open the full layout](command:ebpf.openBtfView?${encodeURIComponent(JSON.stringify([btfViewUri(0, keyword, essentialName(name))]))})`;
  return markdown(`\`\`\`c\n${shown.join('\n')}\n\`\`\`\n/* size: ${s.size}, cachelines: ${s.cachelines}, members: ${s.members} */ in ${label}${flavour}${cut ? `\n\n${link}` : ''}`);
}

function typedefHover(ctx: ServiceContext, id: number): Hover {
  const { btf, label } = ctx.kernels.described;
  const target = btf.resolve(id);
  let extra = '';
  if (btf.kind(target) === Kind.Struct || btf.kind(target) === Kind.Union) {
    const l = layoutOf(btf, target)!;
    extra = `\n\n/* size: ${l.summary.size}, cachelines: ${l.summary.cachelines}, members: ${l.summary.members} */`;
  }
  return markdown(`\`\`\`c\n${renderType(btf, id).text}\`\`\`\n${btf.sizeOf(id)} bytes in ${label}${extra}`);
}

/** A member's type, offset and size in every configured kernel: where it exists and where it does not. */
function fieldHover(ctx: ServiceContext, owner: ExprType, op: '->' | '.', m: MemberInfo, env: TypeEnv): Hover {
  const decl = m.type.kind === 'btf' ? declaration(env.btf, m.type.id, m.name) : `${typeText(m.type, env)} ${m.name}`;
  const head = `\`\`\`c\n${decl}\n\`\`\``;
  const c = composite(op === '->' ? deref(owner, env) ?? owner : owner, env);
  if (!c?.btfId) return markdown(`${head}\nMember of a type defined in this project.`);
  const ownerName = env.btf.name(c.btfId);
  const kind = env.btf.kind(c.btfId) === Kind.Union ? Kind.Union : Kind.Struct;
  const rows: string[] = [];
  for (const k of ctx.kernels.all) {
    const id = k.btf.findFirst(ownerName, kind);
    const mem = id === undefined ? undefined : membersOf({ kind: 'btf', id }, { btf: k.btf, structs: new Map() }).find((x) => x.name === m.name);
    if (!mem) rows.push(`| ${k.label} | missing | | |`);
    else {
      const type = (mem.type as { id: number }).id;
      const off = mem.bitSize ? `${Math.floor(mem.bitOffset! / 8)} (bit ${mem.bitOffset! % 8}, ${mem.bitSize} bits)` : String(mem.bitOffset! / 8);
      rows.push(`| ${k.label} | ${off} | ${k.btf.sizeOf(type)} | \`${typeName(k.btf, type)}\` |`);
    }
  }
  return markdown(`${head}\nMember of \`${kind === Kind.Union ? 'union' : 'struct'} ${ownerName}\`\n\n| kernel | offset | size | type |\n|---|---|---|---|\n${rows.join('\n')}`);
}

function sectionHover(ctx: ServiceContext, name: string): Hover {
  const m = matchSection(name);
  if (!m) return markdown(`\`SEC("${name}")\`: libbpf knows no such section name.`);
  const d = m.def;
  const context = PROGRAM_CONTEXT[d.progType];
  const lines = [
    `**SEC("${name}")**: libbpf section \`${d.sec}\``,
    '',
    `- program type: \`${d.progType}\``,
    `- expected attach type: \`${d.attachType ?? '0'}\``,
    `- context: ${context ? `\`${context}${context.startsWith('struct') ? ' *' : ''}\`` : 'see the kernel documentation'}`,
  ];
  if (d.flags.length) lines.push(`- flags: ${d.flags.map((f) => `\`SEC_${f}\``).join(', ')}`);
  if (m.noAutoload) lines.push('- `?`: not loaded automatically (enable with `bpf_program__set_autoload()`)');
  lines.push(`- introduced in libbpf ${d.since}`);
  const need = targetNeed(m);
  if (need) for (const k of ctx.kernels.all) lines.push(`- target \`${m.target}\` in ${k.label}: ${hasTarget(k.btf, need) ? 'present' : '**missing**'}`);
  return markdown(lines.join('\n'));
}
