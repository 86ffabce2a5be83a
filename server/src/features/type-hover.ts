// Hovers of kernel types, leading with what matters: a struct or union's summary (size, alignment,
// cachelines, members, holes) and its size in every configured kernel, then pahole's layout; an enum's
// values, side by side when kernels disagree; an enumerator's value in each kernel; what a typedef
// resolves to. Everything here reads the kernels' BTF only.
import { Hover } from 'vscode-languageserver-types';
import { Btf } from '../btf/btf';
import { typeName } from '../btf/c-decl';
import { renderType } from '../btf/c-render';
import { EnumType } from '../btf/types';
import { Kind } from '../btf/wire';
import { Kernel } from '../kernels/kernel';
import { layoutOf } from '../layout/model';
import { formatPahole } from '../layout/pahole';
import { essentialName } from '../relocs/relo-core';
import { TypeKeyword } from './cursor';
import { byRelease, perKernelLine, shortLabels } from './kernel-labels';
import { layoutSummary } from './layout-summary';
import { markdown } from './markdown';
import { describedViewUri } from './navigation';
import { ServiceContext } from './service-context';

/** A link that opens a kernel type's read-only view: a struct's or union's layout as pahole prints it, an enum's C. */
const openViewLink = (ctx: ServiceContext, keyword: TypeKeyword, name: string, what = 'Open the full layout') =>
  `[${what}](command:ebpf.openBtfView?${encodeURIComponent(JSON.stringify([describedViewUri(ctx, keyword, name, keyword !== 'enum')]))})`;

function findType(btf: Btf, keyword: TypeKeyword, name: string): number | undefined {
  if (keyword === 'enum') return btf.findFirst(name, Kind.Enum) ?? btf.findFirst(name, Kind.Enum64);
  return btf.findFirst(name, keyword === 'struct' ? Kind.Struct : Kind.Union);
}

/** `Size per kernel: 6.1: 9792 · 6.12: 9792 · 6.18: 3264` when target kernels are configured, else nothing. */
function sizesPerKernel(ctx: ServiceContext, find: (btf: Btf) => number | undefined): string | undefined {
  if (ctx.kernels.targets.length === 0) return undefined;
  return `Size per kernel: ${perKernelLine(ctx.kernels.all, (k) => {
    const id = find(k.btf);
    return id === undefined ? undefined : String(k.btf.sizeOf(id));
  })}`;
}

export function kernelTypeHover(ctx: ServiceContext, keyword: TypeKeyword, name: string): Hover {
  const { btf, label } = ctx.kernels.described;
  const essential = essentialName(name);
  const id = findType(btf, keyword, essential);
  if (id === undefined) return markdown(`\`${keyword} ${name}\` is not in ${label}.`);
  const flavour = essential !== name ? `\n\nCO-RE flavour of \`${keyword} ${essential}\`.` : '';
  if (keyword === 'enum') return enumHover(ctx, id, essential, flavour);
  const layout = layoutOf(btf, id)!;
  const lines = formatPahole(btf, layout).trimEnd().split('\n');
  const max = ctx.maxHoverLines ?? 60;
  const cut = lines.length > max;
  const shown = cut ? [...lines.slice(0, max), `\t/* ... ${lines.length - max} more lines */`, ...lines.slice(lines.length - 8)] : lines;
  const head = [`**${keyword} ${essential}**: ${layoutSummary(btf, layout)}`, sizesPerKernel(ctx, (b) => findType(b, keyword, essential))].filter(Boolean).join('\\\n');
  return markdown(`${head}\n\n\`\`\`c\n${shown.join('\n')}\n\`\`\`\nLayout in ${label}${flavour}${cut ? `\n\n${openViewLink(ctx, keyword, essential)}` : ''}`);
}

/** The values of an enum by enumerator name, in declaration order. */
function enumEntries(btf: Btf, id: number): Map<string, bigint> {
  return new Map((btf.type(id) as EnumType).values.map((v) => [v.name, v.value]));
}

