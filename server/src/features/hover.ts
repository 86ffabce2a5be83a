// Hover: a kernel type's summary and pahole layout (type-hover.ts), a member's offset and size in every
// kernel, SEC() facts, helpers (which kernels have them, GPL-only or not), kfunc signatures, enumerators,
// variables, maps and typedefs. One hover provider per service: kernel type hovers are cached, since a
// layout never changes for a loaded kernel and hovers repeat.
import { Hover, Position, Range } from 'vscode-languageserver-types';
import { declaration, typeName } from '../btf/c-decl';
import { Kind } from '../btf/wire';
import { CMap } from '../csource/model';
import { GPL_ONLY_HELPERS } from '../helpers/gpl-only';
import { ALLOWED_HELPERS, HELPER_IDS, PROBED_ON, mayCall } from '../helpers/program-helpers';
import { hasTarget, targetNeed } from '../sections/families';
import { LIBBPF_SECTION_DEFS_VERSION } from '../sections/libbpf-sections';
import { matchSection } from '../sections/match';
import { PROGRAM_CONTEXT } from '../sections/program-context';
import { evaluateConstant } from './const-expr';
import { CursorContext, TypeKeyword, cursorContext } from './cursor';
import { enclosingFunction, identifierType } from './expression';
import { HelperDoc } from './helper-docs';
import { byRelease, shortLabels } from './kernel-labels';
import { hasAttachType, hasHelper, hasProgType } from './kernel-support';
import { markdown, withRange } from './markdown';
import { ParsedFile, ServiceContext, describedEnv, scopeAt } from './service-context';
import { enumeratorHover, findEnumerator, kernelTypeHover, typedefHover } from './type-hover';
import { ExprType, MemberInfo, TypeEnv, composite, deref, membersOf, step, typeText } from './types';

export type HoverProvider = (file: ParsedFile, pos: Position) => Hover | null;

export function hoverProvider(ctx: ServiceContext): HoverProvider {
  // Hovers that depend on the kernels only (types, typedefs, enumerators, helpers, SEC() names), by what
  // they describe: hovers repeat, and a struct's layout or a helper's facts never change for loaded kernels.
  const kernelHovers = new Map<string, Hover | null>();
  const cached: KernelHoverCache = (key, make) => {
    let hover = kernelHovers.get(key);
    if (hover !== undefined) return hover;
    hover = make();
    if (kernelHovers.size >= 512) kernelHovers.delete(kernelHovers.keys().next().value!);
    kernelHovers.set(key, hover);
    return hover;
  };

  return (file, pos) => {
    const offset = file.doc.offsetAt(pos);
    const scope = scopeAt(ctx, file, offset);
    const cursor = cursorContext(file, offset, scope, false);
    const section = cursor.section?.whole?.name;
    if (section !== undefined) return cached(`SEC ${section}`, () => sectionHover(ctx, section));
    const word = cursor.word;
    if (!word) return null;
    const range = Range.create(file.doc.positionAt(word.start), file.doc.positionAt(word.end));
    if (cursor.typeKeyword) {
      const keyword = cursor.typeKeyword;
      const local = file.structs.get(`${keyword} ${word.text}`);
      return withRange(local ? localStructHover(keyword, word.text, local.members) : cached(`${keyword} ${word.text}`, () => kernelTypeHover(ctx, keyword, word.text)), range);
    }
    return withRange(memberHover(ctx, file, cursor) ?? wordHover(ctx, file, cursor, cached), range);
  };
}

type KernelHoverCache = (key: string, make: () => Hover | null) => Hover | null;

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

