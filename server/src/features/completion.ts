// Completion: members after `->`/`.` and in BPF_CORE_READ arguments, type names, SEC() names and their
// targets, map types and flags, BPF_PROG argument lists, helpers.
import { CompletionItem, CompletionItemKind, CompletionList, MarkupKind, Position } from 'vscode-languageserver-types';
import { Kind } from '../btf/wire';
import { familyOf, targetNames } from '../sections/families';
import { matchSection, sectionSpellings } from '../sections/match';
import { TypeKeyword, cursorContext } from './cursor';
import { bpfFlags, enumValues } from './kernel-support';
import { argumentList, programArguments } from './program-arguments';
import { ParsedFile, ServiceContext, describedEnv, scopeAt } from './service-context';
import { ExprType, TypeEnv, deref, membersOf, typeText } from './types';

const list = (items: CompletionItem[]) => CompletionList.create(items, false);

export function complete(ctx: ServiceContext, file: ParsedFile, pos: Position): CompletionList {
  const offset = file.doc.offsetAt(pos);
  const scope = scopeAt(ctx, file, offset);
  const cursor = cursorContext(file, offset, scope, true);
  if (cursor.section) return sectionCompletion(ctx, cursor.section.typed);
  if (cursor.mapField) return mapFieldCompletion(ctx, cursor.mapField);
  if (cursor.programArgs) return programArgsCompletion(ctx, cursor.programArgs.section);
  if (cursor.member) return memberCompletion(cursor.member.op === '->' ? deref(cursor.member.owner, scope.env) ?? cursor.member.owner : cursor.member.owner, scope.env);
  if (cursor.coreRead?.owner) return memberCompletion(cursor.coreRead.owner, scope.env);
  if (cursor.typeKeyword) return typeNameCompletion(ctx, file, cursor.typeKeyword);
  const partial = cursor.word?.text ?? '';
  if (/^bpf_/.test(partial) || partial === 'bpf') return helperCompletion(ctx);
  return list([]);
}

function mapFieldCompletion(ctx: ServiceContext, field: 'type' | 'map_flags'): CompletionList {
  const { btf, label } = ctx.kernels.described;
  const names = field === 'type' ? [...enumValues(btf, 'bpf_map_type')].filter((n) => n !== '__MAX_BPF_MAP_TYPE') : bpfFlags(btf);
  return list(names.map((name) => ({ label: name, kind: CompletionItemKind.EnumMember, detail: label })));
}

/** After `BPF_PROG(name, `: the kernel's argument list for the section just above, as each kernel spells it. */
function programArgsCompletion(ctx: ServiceContext, section: string | undefined): CompletionList {
  if (!section) return list([]);
  const items: CompletionItem[] = [];
  for (const k of ctx.kernels.all) {
    const args = programArguments(section, k.btf);
    if (!args) continue;
    const label = argumentList(args, k.btf);
    const same = items.find((i) => i.label === label);
    if (same) same.detail += `, ${k.label}`;
    else items.push({ label, kind: CompletionItemKind.Snippet, detail: `arguments of ${section} in ${k.label}`, insertText: label, sortText: String(items.length).padStart(3, '0') });
  }
  return list(items);
}

function memberCompletion(type: ExprType, env: TypeEnv): CompletionList {
  return list(membersOf(type, env).map((m, i): CompletionItem => ({
    label: m.name,
    kind: CompletionItemKind.Field,
    detail: typeText(m.type, env),
    documentation: m.bitOffset !== undefined ? `offset ${Math.floor(m.bitOffset / 8)}${m.bitSize ? `, ${m.bitSize}-bit bitfield` : ''}` : undefined,
    // Declaration order is the ranking: the struct's author grouped hot fields first.
    sortText: String(i).padStart(5, '0'),
  })));
}

function typeNameCompletion(ctx: ServiceContext, file: ParsedFile, keyword: TypeKeyword): CompletionList {
  const btf = ctx.kernels.described.btf;
  const kinds = keyword === 'struct' ? [Kind.Struct] : keyword === 'union' ? [Kind.Union] : [Kind.Enum, Kind.Enum64];
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  for (const s of describedEnv(ctx, file).structs.values()) {
    if (s.kind !== keyword || seen.has(s.name)) continue;
    seen.add(s.name);
    items.push({ label: s.name, kind: CompletionItemKind.Struct, detail: 'this project' });
  }
  for (const kind of kinds) {
    for (const n of btf.namesOfKind(kind)) {
      if (seen.has(n.name)) continue;
      seen.add(n.name);
      items.push({ label: n.name, kind: keyword === 'enum' ? CompletionItemKind.Enum : CompletionItemKind.Struct, data: { btfId: n.id } });
    }
  }
  return list(items);
}

function sectionCompletion(ctx: ServiceContext, typed: string): CompletionList {
  const slash = typed.indexOf('/');
  if (slash < 0) {
    return list(sectionSpellings().map((s): CompletionItem => {
      const m = matchSection(s.endsWith('/') ? s + 'x' : s);
      return { label: s, kind: CompletionItemKind.Keyword, detail: m ? `${m.def.progType}${m.def.attachType ? ' / ' + m.def.attachType : ''}` : undefined };
    }));
  }
  const m = matchSection(`${typed.slice(0, slash)}/x`);
  if (!m) return list([]);
  const names = targetNames(familyOf(m.def.sec), ctx.kernels.described.btf, ctx.tracefs && (() => ctx.tracefs!.list()));
  return list(names.map((name) => ({ label: name, kind: CompletionItemKind.Function })));
}

function helperCompletion(ctx: ServiceContext): CompletionList {
  return list([...ctx.helpers.values()].map((h): CompletionItem => ({
    label: h.name,
    kind: CompletionItemKind.Function,
    detail: h.signature,
    documentation: { kind: MarkupKind.Markdown, value: h.doc },
  })));
}
