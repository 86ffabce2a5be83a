// The language features of a .bpf.c file, as plain functions over (document, position, parsed state):
// hover, completion, definition, symbols. Results are vscode-languageserver-types shapes; nothing here
// knows the LSP connection, and nothing reads files.
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CompletionItem, CompletionItemKind, CompletionList, DocumentSymbol, Hover, Location, MarkupKind, Position, Range, SymbolInformation, SymbolKind,
} from 'vscode-languageserver-types';
import { Btf } from '../btf/btf';
import { declaration, typeName } from '../btf/c-decl';
import { renderType } from '../btf/c-render';

import { Kind } from '../btf/wire';
import { CDocument, CStruct } from '../csource/model';
import { Tree } from '../csource/parser';
import { layoutOf } from '../layout/model';
import { formatPahole } from '../layout/pahole';

import { matchSection, sectionSpellings } from '../sections/match';
import { PROGRAM_CONTEXT } from '../sections/program-context';
import { CallContext, CORE_READ_MACROS, Scope, callContext, coreReadTarget, expressionType, identifierType } from './expression';
import { HelperDoc } from './helper-docs';
import { bpfFlags, enumValues } from './kernel-features';
import { essentialName } from '../relocs/relo-core';
import { argumentList, programArguments } from './program-args';
import { CType, MemberInfo, TypeEnv, composite, deref, membersOf, step, typeText } from './types';

export interface Kernel {
  label: string;
  btf: Btf;
  /** KERNEL_VERSION(a, b, c) of this kernel, when known: LINUX_KERNEL_VERSION guards are decided with it. */
  version?: number;
}

export interface ServiceContext {
  /** The described kernel first, then the other target kernels. */
  kernels: Kernel[];
  helpers: Map<string, HelperDoc>;
  /** Layouts longer than this many lines are cut in hovers, with a link to the full view. */
  maxHoverLines?: number;
  /** The running kernel's tracepoints (`category/name`) from tracefs, when the described kernel is the running one. */
  tracepoints?: () => string[];
}

export interface ParsedFile {
  doc: TextDocument;
  tree: Tree;
  model: CDocument;
  /** Structs of the project headers the file includes, keyed `struct name`. */
  headerStructs: Map<string, CStruct>;
}

/** The structs a file can name: its project headers', then its own (which win). */
export function projectStructs(file: ParsedFile): Map<string, CStruct> {
  const structs = new Map(file.headerStructs);
  for (const [k, v] of file.model.structs) structs.set(k, v);
  return structs;
}

/** The URI of the read-only C view of a kernel type: `ebpf-btf:/<kernel index>/<kind>/<name>.h`. */
export function btfViewUri(kernelIndex: number, kind: 'struct' | 'union' | 'enum' | 'typedef', name: string): string {
  return `ebpf-btf:/${kernelIndex}/${kind}/${name}.h`;
}

