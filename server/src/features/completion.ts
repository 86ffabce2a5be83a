// Completion: members after `->`/`.` and in BPF_CORE_READ arguments, type names, SEC() names and their
// targets, map types and flags, BPF_PROG argument lists, helpers. Every item whose text is more than the
// word at the cursor (a section name with `/`, a `category/event` target, an argument list, a member in a
// field path) replaces what was typed since its start, so an editor replaces exactly that: the items of a
// list share that range, given once as LSP 3.17's itemDefaults.editRange, with an item's own text
// (textEditText) where it is not its label. The LSP edge spells the range out per item for a client that
// does not take defaults (lsp/completion-defaults.ts).
import { Btf } from '../btf/btf';
import { CompletionItem, CompletionItemKind, CompletionList, MarkupKind, Position, Range } from 'vscode-languageserver-types';
import { Kind } from '../btf/wire';
import { SectionFamily, TargetKind, familyOf, targetNames } from '../sections/families';
import { SECTION_DEFS, SecDef } from '../sections/libbpf-sections';
import { matchSection } from '../sections/match';
import { TypeKeyword, cursorContext } from './cursor';
import { HelperDoc } from './helper-docs';
import { bpfFlags, enumValues } from './kernel-support';
import { argumentList, programArguments } from './program-arguments';
import { ParsedFile, ServiceContext, describedEnv, scopeAt } from './service-context';
import { ExprType, MemberInfo, TypeEnv, deref, membersOf, typeText } from './types';

const list = (items: CompletionItem[]) => CompletionList.create(items, false);

/** The range from `start` to the cursor, as positions of the file. */
type Replaced = { range: Range; typed: string };

/** Items that each replace `at.range` (with their textEditText, else their label). */
function replacing(at: Replaced, items: CompletionItem[], isIncomplete = false): CompletionList {
  return { isIncomplete, itemDefaults: { editRange: at.range }, items };
}

function replaced(file: ParsedFile, start: number, offset: number): Replaced {
  return { range: Range.create(file.doc.positionAt(start), file.doc.positionAt(offset)), typed: file.doc.getText().slice(start, offset) };
}