function sameValues(a: Map<string, bigint> | undefined, b: Map<string, bigint> | undefined): boolean {
  if (!a || !b || a.size !== b.size) return a === b;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** An enum: its C definition, or, when the kernels disagree, its values side by side. */
function enumHover(ctx: ServiceContext, id: number, name: string, flavour: string): Hover {
  const { btf, label } = ctx.kernels.described;
  const t = btf.type(id) as EnumType;
  const head = `**enum ${name}**: ${t.size} bytes · ${t.values.length} value${t.values.length === 1 ? '' : 's'}`;
  const kernels = byRelease(ctx.kernels.all);
  const values = new Map(kernels.map((k) => {
    const kid = findType(k.btf, 'enum', name);
    return [k, kid === undefined ? undefined : enumEntries(k.btf, kid)] as const;
  }));
  const described = values.get(ctx.kernels.described)!;
  if (kernels.every((k) => sameValues(values.get(k), described))) {
    return markdown(`${head}\n\n\`\`\`c\n${renderType(btf, id).text}\`\`\`\nin ${label}${flavour}`);
  }
  const names: string[] = [];
  for (const k of kernels) for (const n of values.get(k)?.keys() ?? []) if (!names.includes(n)) names.push(n);
  const differing = names.filter((n) => new Set(kernels.map((k) => values.get(k)?.get(n))).size > 1);
  const labels = shortLabels(ctx.kernels.all);
  const max = ctx.maxHoverLines ?? 60;
  const rows = differing.slice(0, max).map((n) => `| \`${n}\` | ${kernels.map((k) => values.get(k)?.get(n)?.toString() ?? '—').join(' | ')} |`);
  const same = names.length - differing.length;
  const more = [
    differing.length > max ? `${differing.length - max} more that differ.` : '',
    same ? `${same} value${same === 1 ? '' : 's'} equal in every kernel.` : '',
    openViewLink(ctx, 'enum', name, 'Open the enum'),
  ].filter(Boolean).join(' ');
  const missing = kernels.filter((k) => !values.get(k)).map((k) => labels.get(k));
  const absent = missing.length ? `\\\nNot in ${missing.join(', ')}.` : '';
  return markdown(
    `${head}\\\nValues that differ between kernels: ${differing.length} of ${names.length}.${absent}\n\n` +
      `| enumerator | ${kernels.map((k) => labels.get(k)).join(' | ')} |\n|---|${kernels.map(() => '---:').join('|')}|\n${rows.join('\n')}\n\n${more}${flavour}`,
  );
}

interface Enumerator {
  /** The enum that declares it (the first, by type id). */
  enumId: number;
  value: bigint;
}

interface EnumeratorTables {
  /** The enumerators of anonymous enums (where constants such as TASK_COMM_LEN live). */
  anonymous: Map<string, Enumerator>;
  /** Every enumerator of a named enum (the first enum declaring it wins), built on first need. */
  named?: Map<string, Enumerator>;
}

const enumeratorTables = new WeakMap<Btf, EnumeratorTables>();

function tables(btf: Btf): EnumeratorTables {
  let t = enumeratorTables.get(btf);
  if (!t) {
    const anonymous = new Map<string, Enumerator>();
    for (let id = 1; id < btf.typeCount; id++) {
      const kind = btf.kind(id);
      if ((kind !== Kind.Enum && kind !== Kind.Enum64) || btf.nameOff(id) !== 0) continue;
      for (const v of (btf.type(id) as EnumType).values) if (!anonymous.has(v.name)) anonymous.set(v.name, { enumId: id, value: v.value });
    }
    enumeratorTables.set(btf, (t = { anonymous }));
  }
  return t;
}

/** The enumerators of every named enum, read from the raw records once per kernel. */
function namedEnumerators(btf: Btf): Map<string, Enumerator> {
  const t = tables(btf);
  if (t.named) return t.named;
  const index = new Map<string, Enumerator>();
  for (let id = 1; id < btf.typeCount; id++) {
    const kind = btf.kind(id);
    if ((kind !== Kind.Enum && kind !== Kind.Enum64) || btf.nameOff(id) === 0) continue;
    const signed = btf.kflag(id);
    const n = btf.vlen(id);
    for (let i = 0; i < n; i++) {
      const wide = kind === Kind.Enum64;
      const name = btf.str(btf.extraWord(id, wide ? 3 * i : 2 * i));
      if (index.has(name)) continue;
      let value: bigint;
      if (wide) {
        const v = (BigInt(btf.extraWord(id, 3 * i + 2)) << 32n) | BigInt(btf.extraWord(id, 3 * i + 1));
        value = signed ? BigInt.asIntN(64, v) : v;
      } else {
        const raw = btf.extraWord(id, 2 * i + 1);
        value = BigInt(signed ? raw | 0 : raw >>> 0);
      }
      index.set(name, { enumId: id, value });
    }
  }
  return (t.named = index);
}

/** An enumerator declared by the enum `id`, decoding that one enum only. */
function inEnum(btf: Btf, id: number | undefined, name: string): Enumerator | undefined {
  if (id === undefined) return undefined;
  const value = (btf.type(id) as EnumType).values.find((v) => v.name === name)?.value;
  return value === undefined ? undefined : { enumId: id, value };
}

/**
 * A kernel's enumerator by name. Kernel enumerators mostly start with their enum's name in capitals
 * (`SKB_DROP_REASON_TCP_CSUM` in `enum skb_drop_reason`), so those enums are tried first, each decoded
 * alone; then the anonymous enums (a third of the enumerators); the index of every named enum's
 * enumerators (tens of milliseconds to build, once per kernel) last.
 */
export function findEnumerator(btf: Btf, name: string, everyEnum = true): Enumerator | undefined {
  const t = tables(btf);
  if (t.named) return t.named.get(name) ?? t.anonymous.get(name);
  const parts = name.replace(/^_+/, '').split('_');
  for (let j = parts.length - 1; j >= 1 && j >= parts.length - 6; j--) {
    const guess = parts.slice(0, j).join('_').toLowerCase();
    const e = inEnum(btf, findType(btf, 'enum', guess), name);
    if (e) return e;
  }
  return t.anonymous.get(name) ?? (everyEnum ? namedEnumerators(btf).get(name) : undefined);
}

/**
 * An enumerator in another kernel, as the described kernel has it: in the enum of the same name, and
 * absent when that enum lacks it; else by the cheap guesses only. (An enumerator the described kernel
 * lacks is not looked for elsewhere: proving its absence would index every kernel's enumerators.)
 */
function enumeratorIn(btf: Btf, name: string, seen: { btf: Btf; e: Enumerator }): Enumerator | undefined {
  const enumName = seen.btf.name(seen.e.enumId);
  const id = enumName ? findType(btf, 'enum', enumName) : undefined;
  return id !== undefined ? inEnum(btf, id, name) : findEnumerator(btf, name, false);
}

const showValue = (v: bigint) => (v >= 256n || v <= -256n ? `${v} (0x${(v < 0n ? -v : v).toString(16)}${v < 0n ? ', negated' : ''})` : String(v));

/** Enumerators are written in capitals (`SKB_DROP_REASON_TCP_CSUM`, `BPF_FUNC_map_lookup_elem`): other words are not looked up. */
const ENUMERATOR_LIKE = /^_*[A-Z][A-Z0-9]*(_\w*)?$/;

/** An enumerator: its value in the described kernel, then in every kernel, or where it is missing. */
export function enumeratorHover(ctx: ServiceContext, name: string): Hover | null {
  if (!ENUMERATOR_LIKE.test(name)) return null;
  const { btf, label } = ctx.kernels.described;
  const found = findEnumerator(btf, name);
  if (!found) return null;
  const inKernel = new Map(ctx.kernels.all.map((k) => [k, k === ctx.kernels.described ? found : enumeratorIn(k.btf, name, { btf, e: found })]));
  const owner = (k: Kernel, e: Enumerator) => (k.btf.name(e.enumId) ? `\`enum ${k.btf.name(e.enumId)}\`` : 'an anonymous enum');
  const lines = [`\`\`\`c\n${name} = ${showValue(found.value)}\n\`\`\``, `Enumerator of ${owner(ctx.kernels.described, found)} in ${label}`];
  if (ctx.kernels.targets.length) {
    const values = perKernelLine(ctx.kernels.all, (k) => {
      const e = inKernel.get(k);
      return e && showValue(e.value);
    });
    lines.push('', `Value per kernel: ${values}`);
  }
  return markdown(lines.join('\n'));
}

/** A kernel typedef: the chain it resolves through, the size, and a struct's or union's summary. */
export function typedefHover(ctx: ServiceContext, id: number): Hover {
  const { btf, label } = ctx.kernels.described;
  const chain: string[] = [];
  let cur = btf.sizeOrType(id);
  for (let depth = 0; depth < 32 && cur !== 0; depth++) {
    chain.push(typeName(btf, cur) || '(anonymous)');
    const k = btf.kind(cur);
    if (k !== Kind.Typedef && k !== Kind.Const && k !== Kind.Volatile && k !== Kind.Restrict && k !== Kind.TypeTag) break;
    cur = btf.sizeOrType(cur);
  }
  const target = btf.resolve(id);
  const kind = btf.kind(target);
  const resolves = `**typedef ${btf.name(id)}** → ${chain.map((c) => `\`${c}\``).join(' → ')}`;
  const head = [resolves];
  head.push(kind === Kind.Struct || kind === Kind.Union ? layoutSummary(btf, layoutOf(btf, target)!) : `size ${btf.sizeOf(id)} · align ${btf.alignOf(id)}`);
  const name = btf.name(id);
  const sizes = sizesPerKernel(ctx, (b) => b.findFirst(name, Kind.Typedef));
  if (sizes) head.push(sizes);
  return markdown(`${head.join('\\\n')}\n\n\`\`\`c\n${renderType(btf, id).text}\`\`\`\n${btf.sizeOf(id)} bytes in ${label}`);
}