/** A plain identifier: a helper, a variable, a map, a kfunc, a kernel typedef, an enumerator. */
function wordHover(ctx: ServiceContext, file: ParsedFile, cursor: CursorContext, cached: KernelHoverCache): Hover | null {
  const word = cursor.word!.text;
  const described = ctx.kernels.described;
  const helper = ctx.helpers.get(word);
  if (helper) {
    const section = enclosingFunction(file.model, cursor.offset)?.section?.name;
    const progType = section !== undefined ? matchSection(section)?.def.progType : undefined;
    return cached(`helper ${word} ${progType ?? ''}`, () => helperHover(ctx, helper, progType));
  }
  const scope = scopeAt(ctx, file, cursor.offset);
  const v = identifierType(word, scope);
  if (v) return markdown(`\`\`\`c\n${v.kind === 'btf' ? declaration(scope.env.btf, v.id, word) : `${typeText(v, scope.env)} ${word}`}\n\`\`\``);
  const map = file.model.maps.find((m) => m.name === word);
  if (map) return mapHover(ctx, map);
  const kfunc = described.btf.findFirst(word, Kind.Func);
  if (kfunc !== undefined && /^bpf_/.test(word)) return markdown(`\`\`\`c\n${typeName(described.btf, kfunc)}\n\`\`\`\nkfunc in ${described.label}`);
  const typedef = described.btf.findFirst(word, Kind.Typedef);
  if (typedef !== undefined) return cached(`typedef ${word}`, () => typedefHover(ctx, typedef));
  // An enumerator is never called: `BPF_CORE_READ(`, `SEC(` are macros, not worth looking up.
  if (/^\s*\(/.test(file.doc.getText().slice(cursor.word!.end, cursor.word!.end + 16))) return null;
  return cached(`enumerator ${word}`, () => enumeratorHover(ctx, word));
}

/** `kprobe, tracepoint, xdp`: program types by the names people use. */
const typeNames = (types: readonly string[]) => types.map((t) => `\`${t.replace(/^BPF_PROG_TYPE_/, '').toLowerCase()}\``).join(', ');

/**
 * Which program types may call a helper, from the verifier's answers (helpers/program-helpers.ts), and
 * whether the program at the cursor may.
 */
function callers(helper: string, progType: string | undefined): string[] {
  const name = helper.replace(/^bpf_/, '');
  if (!Object.hasOwn(HELPER_IDS, name)) return [];
  const probed = Object.keys(ALLOWED_HELPERS);
  const types = probed.filter((t) => mayCall(t, name));
  const where = `as the verifier of Linux ${PROBED_ON.release.replace(/^(\d+\.\d+).*/, '$1')} answered; tracing, LSM, freplace and struct_ops programs not asked`;
  const out = [types.length === probed.length ? `Callable from every program type asked (${where})` : types.length ? `Callable from ${typeNames(types)} (${where})` : `Callable from none of the program types asked (${where})`];
  const here = progType && mayCall(progType, name);
  if (here === false) out.unshift(`**Not callable from this program** (\`${progType}\`)`);
  return out;
}

/** A helper: libbpf's signature, the kernels that have it, who may call it, its documentation. */
function helperHover(ctx: ServiceContext, helper: HelperDoc, progType: string | undefined): Hover {
  const labels = shortLabels(ctx.kernels.all);
  const kernels = byRelease(ctx.kernels.all);
  const have = kernels.filter((k) => hasHelper(k.btf, helper.name));
  const lacking = kernels.filter((k) => !have.includes(k));
  const name = (k: (typeof kernels)[number]) => (ctx.kernels.targets.length ? labels.get(k) : k.label);
  const facts = [
    GPL_ONLY_HELPERS.has(helper.name.replace(/^bpf_/, '')) ? '**GPL-only**: callable only from programs with a GPL-compatible license' : 'Callable under any license',
    have.length ? `In ${have.map(name).join(', ')}` : undefined,
    lacking.length ? `**Not in** ${lacking.map(name).join(', ')}` : undefined,
    ...callers(helper.name, progType),
  ].filter(Boolean);
  return markdown(`\`\`\`c\n${helper.signature}\n\`\`\`\n${facts.join('\\\n')}\n\n---\n\n${helper.doc}`);
}

/** A map: its fields, with constant expressions (`256 * 1024`) evaluated and kernel enumerators resolved. */
function mapHover(ctx: ServiceContext, map: CMap): Hover {
  const btf = ctx.kernels.described.btf;
  const rows = Object.entries(map.fields).map(([k, value]) => {
    const v = evaluateConstant(value, (n) => findEnumerator(btf, n)?.value);
    const shown = v !== undefined && String(v) !== value.trim() && k !== 'type' ? ` = ${v}` : '';
    return `- ${k}: \`${value}\`${shown}`;
  });
  return markdown(`**map \`${map.name}\`**\n\n${rows.join('\n')}`);
}

function localStructHover(keyword: TypeKeyword, name: string, members: { name: string; type: { base: string; pointers: number; arrays: number[] } }[]): Hover {
  const body = members.map((m) => `\t${m.type.base}${m.type.pointers ? ' ' + '*'.repeat(m.type.pointers) : ' '}${m.name}${m.type.arrays.map((n) => `[${n}]`).join('')};`).join('\n');
  return markdown(`\`\`\`c\n${keyword} ${name} {\n${body}\n};\n\`\`\`\nDefined in this project.`);
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

/** libbpf's table says since '1.0' for every entry already in v1.0.0, however old. */
function libbpfRelease(since: string): string {
  if (since === '1.0') return 'libbpf 1.0 or earlier';
  if (since === 'unreleased') return `not in a libbpf release yet (after ${LIBBPF_SECTION_DEFS_VERSION})`;
  return `libbpf ${since}`;
}

const older = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
};

/** A SEC() name: libbpf's facts, then one table of what each kernel has (target, program type, attach type). */
function sectionHover(ctx: ServiceContext, name: string): Hover {
  const m = matchSection(name);
  if (!m) return markdown(`\`SEC("${name}")\`: libbpf knows no such section name.`);
  const d = m.def;
  const context = PROGRAM_CONTEXT[d.progType];
  const lines = [
    `**SEC("${name}")**: libbpf section \`${d.sec}\``,
    '',
    `- program type: \`${d.progType}\``,
    `- expected attach type: ${d.attachType ? `\`${d.attachType}\`` : 'none'}`,
    `- context: ${context ? `\`${context}${context.startsWith('struct') ? ' *' : ''}\`` : 'see the kernel documentation'}`,
  ];
  if (d.flags.length) lines.push(`- flags: ${d.flags.map((f) => `\`SEC_${f}\``).join(', ')}`);
  if (m.noAutoload) lines.push('- `?`: not loaded automatically (enable with `bpf_program__set_autoload()`)');
  const newer = ctx.libbpfVersion && d.since !== '1.0' && (d.since === 'unreleased' || older(ctx.libbpfVersion, d.since));
  lines.push(`- since ${libbpfRelease(d.since)}${newer ? ` (the headers found here are libbpf ${ctx.libbpfVersion})` : ''}`);
  lines.push('', ...kernelTable(ctx, m.target, targetNeed(m), d.progType, d.attachType));
  return markdown(lines.join('\n'));
}

function kernelTable(ctx: ServiceContext, target: string | undefined, need: ReturnType<typeof targetNeed>, progType: string, attachType: string | undefined): string[] {
  const labels = shortLabels(ctx.kernels.all);
  const yes = (ok: boolean, good = 'yes') => (ok ? good : '**missing**');
  const head = ['kernel', ...(need ? [`target \`${target}\``] : []), 'program type', ...(attachType ? ['attach type'] : [])];
  const rows = byRelease(ctx.kernels.all).map((k) => {
    const cells = [ctx.kernels.targets.length ? labels.get(k)! : k.label];
    if (need) cells.push(yes(hasTarget(k.btf, need), 'present'));
    cells.push(yes(hasProgType(k.btf, progType)));
    if (attachType) cells.push(yes(hasAttachType(k.btf, attachType)));
    return `| ${cells.join(' | ')} |`;
  });
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows];
}