export function getLanguageService(ctx: ServiceContext) {
  const described = () => ctx.kernels[0];

  function env(file: ParsedFile): TypeEnv {
    return { btf: described().btf, structs: projectStructs(file) };
  }

  function scope(file: ParsedFile, offset: number): Scope {
    return { doc: file.model, tree: file.tree, env: env(file), offset };
  }

  // ---- hover ----

  function hover(file: ParsedFile, pos: Position): Hover | null {
    const text = file.doc.getText();
    const offset = file.doc.offsetAt(pos);
    const section = sectionAt(file, offset);
    if (section) return sectionHover(section);
    const w = wordAt(text, offset);
    if (!w) return null;
    const range = Range.create(file.doc.positionAt(w.start), file.doc.positionAt(w.end));
    const before = text.slice(Math.max(0, w.start - 64), w.start);
    const sc = scope(file, offset);

    const kw = /\b(struct|union|enum)\s+$/.exec(before);
    if (kw) return withRange(typeHover(file, kw[1] as 'struct' | 'union' | 'enum', w.word), range);

    const access = /(->|\.)\s*$/.exec(before);
    if (access) {
      const base = expressionType(chainBefore(text, w.start - access[0].length), sc);
      const m = base && step(base, access[1] as '->' | '.', w.word, sc.env);
      if (m) return withRange(fieldHover(base!, access[1] as '->' | '.', m, sc.env), range);
    }

    const call = callContext(text, w.start);
    if (call && CORE_READ_MACROS[call.callee]) {
      const m = coreReadField(call, text, w, sc);
      if (m) return withRange(fieldHover(m.owner, '.', m.member, sc.env), range);
    }

    const helper = ctx.helpers.get(w.word);
    if (helper) return withRange(markdown(`\`\`\`c\n${helper.signature}\n\`\`\`\n${helper.doc}`), range);

    const v = identifierType(w.word, sc);
    if (v) return withRange(markdown(`\`\`\`c\n${v.k === 'btf' ? declaration(sc.env.btf, v.id, w.word) : `${typeText(v, sc.env)} ${w.word}`}\n\`\`\``), range);

    const mapDef = file.model.maps.find((m) => m.name === w.word);
    if (mapDef) return withRange(mapHover(mapDef.name, mapDef.fields), range);

    const kfunc = described().btf.findFirst(w.word, Kind.Func);
    if (kfunc !== undefined && /^bpf_/.test(w.word)) return withRange(markdown(`\`\`\`c\n${typeName(described().btf, kfunc)}\n\`\`\`\nkfunc in ${described().label}`), range);

    const td = described().btf.findFirst(w.word, Kind.Typedef);
    if (td !== undefined) return withRange(typedefHover(td), range);
    return null;
  }

  /** Kernel type hovers by name: a layout never changes for a loaded kernel, and hovers repeat. */
  const typeHoverCache = new Map<string, Hover>();

  function typeHover(file: ParsedFile, kw: 'struct' | 'union' | 'enum', name: string): Hover | null {
    const local = env(file).structs.get(`${kw} ${name}`);
    if (local) {
      const body = local.members.map((m) => `\t${m.type.base}${m.type.pointers ? ' ' + '*'.repeat(m.type.pointers) : ' '}${m.name}${m.type.arrays.map((n) => `[${n}]`).join('')};`).join('\n');
      return markdown(`\`\`\`c\n${kw} ${name} {\n${body}\n};\n\`\`\`\nDefined in this project.`);
    }
    const key = `${kw} ${name}`;
    const cached = typeHoverCache.get(key);
    if (cached) return cached;
    const h = kernelTypeHover(kw, name);
    if (typeHoverCache.size >= 256) typeHoverCache.delete(typeHoverCache.keys().next().value!);
    typeHoverCache.set(key, h);
    return h;
  }

  function kernelTypeHover(kw: 'struct' | 'union' | 'enum', name: string): Hover {
    const btf = described().btf;
    const kind = kw === 'struct' ? Kind.Struct : kw === 'union' ? Kind.Union : Kind.Enum;
    const id = btf.findFirst(essentialName(name), kind) ?? (kw === 'enum' ? btf.findFirst(name, Kind.Enum64) : undefined);
    if (id === undefined) return markdown(`\`${kw} ${name}\` is not in ${described().label}.`);
    const flavour = essentialName(name) !== name ? `\n\nCO-RE flavour of \`${kw} ${essentialName(name)}\`.` : '';
    if (kind === Kind.Enum) return markdown(`\`\`\`c\n${renderType(btf, id).text}\`\`\`${flavour}`);
    const layout = layoutOf(btf, id)!;
    const lines = formatPahole(btf, layout).trimEnd().split('\n');
    const max = ctx.maxHoverLines ?? 60;
    const cut = lines.length > max;
    const shown = cut ? [...lines.slice(0, max), `\t/* ... ${lines.length - max} more lines */`, ...lines.slice(lines.length - 8)] : lines;
    const s = layout.summary;
    const link = `[Open the full layout](command:ebpf.openBtfView?${encodeURIComponent(JSON.stringify([btfViewUri(0, kw, essentialName(name))]))})`;
    return markdown(`\`\`\`c\n${shown.join('\n')}\n\`\`\`\n/* size: ${s.size}, cachelines: ${s.cachelines}, members: ${s.members} */ in ${described().label}${flavour}${cut ? `\n\n${link}` : ''}`);
  }

  function typedefHover(id: number): Hover {
    const btf = described().btf;
    const target = btf.resolve(id);
    let extra = '';
    if (btf.kind(target) === Kind.Struct || btf.kind(target) === Kind.Union) {
      const l = layoutOf(btf, target)!;
      extra = `\n\n/* size: ${l.summary.size}, cachelines: ${l.summary.cachelines}, members: ${l.summary.members} */`;
    }
    return markdown(`\`\`\`c\n${renderType(btf, id).text}\`\`\`\n${btf.sizeOf(id)} bytes in ${described().label}${extra}`);
  }

  /** A member's type, offset and size in every configured kernel: where it exists and where it does not. */
  function fieldHover(owner: CType, op: '->' | '.', m: MemberInfo, e: TypeEnv): Hover {
    const decl = m.type.k === 'btf' ? declaration(e.btf, m.type.id, m.name) : `${typeText(m.type, e)} ${m.name}`;
    const head = `\`\`\`c\n${decl}\n\`\`\``;
    const c = composite(op === '->' ? deref(owner, e) ?? owner : owner, e);
    if (!c?.btfId) return markdown(`${head}\nMember of a type defined in this project.`);
    const btf = e.btf;
    const ownerName = btf.name(c.btfId);
    const kind = btf.kind(c.btfId) === Kind.Union ? Kind.Union : Kind.Struct;
    const rows: string[] = [];
    for (const k of ctx.kernels) {
      const id = k.btf.findFirst(ownerName, kind);
      const mem = id === undefined ? undefined : membersOf({ k: 'btf', id }, { btf: k.btf, structs: new Map() }).find((x) => x.name === m.name);
      if (!mem) rows.push(`| ${k.label} | missing | | |`);
      else {
        const size = k.btf.sizeOf((mem.type as { id: number }).id);
        const off = mem.bitSize ? `${Math.floor(mem.bitOffset! / 8)} (bit ${mem.bitOffset! % 8}, ${mem.bitSize} bits)` : String(mem.bitOffset! / 8);
        rows.push(`| ${k.label} | ${off} | ${size} | \`${typeName(k.btf, (mem.type as { id: number }).id)}\` |`);
      }
    }
    return markdown(`${head}\nMember of \`${kind === Kind.Union ? 'union' : 'struct'} ${ownerName}\`\n\n| kernel | offset | size | type |\n|---|---|---|---|\n${rows.join('\n')}`);
  }

  function coreReadField(call: CallContext, text: string, w: { word: string; start: number; end: number }, sc: Scope): { owner: CType; member: MemberInfo } | undefined {
    // Re-read the call up to the end of the hovered word, so the word is the last (partial) field.
    const upto = callContext(text, w.end);
    if (!upto || upto.callee !== call.callee) return undefined;
    const t = coreReadTarget(upto, sc);
    if (!t || t.partial !== w.word) return undefined;
    const m = membersOf(t.type, sc.env).find((x) => x.name === w.word);
    return m ? { owner: t.type, member: m } : undefined;
  }

  function sectionHover(s: { name: string }): Hover {
    const m = matchSection(s.name);
    if (!m) return markdown(`\`SEC("${s.name}")\`: libbpf knows no such section name.`);
    const d = m.def;
    const lines = [
      `**SEC("${s.name}")**: libbpf section \`${d.sec}\``,
      '',
      `- program type: \`${d.progType}\``,
      `- expected attach type: \`${d.attachType ?? '0'}\``,
      `- context: ${PROGRAM_CONTEXT[d.progType] ? `\`${PROGRAM_CONTEXT[d.progType]}${PROGRAM_CONTEXT[d.progType].startsWith('struct') ? ' *' : ''}\`` : 'see the kernel documentation'}`,
    ];
    if (d.flags.length) lines.push(`- flags: ${d.flags.map((f) => `\`SEC_${f}\``).join(', ')}`);
    if (m.noAutoload) lines.push('- `?`: not loaded automatically (enable with `bpf_program__set_autoload()`)');
    lines.push(`- introduced in libbpf ${d.since}`);
    if (m.target) {
      const need = targetNeed(d.sec, m.target);
      if (need) {
        for (const k of ctx.kernels) lines.push(`- target \`${m.target}\` in ${k.label}: ${hasTarget(k.btf, need) ? 'present' : '**missing**'}`);
      }
    }
    return markdown(lines.join('\n'));
  }

  /** After `BPF_PROG(name, `: the kernel's argument list for the section just above, as each kernel spells it. */
  function programArgsCompletion(before: string): CompletionList {
    const sec = [...before.matchAll(/\bSEC\s*\(\s*"([^"]*)"\s*\)/g)].pop()?.[1];
    if (!sec) return CompletionList.create([], false);
    const items: CompletionItem[] = [];
    for (const k of ctx.kernels) {
      const args = programArguments(sec, k.btf);
      if (!args) continue;
      const label = argumentList(args, k.btf);
      const same = items.find((i) => i.label === label);
      if (same) same.detail += `, ${k.label}`;
      else items.push({ label, kind: CompletionItemKind.Snippet, detail: `arguments of ${sec} in ${k.label}`, insertText: label, sortText: String(items.length).padStart(3, '0') });
    }
    return CompletionList.create(items, false);
  }

  function mapHover(name: string, fields: Record<string, string>): Hover {
    const rows = Object.entries(fields).map(([k, v]) => `- ${k}: \`${v}\``);
    return markdown(`**map \`${name}\`**\n\n${rows.join('\n')}`);
  }

  // ---- completion ----

  function completion(file: ParsedFile, pos: Position): CompletionList {
    const text = file.doc.getText();
    const offset = file.doc.offsetAt(pos);
    const sc = scope(file, offset);
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const line = text.slice(lineStart, offset);

    const sec = /\bSEC\s*\(\s*"([^"]*)$/.exec(line);
    if (sec) return sectionCompletion(sec[1]);

    const mapField = /\b__uint\s*\(\s*(type|map_flags)\s*,[^)]*$/.exec(line);
    if (mapField) {
      const btf = described().btf;
      const names = mapField[1] === 'type' ? [...enumValues(btf, 'bpf_map_type')].filter((n) => n !== '__MAX_BPF_MAP_TYPE') : bpfFlags(btf);
      return CompletionList.create(names.map((label) => ({ label, kind: CompletionItemKind.EnumMember, detail: described().label })), false);
    }

    const head = /\bBPF_PROG2?\s*\(\s*\w+\s*,\s*$/.exec(line);
    if (head) return programArgsCompletion(text.slice(0, offset));

    const partial = /(\w*)$/.exec(line)![1];
    const wordStart = offset - partial.length;
    const before = text.slice(Math.max(0, wordStart - 64), wordStart);

    const access = /(->|\.)\s*$/.exec(before);
    if (access) {
      const base = expressionType(chainBefore(text, wordStart - access[0].length), sc);
      if (base) return memberCompletion(access[1] === '->' ? deref(base, sc.env) ?? base : base, sc.env);
    }

    const call = callContext(text, offset);
    if (call && CORE_READ_MACROS[call.callee]) {
      const t = coreReadTarget(call, sc);
      if (t) return memberCompletion(t.type, sc.env);
    }

    const kw = /\b(struct|union|enum)\s+$/.exec(before);
    if (kw) return typeNameCompletion(file, kw[1] as 'struct' | 'union' | 'enum');

    if (/^bpf_/.test(partial) || partial === 'bpf') return helperCompletion();
    return CompletionList.create([], false);
  }

  function memberCompletion(t: CType, e: TypeEnv): CompletionList {
    const members = membersOf(t, e);
    const items = members.map((m, i): CompletionItem => ({
      label: m.name,
      kind: CompletionItemKind.Field,
      detail: typeText(m.type, e),
      documentation: m.bitOffset !== undefined ? `offset ${Math.floor(m.bitOffset / 8)}${m.bitSize ? `, ${m.bitSize}-bit bitfield` : ''}` : undefined,
      // Declaration order is the ranking: the struct's author grouped hot fields first.
      sortText: String(i).padStart(5, '0'),
    }));
    return CompletionList.create(items, false);
  }

  function typeNameCompletion(file: ParsedFile, kw: 'struct' | 'union' | 'enum'): CompletionList {
    const btf = described().btf;
    const kinds = kw === 'struct' ? [Kind.Struct] : kw === 'union' ? [Kind.Union] : [Kind.Enum, Kind.Enum64];
    const seen = new Set<string>();
    const items: CompletionItem[] = [];
    for (const s of env(file).structs.values()) {
      if (s.kind === kw && !seen.has(s.name)) {
        seen.add(s.name);
        items.push({ label: s.name, kind: CompletionItemKind.Struct, detail: 'this project' });
      }
    }
    for (const k of kinds) {
      for (const n of btf.namesOfKind(k)) {
        if (seen.has(n.name)) continue;
        seen.add(n.name);
        items.push({ label: n.name, kind: kw === 'enum' ? CompletionItemKind.Enum : CompletionItemKind.Struct, data: { btfId: n.id } });
      }
    }
    return CompletionList.create(items, false);
  }

  function sectionCompletion(typed: string): CompletionList {
    const slash = typed.indexOf('/');
    if (slash < 0) {
      const items = sectionSpellings().map((s): CompletionItem => {
        const m = matchSection(s.endsWith('/') ? s + 'x' : s);
        return { label: s, kind: CompletionItemKind.Keyword, detail: m ? `${m.def.progType}${m.def.attachType ? ' / ' + m.def.attachType : ''}` : undefined };
      });
      return CompletionList.create(items, false);
    }
    const prefix = typed.slice(0, slash);
    const targets = sectionTargets(prefix);
    return CompletionList.create(targets.map((t) => ({ label: t, kind: CompletionItemKind.Function })), false);
  }

  /** Completion targets after `prefix/`, from the described kernel's BTF. */
  function sectionTargets(prefix: string): string[] {
    const btf = described().btf;
    const p = prefix.replace(/\.s$/, '');
    if (['kprobe', 'kretprobe', 'fentry', 'fexit', 'fmod_ret', 'kprobe.multi', 'kretprobe.multi', 'freplace'].includes(p)) return btf.namesOfKind(Kind.Func).map((n) => n.name);
    if (p === 'ksyscall' || p === 'kretsyscall') return btf.namesOfKind(Kind.Func).filter((n) => n.name.startsWith('__x64_sys_')).map((n) => n.name.slice('__x64_sys_'.length));
    if (p === 'tp_btf' || p === 'raw_tp' || p === 'raw_tracepoint') return btf.namesOfKind(Kind.Typedef).filter((n) => n.name.startsWith('btf_trace_')).map((n) => n.name.slice('btf_trace_'.length));
    if (p === 'lsm' || p === 'lsm_cgroup') return btf.namesOfKind(Kind.Func).filter((n) => n.name.startsWith('bpf_lsm_')).map((n) => n.name.slice('bpf_lsm_'.length));
    if (p === 'iter') return btf.namesOfKind(Kind.Func).filter((n) => n.name.startsWith('bpf_iter_') && !/_(new|next|destroy)$/.test(n.name)).map((n) => n.name.slice('bpf_iter_'.length));
    if (p === 'tp' || p === 'tracepoint') {
      if (ctx.tracepoints) return ctx.tracepoints();
      return btf.namesOfKind(Kind.Func).filter((n) => n.name.startsWith('__x64_sys_')).flatMap((n) => {
        const s = n.name.slice('__x64_sys_'.length);
        return [`syscalls/sys_enter_${s}`, `syscalls/sys_exit_${s}`];
      });
    }
    return [];
  }

  function helperCompletion(): CompletionList {
    const items = [...ctx.helpers.values()].map((h): CompletionItem => ({
      label: h.name,
      kind: CompletionItemKind.Function,
      detail: h.signature,
      documentation: { kind: MarkupKind.Markdown, value: h.doc },
    }));
    return CompletionList.create(items, false);
  }

  // ---- navigation ----

  function definition(file: ParsedFile, pos: Position): Location | null {
    const text = file.doc.getText();
    const offset = file.doc.offsetAt(pos);
    const w = wordAt(text, offset);
    if (!w) return null;
    const before = text.slice(Math.max(0, w.start - 64), w.start);
    const sc = scope(file, offset);
    const kw = /\b(struct|union|enum)\s+$/.exec(before);
    if (kw) {
      const local = sc.env.structs.get(`${kw[1]} ${w.word}`);
      if (local && file.model.structs.has(`${kw[1]} ${w.word}`)) return Location.create(file.doc.uri, Range.create(file.doc.positionAt(local.span.start), file.doc.positionAt(local.span.start)));
      return kernelTypeLocation(kw[1] as 'struct' | 'union' | 'enum', essentialName(w.word));
    }
    const access = /(->|\.)\s*$/.exec(before);
    let owner: CType | undefined;
    if (access) {
      const base = expressionType(chainBefore(text, w.start - access[0].length), sc);
      if (base && step(base, access[1] as '->' | '.', w.word, sc.env)) owner = access[1] === '->' ? deref(base, sc.env) ?? base : base;
    } else {
      const call = callContext(text, w.end);
      if (call && CORE_READ_MACROS[call.callee]) owner = coreReadTarget(call, sc)?.type;
    }
    const c = owner && composite(owner, sc.env);
    if (c?.btfId !== undefined) {
      const btf = described().btf;
      return kernelTypeLocation(btf.kind(c.btfId) === Kind.Union ? 'union' : 'struct', btf.name(c.btfId), w.word);
    }
    const td = described().btf.findFirst(w.word, Kind.Typedef);
    if (td !== undefined) return kernelTypeLocation('typedef', w.word);
    return null;
  }

  function kernelTypeLocation(kind: 'struct' | 'union' | 'enum' | 'typedef', name: string, memberName?: string): Location | null {
    const view = kernelTypeView(btfViewUri(0, kind, name));
    if (!view) return null;
    const line = memberName !== undefined ? view.memberLines.get(memberName) ?? [...view.memberLines.entries()].find(([p]) => p.endsWith('.' + memberName))?.[1] ?? 0 : 0;
    return Location.create(btfViewUri(0, kind, name), Range.create(line, 0, line, 0));
  }

  /** The content of an `ebpf-btf:` view. */
  function kernelTypeView(uri: string): { text: string; memberLines: Map<string, number> } | undefined {
    const m = /^ebpf-btf:\/(\d+)\/(struct|union|enum|typedef)\/(\w+)\.h$/.exec(uri);
    if (!m) return undefined;
    const k = ctx.kernels[Number(m[1])];
    if (!k) return undefined;
    const kind = { struct: Kind.Struct, union: Kind.Union, enum: Kind.Enum, typedef: Kind.Typedef }[m[2] as 'struct'];
    const id = k.btf.findFirst(m[3], kind) ?? (kind === Kind.Enum ? k.btf.findFirst(m[3], Kind.Enum64) : undefined);
    if (id === undefined) return undefined;
    const r = renderType(k.btf, id);
    let text = `/* ${m[2]} ${m[3]} in ${k.label} (read-only view of kernel BTF) */\n${r.text}`;
    if (kind === Kind.Struct || kind === Kind.Union) text += `\n/* pahole layout:\n${formatPahole(k.btf, layoutOf(k.btf, id)!).replace(/\*\//g, '* /')}*/\n`;
    const lines = new Map([...r.memberLines].map(([p, l]) => [p, l + 1]));
    return { text, memberLines: lines };
  }

  function documentSymbols(file: ParsedFile): DocumentSymbol[] {
    const d = file.doc;
    const r = (s: { start: number; end: number }) => Range.create(d.positionAt(s.start), d.positionAt(s.end));
    const out: DocumentSymbol[] = [];
    for (const f of file.model.functions) {
      out.push(DocumentSymbol.create(f.name, f.section ? `SEC("${f.section.name}")` : 'function', SymbolKind.Function, r(f.span), r(f.nameSpan)));
    }
    for (const m of file.model.maps) {
      const type = m.fields.type ?? 'map';
      out.push(DocumentSymbol.create(m.name, type, SymbolKind.Variable, r(m.nameSpan), r(m.nameSpan)));
    }
    for (const g of file.model.globals) out.push(DocumentSymbol.create(g.name, `${g.type.isConst ? 'const ' : ''}${g.type.base}`, SymbolKind.Variable, r(g.span), r(g.span)));
    return out;
  }

  /** Kernel types by name for workspace symbol search (prefix and substring matches, capped per query). */
  function workspaceSymbols(query: string, limit = 200): SymbolInformation[] {
    const q = query.toLowerCase();
    if (!q) return [];
    const btf = described().btf;
    const out: SymbolInformation[] = [];
    for (const [kind, word, sk] of [[Kind.Struct, 'struct', SymbolKind.Struct], [Kind.Union, 'union', SymbolKind.Struct], [Kind.Enum, 'enum', SymbolKind.Enum], [Kind.Typedef, 'typedef', SymbolKind.TypeParameter]] as const) {
      for (const n of btf.namesOfKind(kind)) {
        if (out.length >= limit) return out;
        if (n.name.toLowerCase().includes(q)) {
          out.push(SymbolInformation.create(n.name, sk, Range.create(0, 0, 0, 0), btfViewUri(0, word, n.name), `${word} in ${described().label}`));
        }
      }
    }
    return out;
  }

  return { hover, completion, definition, documentSymbols, workspaceSymbols, kernelTypeView };
}

