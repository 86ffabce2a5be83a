// Types of C expressions in a .bpf.c file: the file's own structs and kernel types from BTF, joined.
// An ExprType is what an expression evaluates to; member access steps through it as C (and CO-RE) would.
import { Btf } from '../btf/btf';
import { typeName } from '../btf/c-decl';
import { CompositeType } from '../btf/types';
import { Kind } from '../btf/wire';
import { CStruct, TypeText } from '../csource/model';
import { essentialName } from '../relocs/relo-core';

/** The type a C expression evaluates to. */
export type ExprType =
  | { kind: 'btf'; id: number }
  | { kind: 'local'; struct: CStruct }
  | { kind: 'pointer'; target: ExprType }
  | { kind: 'array'; element: ExprType; length: number }
  | { kind: 'other'; text: string };

export interface TypeEnv {
  btf: Btf;
  /** Structs the file and its project headers define, keyed `struct name` / `union name`. */
  structs: Map<string, CStruct>;
  /** Resolve CO-RE-relocatable local structs to the kernel's type, as libbpf does at load time. */
  core?: boolean;
}

export function fromTypeText(t: TypeText, env: TypeEnv): ExprType {
  let ty = baseType(t.base, env);
  for (let i = 0; i < t.pointers; i++) ty = { kind: 'pointer', target: ty };
  for (let i = t.arrays.length - 1; i >= 0; i--) ty = { kind: 'array', element: ty, length: t.arrays[i] };
  return ty;
}

export function baseType(base: string, env: TypeEnv): ExprType {
  const m = /^(struct|union|enum) (\w+)$/.exec(base);
  if (m) {
    const local = env.structs.get(base);
    if (local && m[1] !== 'enum' && !(env.core && local.relocatable)) return { kind: 'local', struct: local };
    const kind = m[1] === 'struct' ? Kind.Struct : m[1] === 'union' ? Kind.Union : undefined;
    const id = kind !== undefined ? env.btf.findFirst(essentialName(m[2]), kind) : firstEnum(env.btf, m[2]);
    return id !== undefined ? { kind: 'btf', id } : { kind: 'other', text: base };
  }
  if (/^\w+$/.test(base)) {
    const id = env.btf.findFirst(base, Kind.Typedef);
    if (id !== undefined) return { kind: 'btf', id };
  }
  return { kind: 'other', text: base };
}

function firstEnum(btf: Btf, name: string): number | undefined {
  return btf.findFirst(name, Kind.Enum) ?? btf.findFirst(name, Kind.Enum64);
}

export function typeText(t: ExprType, env: TypeEnv): string {
  switch (t.kind) {
    case 'btf':
      return typeName(env.btf, t.id);
    case 'local':
      return `${t.struct.kind} ${t.struct.name}`;
    case 'pointer': {
      const inner = typeText(t.target, env);
      return inner.endsWith('*') ? `${inner}*` : `${inner} *`;
    }
    case 'array':
      return `${typeText(t.element, env)}[${t.length || ''}]`;
    case 'other':
      return t.text;
  }
}

/** What `*p` or `p[i]` is; undefined when `t` is not a pointer or array. */
export function deref(t: ExprType, env: TypeEnv): ExprType | undefined {
  if (t.kind === 'pointer') return t.target;
  if (t.kind === 'array') return t.element;
  if (t.kind === 'btf') {
    const id = env.btf.resolve(t.id);
    const kind = env.btf.kind(id);
    if (kind === Kind.Ptr) return { kind: 'btf', id: env.btf.sizeOrType(id) };
    if (kind === Kind.Array) return { kind: 'btf', id: env.btf.extraWord(id, 0) };
  }
  return undefined;
}

export interface MemberInfo {
  name: string;
  type: ExprType;
  /** Dotted path through anonymous members is hidden: C allows `mm->pgd` for a nested anonymous `pgd`. */
  bitOffset?: number;
  bitSize?: number;
  /** The struct or union (BTF id) the member is declared in, for hovers across kernels. */
  ownerId?: number;
}

/** The struct or union a type names (through typedefs and qualifiers), or undefined. */
export function composite(t: ExprType, env: TypeEnv): { btfId?: number; local?: CStruct } | undefined {
  if (t.kind === 'local') return { local: t.struct };
  if (t.kind === 'btf') {
    const id = env.btf.resolve(t.id);
    const k = env.btf.kind(id);
    if (k === Kind.Struct || k === Kind.Union) return { btfId: id };
  }
  return undefined;
}

/** All members reachable by name, anonymous members flattened, in declaration order. */
export function membersOf(t: ExprType, env: TypeEnv): MemberInfo[] {
  const c = composite(t, env);
  if (!c) return [];
  if (c.local) return c.local.members.map((m) => ({ name: m.name, type: fromTypeText(m.type, env) }));
  let byId = memberCache.get(env.btf);
  if (!byId) memberCache.set(env.btf, (byId = new Map()));
  let members = byId.get(c.btfId!);
  if (!members) {
    members = [];
    btfMembers(env.btf, c.btfId!, 0, members, 0);
    byId.set(c.btfId!, members);
  }
  return members;
}

/** A kernel struct's members never change: flattened once per kernel and type, read by every check of every path. */
const memberCache = new WeakMap<Btf, Map<number, MemberInfo[]>>();

function btfMembers(btf: Btf, id: number, base: number, out: MemberInfo[], depth: number): void {
  const t = btf.type(id) as CompositeType;
  for (const m of t.members) {
    const mk = btf.kind(btf.resolve(m.type));
    if (m.name === '' && (mk === Kind.Struct || mk === Kind.Union) && depth < 16) {
      btfMembers(btf, btf.resolve(m.type), base + m.bitOffset, out, depth + 1);
    } else if (m.name) {
      out.push({ name: m.name, type: { kind: 'btf', id: m.type }, bitOffset: base + m.bitOffset, bitSize: m.bitSize || undefined, ownerId: id });
    }
  }
}

export function member(t: ExprType, name: string, env: TypeEnv): MemberInfo | undefined {
  return membersOf(t, env).find((m) => m.name === name);
}

/** One step of `a->b` (deref, then member) or `a.b` (member). */
export function step(t: ExprType, op: '->' | '.', name: string, env: TypeEnv): MemberInfo | undefined {
  const base = op === '->' ? deref(t, env) ?? t : t;
  return member(base, name, env);
}
