// Types of C expressions in a .bpf.c file: the file's own structs and kernel types from BTF, joined.
// A CType is what an expression evaluates to; member access steps through it as C (and CO-RE) would.
import { Btf } from '../btf/btf';
import { typeName } from '../btf/c-decl';
import { CompositeType } from '../btf/types';
import { Kind } from '../btf/wire';
import { CStruct, TypeText } from '../csource/model';
import { essentialName } from '../relocs/relo-core';

export type CType =
  | { k: 'btf'; id: number }
  | { k: 'local'; s: CStruct }
  | { k: 'ptr'; to: CType }
  | { k: 'array'; of: CType; n: number }
  | { k: 'other'; text: string };

export interface TypeEnv {
  btf: Btf;
  /** Structs the file and its project headers define, keyed `struct name` / `union name`. */
  structs: Map<string, CStruct>;
  /** Resolve CO-RE-relocatable local structs to the kernel's type, as libbpf does at load time. */
  core?: boolean;
}

export function fromTypeText(t: TypeText, env: TypeEnv): CType {
  let ty = baseType(t.base, env);
  for (let i = 0; i < t.pointers; i++) ty = { k: 'ptr', to: ty };
  for (let i = t.arrays.length - 1; i >= 0; i--) ty = { k: 'array', of: ty, n: t.arrays[i] };
  return ty;
}

export function baseType(base: string, env: TypeEnv): CType {
  const m = /^(struct|union|enum) (\w+)$/.exec(base);
  if (m) {
    const local = env.structs.get(base);
    if (local && m[1] !== 'enum' && !(env.core && local.relocatable)) return { k: 'local', s: local };
    const kind = m[1] === 'struct' ? Kind.Struct : m[1] === 'union' ? Kind.Union : undefined;
    const id = kind !== undefined ? env.btf.findFirst(essentialName(m[2]), kind) : firstEnum(env.btf, m[2]);
    return id !== undefined ? { k: 'btf', id } : { k: 'other', text: base };
  }
  if (/^\w+$/.test(base)) {
    const id = env.btf.findFirst(base, Kind.Typedef);
    if (id !== undefined) return { k: 'btf', id };
  }
  return { k: 'other', text: base };
}

function firstEnum(btf: Btf, name: string): number | undefined {
  return btf.findFirst(name, Kind.Enum) ?? btf.findFirst(name, Kind.Enum64);
}

export function typeText(t: CType, env: TypeEnv): string {
  switch (t.k) {
    case 'btf':
      return typeName(env.btf, t.id);
    case 'local':
      return `${t.s.kind} ${t.s.name}`;
    case 'ptr': {
      const inner = typeText(t.to, env);
      return inner.endsWith('*') ? `${inner}*` : `${inner} *`;
    }
    case 'array':
      return `${typeText(t.of, env)}[${t.n || ''}]`;
    case 'other':
      return t.text;
  }
}

/** What `*p` or `p[i]` is; undefined when `t` is not a pointer or array. */
export function deref(t: CType, env: TypeEnv): CType | undefined {
  if (t.k === 'ptr') return t.to;
  if (t.k === 'array') return t.of;
  if (t.k === 'btf') {
    const id = env.btf.resolve(t.id);
    const kind = env.btf.kind(id);
    if (kind === Kind.Ptr) return { k: 'btf', id: env.btf.sizeOrType(id) };
    if (kind === Kind.Array) return { k: 'btf', id: env.btf.extraWord(id, 0) };
  }
  return undefined;
}

export interface MemberInfo {
  name: string;
  type: CType;
  /** Dotted path through anonymous members is hidden: C allows `mm->pgd` for a nested anonymous `pgd`. */
  bitOffset?: number;
  bitSize?: number;
  /** The struct or union (BTF id) the member is declared in, for hovers across kernels. */
  ownerId?: number;
}

/** The struct or union a type names (through typedefs and qualifiers), or undefined. */
export function composite(t: CType, env: TypeEnv): { btfId?: number; local?: CStruct } | undefined {
  if (t.k === 'local') return { local: t.s };
  if (t.k === 'btf') {
    const id = env.btf.resolve(t.id);
    const k = env.btf.kind(id);
    if (k === Kind.Struct || k === Kind.Union) return { btfId: id };
  }
  return undefined;
}

/** All members reachable by name, anonymous members flattened, in declaration order. */
export function membersOf(t: CType, env: TypeEnv): MemberInfo[] {
  const c = composite(t, env);
  if (!c) return [];
  if (c.local) return c.local.members.map((m) => ({ name: m.name, type: fromTypeText(m.type, env) }));
  const out: MemberInfo[] = [];
  btfMembers(env.btf, c.btfId!, 0, out, 0);
  return out;
}

function btfMembers(btf: Btf, id: number, base: number, out: MemberInfo[], depth: number): void {
  const t = btf.type(id) as CompositeType;
  for (const m of t.members) {
    const mk = btf.kind(btf.resolve(m.type));
    if (m.name === '' && (mk === Kind.Struct || mk === Kind.Union) && depth < 16) {
      btfMembers(btf, btf.resolve(m.type), base + m.bitOffset, out, depth + 1);
    } else if (m.name) {
      out.push({ name: m.name, type: { k: 'btf', id: m.type }, bitOffset: base + m.bitOffset, bitSize: m.bitSize || undefined, ownerId: id });
    }
  }
}

export function member(t: CType, name: string, env: TypeEnv): MemberInfo | undefined {
  return membersOf(t, env).find((m) => m.name === name);
}

/** One step of `a->b` (deref, then member) or `a.b` (member). */
export function step(t: CType, op: '->' | '.', name: string, env: TypeEnv): MemberInfo | undefined {
  const base = op === '->' ? deref(t, env) ?? t : t;
  return member(base, name, env);
}