export type LanguageService = ReturnType<typeof getLanguageService>;

// ---- small text helpers ----

function markdown(value: string): Hover {
  return { contents: { kind: MarkupKind.Markdown, value } };
}

function withRange(h: Hover | null, range: Range): Hover | null {
  return h ? { ...h, range } : null;
}

export function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && /\w/.test(text[start - 1])) start--;
  while (end < text.length && /\w/.test(text[end])) end++;
  if (start === end) return undefined;
  return { word: text.slice(start, end), start, end };
}

/** The access chain that ends at `end` (before a `->` or `.`), such as `task->mm` or `((struct x *)p)`. */
export function chainBefore(text: string, end: number): string {
  let i = end;
  let depth = 0;
  const stop = Math.max(0, end - 512);
  while (i > stop) {
    const c = text[i - 1];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && !/[\w.>\-\s*]/.test(c)) break;
    else if (depth === 0 && c === '>' && text[i - 2] !== '-') break;
    else if (depth === 0 && c === '-' && text[i] !== '>') break;
    else if (depth === 0 && c === '*') break;
    i--;
  }
  // Two words in a row end one expression and start another: `return p->` is the chain `p`.
  return text.slice(i, end).trim().replace(/^.*\b\w+\s+(?=\w)/s, '');
}