export function complete(ctx: ServiceContext, file: ParsedFile, pos: Position): CompletionList {
  const offset = file.doc.offsetAt(pos);
  const scope = scopeAt(ctx, file, offset);
  const cursor = cursorContext(file, offset, scope, true);
  if (cursor.section) return sectionCompletion(ctx, file, offset, cursor.section.typed);
  if (cursor.mapField) return mapFieldCompletion(ctx, cursor.mapField);
  const args = cursor.programArgs && programArgsCompletion(ctx, replaced(file, offset - cursor.programArgs.typed.length, offset), cursor.programArgs.section);
  if (args) return args;
  const word = replaced(file, cursor.word?.start ?? offset, offset);
  if (cursor.member) return memberCompletion(cursor.member.op === '->' ? deref(cursor.member.owner, scope.env) ?? cursor.member.owner : cursor.member.owner, scope.env, word);
  if (cursor.coreRead?.owner) return memberCompletion(cursor.coreRead.owner, scope.env, word);
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

/**
 * After `BPF_PROG(name, `: the kernel's argument list for the section just above, as each kernel spells
 * it, replacing what was typed since the comma. Undefined when none starts with what was typed, so the
 * ordinary completions (type names after `struct `...) answer instead.
 */
function programArgsCompletion(ctx: ServiceContext, at: Replaced, section: string | undefined): CompletionList | undefined {
  if (!section) return undefined;
  const items: CompletionItem[] = [];
  for (const k of ctx.kernels.all) {
    const args = programArguments(section, k.btf);
    if (!args) continue;
    const label = argumentList(args, k.btf);
    const same = items.find((i) => i.label === label);
    if (same) same.detail += `, ${k.label}`;
    else if (label.startsWith(at.typed)) {
      items.push({ label, kind: CompletionItemKind.Snippet, detail: `arguments of ${section} in ${k.label}`, sortText: String(items.length).padStart(3, '0') });
    }
  }
  return items.length ? replacing(at, items) : undefined;
}

function memberCompletion(type: ExprType, env: TypeEnv, at: Replaced): CompletionList {
  return replacing(at, memberItems(membersOf(type, env), env));
}

/** Items of a member list, kept as long as the list: a kernel struct's (membersOf keeps it per kernel) are built once. */
const memberItemCache = new WeakMap<readonly MemberInfo[], CompletionItem[]>();

function memberItems(members: readonly MemberInfo[], env: TypeEnv): CompletionItem[] {
  let items = memberItemCache.get(members);
  if (items) return items;
  items = members.map((m, i): CompletionItem => ({
    label: m.name,
    kind: CompletionItemKind.Field,
    detail: typeText(m.type, env),
    documentation: m.bitOffset !== undefined ? `offset ${Math.floor(m.bitOffset / 8)}${m.bitSize ? `, ${m.bitSize}-bit bitfield` : ''}` : undefined,
    // Declaration order is the ranking: the struct's author grouped hot fields first.
    sortText: String(i).padStart(5, '0'),
  }));
  memberItemCache.set(members, items);
  return items;
}

const kernelTypeItems = new WeakMap<Btf, Map<TypeKeyword, CompletionItem[]>>();

/** The kernel's struct, union or enum names as items, built once per kernel: the list is long and asked often. */
function kernelTypeNames(btf: Btf, keyword: TypeKeyword): CompletionItem[] {
  let perKernel = kernelTypeItems.get(btf);
  if (!perKernel) kernelTypeItems.set(btf, (perKernel = new Map()));
  let items = perKernel.get(keyword);
  if (items) return items;
  const kinds = keyword === 'struct' ? [Kind.Struct] : keyword === 'union' ? [Kind.Union] : [Kind.Enum, Kind.Enum64];
  const seen = new Set<string>();
  items = [];
  for (const kind of kinds) {
    for (const n of btf.namesOfKind(kind)) {
      if (seen.has(n.name)) continue;
      seen.add(n.name);
      items.push({ label: n.name, kind: keyword === 'enum' ? CompletionItemKind.Enum : CompletionItemKind.Struct, data: { btfId: n.id } });
    }
  }
  perKernel.set(keyword, items);
  return items;
}

/** Type names after `struct `, `union ` or `enum `: the project's own first, then the kernel's it does not shadow. */
function typeNameCompletion(ctx: ServiceContext, file: ParsedFile, keyword: TypeKeyword): CompletionList {
  const kernel = kernelTypeNames(ctx.kernels.described.btf, keyword);
  const own = new Map<string, CompletionItem>();
  for (const s of describedEnv(ctx, file).structs.values()) {
    if (s.kind === keyword && !own.has(s.name)) own.set(s.name, { label: s.name, kind: CompletionItemKind.Struct, detail: 'this project' });
  }
  if (own.size === 0) return list(kernel);
  const shadowed = kernel.filter((i) => !own.has(i.label));
  return list([...own.values(), ...shadowed]);
}

/** Sections people write most, first when nothing is typed yet: the rest follow in libbpf's order. */
const COMMON_SECTIONS = [
  'kprobe', 'kretprobe', 'tracepoint', 'tp_btf', 'fentry', 'fexit', 'raw_tp', 'ksyscall', 'kretsyscall', 'uprobe', 'uretprobe', 'lsm', 'xdp',
  'tc', 'tcx/ingress', 'tcx/egress', 'cgroup_skb/ingress', 'cgroup_skb/egress', 'iter', 'perf_event', 'usdt', 'struct_ops', 'socket',
  'sockops', 'sk_msg', 'sk_skb', 'fmod_ret', 'kprobe.multi', 'kretprobe.multi', 'uprobe.multi', 'raw_tracepoint', 'tp',
];

interface SectionChoice {
  /** What is inserted: `kprobe/` for a section that takes a target, `xdp` for one that does not. */
  text: string;
  def: SecDef;
  /** Whether its family offers targets to complete after the `/`. */
  targets: boolean;
  rank: number;
}

let sectionChoices: SectionChoice[] | undefined;

/** Each libbpf section once: `x+` (name or name/target) as `x/`, since it is written with a target. */
function choices(): SectionChoice[] {
  if (sectionChoices) return sectionChoices;
  const out = new Map<string, SectionChoice>();
  SECTION_DEFS.forEach((def, i) => {
    const prefix = def.sec.replace(/[+/]$/, '');
    const takesTarget = def.sec.endsWith('+') || def.sec.endsWith('/');
    const text = takesTarget ? `${prefix}/` : def.sec;
    if (out.has(text)) return;
    const common = COMMON_SECTIONS.indexOf(prefix);
    const rank = (common >= 0 ? common : COMMON_SECTIONS.length + i) + (def.since === 'unreleased' ? 1000 : 0);
    out.set(text, { text, def, targets: takesTarget && familyOf(def.sec).target !== 'none', rank });
  });
  return (sectionChoices = [...out.values()]);
}

function sectionCompletion(ctx: ServiceContext, file: ParsedFile, offset: number, typed: string): CompletionList {
  const rest = file.doc.getText().slice(offset, offset + 256);
  // An unclosed `SEC("` gets its `")` from a final item, so accepting it leaves a whole SEC().
  const close = /^[\w./:+-]*"/.test(rest) ? '' : '")';
  const slash = typed.indexOf('/');
  // `?` (no autoload) stays: the name after it is replaced.
  if (slash < 0) return sectionNameCompletion(replaced(file, offset - typed.replace(/^\?/, '').length, offset), close);
  const m = matchSection(`${typed.slice(0, slash)}/x`);
  // `cgroup_skb/in`, `tc/eg`: a section whose name has a slash in it, not a family and a target.
  if (!m) return sectionNameCompletion(replaced(file, offset - typed.replace(/^\?/, '').length, offset), close);
  const at = replaced(file, offset - (typed.length - slash - 1), offset);
  const { names, complete } = narrowed(cachedTargets(familyOf(m.def.sec), ctx), at.typed);
  return replacing(at, names.map((name) => (close ? { label: name, kind: CompletionItemKind.Function, textEditText: name + close } : { label: name, kind: CompletionItemKind.Function })), !complete);
}