function sectionAt(file: ParsedFile, offset: number): { name: string } | undefined {
  return file.model.sections.find((s) => s.span.start <= offset && offset <= s.span.end);
}

/** Where a kernel's BTF shows a syscall: its arch wrapper, or `__do_sys_X` for the argument-less ones. */
const SYSCALL_PREFIXES = ['__x64_sys_', '__arm64_sys_', '__riscv_sys_', '__s390x_sys_', '__do_sys_'];

export interface TargetNeed {
  /** BTF names of which one must exist. */
  names: string[];
  kind: Kind;
  /** How to name it to a person: `function vfs_read`, `syscall openat`. */
  what: string;
}

/** What a section's target needs in a kernel's BTF (kprobe: a FUNC, tp_btf: btf_trace_X, a syscall tracepoint: the syscall...). */
export function targetNeed(sec: string, target: string): TargetNeed | undefined {
  const p = sec.replace(/[+/]$/, '').replace(/\.s$/, '');
  const one = (name: string, kind: Kind, what: string) => ({ names: [name], kind, what: `${what} ${name}` });
  const syscall = (name: string) => ({ names: SYSCALL_PREFIXES.map((x) => x + name), kind: Kind.Func, what: `syscall ${name}` });
  if (['kprobe', 'kretprobe', 'fentry', 'fexit', 'fmod_ret'].includes(p)) {
    const fn = target.split('+')[0];
    return /^\w+$/.test(fn) ? one(fn, Kind.Func, 'function') : undefined;
  }
  if (p === 'tp_btf' || p === 'raw_tp' || p === 'raw_tracepoint') return one(`btf_trace_${target}`, Kind.Typedef, 'typedef');
  if (p === 'lsm' || p === 'lsm_cgroup') return one(`bpf_lsm_${target}`, Kind.Func, 'function');
  if (p === 'ksyscall' || p === 'kretsyscall') return /^\w+$/.test(target) ? syscall(target) : undefined;
  if (p === 'iter') return one(`bpf_iter_${target}`, Kind.Func, 'function');
  const sys = (p === 'tp' || p === 'tracepoint') && /^syscalls\/sys_(?:enter|exit)_(\w+)$/.exec(target);
  if (sys) return syscall(sys[1]);
  return undefined;
}

export function hasTarget(btf: Btf, need: TargetNeed): boolean {
  return need.names.some((n) => btf.findFirst(n, need.kind) !== undefined);
}