/** Past this many targets (kernel functions: about 50,000), the list is narrowed to what was typed and asked again as typing goes on. */
const MAX_TARGETS = 1000;

/** A long target list, searchable: lower-cased names in order, and all of them in one string for substring search. */
interface TargetIndex {
  names: string[];
  lower: string[];
  joined: string;
  /** Where each name starts in `joined`. */
  starts: number[];
}

const targetIndexes = new WeakMap<readonly string[], TargetIndex>();

function targetIndex(all: readonly string[]): TargetIndex {
  let index = targetIndexes.get(all);
  if (index) return index;
  const order = all.map((name, i) => ({ name, lower: name.toLowerCase(), i })).sort((x, y) => (x.lower < y.lower ? -1 : x.lower > y.lower ? 1 : x.i - y.i));
  const starts: number[] = [];
  let at = 0;
  for (const o of order) {
    starts.push(at);
    at += o.lower.length + 1;
  }
  index = { names: order.map((o) => o.name), lower: order.map((o) => o.lower), joined: order.map((o) => o.lower).join('\n'), starts };
  targetIndexes.set(all, index);
  return index;
}

/** The first index whose lower-cased name is not below `key`. */
function lowerBound(lower: string[], key: string): number {
  let lo = 0;
  let hi = lower.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lower[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The name a position of `joined` falls in. */
function nameAt(starts: number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The targets worth sending: all of a short list; of a long one, those matching what was typed (as a
 * prefix, inside, or its characters in order from the first), in that order, at most MAX_TARGETS, and
 * whether that is all of them (else the list is incomplete and the editor asks again as typing goes on).
 * Prefixes are a range of the sorted names, substrings one search of the joined names.
 */
function narrowed(all: readonly string[], typed: string): { names: readonly string[]; complete: boolean } {
  if (all.length <= MAX_TARGETS) return { names: all, complete: true };
  const t = typed.toLowerCase();
  const { names, lower, joined, starts } = targetIndex(all);
  const out: number[] = [];
  const taken = new Set<number>();
  const add = (i: number) => !taken.has(i) && (taken.add(i), out.push(i));
  // Nothing typed yet: names from `a` on first, internal `__x` ones after.
  const from = lowerBound(lower, t || 'a');
  for (let i = from; i < lower.length && lower[i].startsWith(t) && out.length <= MAX_TARGETS; i++) add(i);
  if (!t) for (let i = 0; i < from && out.length <= MAX_TARGETS; i++) add(i);
  if (t && out.length <= MAX_TARGETS) {
    for (let pos = joined.indexOf(t); pos >= 0 && out.length <= MAX_TARGETS; pos = joined.indexOf(t, pos + 1)) add(nameAt(starts, pos));
  }
  if (t.length > 1 && out.length <= MAX_TARGETS) {
    // Scattered matches start where the name starts, as an editor's fuzzy filter ranks them.
    for (let i = lowerBound(lower, t[0]); i < lower.length && lower[i][0] === t[0] && out.length <= MAX_TARGETS; i++) if (inOrder(t, lower[i])) add(i);
  }
  return { names: out.slice(0, MAX_TARGETS).map((i) => names[i]), complete: out.length <= MAX_TARGETS };
}

/** Whether the characters of `typed` occur in `name` in order. */
function inOrder(typed: string, name: string): boolean {
  let i = 0;
  for (let j = 0; i < typed.length && j < name.length; j++) if (name[j] === typed[i]) i++;
  return i === typed.length;
}

/** Section names, ranked by what was typed: prefix matches first, then names containing it, then the rest. */
function sectionNameCompletion(at: Replaced, close: string): CompletionList {
  return replacing(at, choices().map((c): CompletionItem => {
    const match = c.text.startsWith(at.typed) ? 0 : c.text.includes(at.typed) ? 1 : 2;
    const d = c.def;
    const item: CompletionItem = {
      label: c.text,
      kind: CompletionItemKind.Keyword,
      detail: `${d.progType}${d.attachType ? ' / ' + d.attachType : ''}`,
      sortText: `${match}${String(c.rank).padStart(4, '0')}`,
    };
    if (!c.text.endsWith('/') && close) item.textEditText = c.text + close;
    // Accepting a section that takes a target goes on to its targets.
    if (c.targets) item.command = { title: 'Complete the target', command: 'editor.action.triggerSuggest' };
    return item;
  }));
}

const targetCache = new WeakMap<Btf, Map<TargetKind, string[]>>();

/** A family's targets in the described kernel, computed once per kernel (tracefs events are asked each time). */
function cachedTargets(family: SectionFamily, ctx: ServiceContext): string[] {
  const btf = ctx.kernels.described.btf;
  if (family.target === 'tracefs-event' && ctx.tracefs) return targetNames(family, btf, () => ctx.tracefs!.list());
  let perKernel = targetCache.get(btf);
  if (!perKernel) targetCache.set(btf, (perKernel = new Map()));
  let names = perKernel.get(family.target);
  if (!names) perKernel.set(family.target, (names = targetNames(family, btf)));
  return names;
}

const helperItems = new WeakMap<Map<string, HelperDoc>, CompletionItem[]>();

function helperCompletion(ctx: ServiceContext): CompletionList {
  let items = helperItems.get(ctx.helpers);
  if (!items) {
    items = [...ctx.helpers.values()].map((h): CompletionItem => ({
      label: h.name,
      kind: CompletionItemKind.Function,
      detail: h.signature,
      documentation: { kind: MarkupKind.Markdown, value: h.doc },
    }));
    helperItems.set(ctx.helpers, items);
  }
  return list(items);
}
