// CO-RE relocation resolution, the algorithm of libbpf's relo_core.c (bpf_core_calc_relo_insn and what
// it calls): parse the local access spec, find target candidates by essential name, match the spec
// against each candidate through anonymous members and arrays, and compute the value libbpf patches.
// Only facts carry over from libbpf; the shapes here are ours (Result values instead of errno).
import { Btf } from '../btf/btf';
import { ArrayType, CompositeType, EnumType, FuncProtoType, IntType } from '../btf/types';
import { INT_SIGNED, KIND_NAMES, Kind, MAX_RESOLVE_DEPTH } from '../btf/wire';
import { fail, ok, Result } from '../result';
import { RelocationKind, RELO_KINDS, ReloFamily } from './kinds';

/** libbpf's BPF_CORE_SPEC_MAX_LEN. */
const SPEC_MAX_LEN = 64;
/** Recursion budget of libbpf's type compatibility and matching checks. */
const MAX_LEVEL = 32;

export interface Accessor {
  typeId: number;
  idx: number;
  /** Set for named struct/union members and enumerators; unset for array indexes. */
  name?: string;
}

/** A parsed access: the high-level accessors (named fields, indexes) and the raw access string. */
export interface CoreSpec {
  btf: Btf;
  rootTypeId: number;
  kind: number;
  raw: number[];
  accessors: Accessor[];
  bitOffset: number;
}

export interface ReloResult {
  origVal: bigint;
  newVal: bigint;
  /** libbpf would replace the instruction with a call of the invalid helper `CORE_POISON_VALUE` (./poison). */
  poison: boolean;
  /** Load/store size would change in a way only safe for pointers and unsigned integers. */
  failMemszAdjust: boolean;
  origSize: number;
  newSize: number;
}

export interface CandidateMatch {
  /** Index in the candidate list, as libbpf's `candidate #N`. */
  index: number;
  spec: CoreSpec;
}

export interface ResolvedRelo {
  /** Matching candidates in order (empty: `no matching targets found`). */
  matches: CandidateMatch[];
  result: ReloResult;
  /** The candidate list to keep for this local type: libbpf narrows it to the matches. */
  candidates: number[];
}

export interface RelocationInput {
  typeId: number;
  access: string;
  kind: number;
}

export function reloFamily(kind: number): ReloFamily | undefined {
  return RELO_KINDS[kind]?.family;
}

/** Length of `name` without its flavour: `task_struct___old` -> 11 (libbpf's bpf_core_essential_name_len). */
export function essentialNameLength(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') return i + 1;
  }
  return name.length;
}

export function essentialName(name: string): string {
  return name.slice(0, essentialNameLength(name));
}

/** Two names equal without their flavours: `task_struct___old` and `task_struct`. */
function sameEssentialName(a: string, b: string): boolean {
  const n = essentialNameLength(a);
  return n === essentialNameLength(b) && a.slice(0, n) === b.slice(0, n);
}

const isComposite = (k: Kind) => k === Kind.Struct || k === Kind.Union;
const isAnyEnum = (k: Kind) => k === Kind.Enum || k === Kind.Enum64;
const kindsCompatible = (a: Kind, b: Kind) => a === b || (isAnyEnum(a) && isAnyEnum(b));

/** btf__resolve_size with libbpf's error as -1. */
const resolveSize = (btf: Btf, id: number) => btf.resolveSize(id) ?? -1;

function isFlexArray(btf: Btf, acc: Accessor | undefined, arr: ArrayType): boolean {
  if (!acc?.name || arr.nelems > 0) return false;
  return acc.idx === btf.vlen(acc.typeId) - 1;
}

/** bpf_core_parse_spec. */
export function parseSpec(btf: Btf, relo: RelocationInput): Result<CoreSpec> {
  const bad = (why: string) => fail<CoreSpec>(`cannot parse access '${relo.access}' of [${relo.typeId}]: ${why}`);
  const fam = reloFamily(relo.kind);
  if (!fam) return bad(`unknown relocation kind ${relo.kind}`);
  const spec: CoreSpec = { btf, rootTypeId: relo.typeId, kind: relo.kind, raw: [], accessors: [], bitOffset: 0 };
  if (fam === 'type') return relo.access === '0' ? ok(spec) : bad('a type relocation\'s access must be "0"');
  if (!/^\d+(:\d+)*$/.test(relo.access)) return bad('not a list of indexes');
  spec.raw = relo.access.split(':').map(Number);
  if (spec.raw.length > SPEC_MAX_LEN) return bad(`longer than ${SPEC_MAX_LEN}`);

  let id = btf.resolve(relo.typeId);
  const first = spec.raw[0];
  spec.accessors.push({ typeId: id, idx: first });
  if (fam === 'enumval') {
    if (!isAnyEnum(btf.kind(id)) || spec.raw.length > 1 || first >= btf.vlen(id)) return bad('not an enumerator of an enum');
    spec.accessors[0].name = (btf.type(id) as EnumType).values[first].name;
    return ok(spec);
  }
  let size = resolveSize(btf, id);
  if (size < 0) return bad('the root type has no size');
  spec.bitOffset = first * size * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    id = btf.resolve(id);
    const idx = spec.raw[i];
    const k = btf.kind(id);
    if (isComposite(k)) {
      const t = btf.type(id) as CompositeType;
      if (idx >= t.members.length) return bad(`member ${idx} of a type with ${t.members.length}`);
      const m = t.members[idx];
      spec.bitOffset += m.bitOffset;
      if (m.name) spec.accessors.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (k === Kind.Array) {
      const a = btf.type(id) as ArrayType;
      id = btf.resolve(a.type);
      if (!isFlexArray(btf, spec.accessors[spec.accessors.length - 1], a) && idx >= a.nelems) return bad(`index ${idx} of an array of ${a.nelems}`);
      spec.accessors.push({ typeId: id, idx });
      size = resolveSize(btf, id);
      if (size < 0) return bad('an array element has no size');
      spec.bitOffset += idx * size * 8;
    } else {
      return bad(`index ${i} reaches a ${KIND_NAMES[k]}`);
    }
  }
  return ok(spec);
}

/** __bpf_core_types_are_compat: the check for type-based relocations. */
function typesAreCompat(lb: Btf, lid: number, tb: Btf, tid: number, level: number): number {
  if (!kindsCompatible(lb.kind(lid), tb.kind(tid))) return 0;
  for (let depth = 32; depth > 0; depth--) {
    lid = lb.resolve(lid);
    tid = tb.resolve(tid);
    const lk = lb.kind(lid);
    if (!kindsCompatible(lk, tb.kind(tid))) return 0;
    switch (lk) {
      case Kind.Unknown: case Kind.Struct: case Kind.Union: case Kind.Enum: case Kind.Fwd: case Kind.Enum64:
        return 1;
      case Kind.Int:
        return (lb.type(lid) as IntType).bitOffset === 0 && (tb.type(tid) as IntType).bitOffset === 0 ? 1 : 0;
      case Kind.Ptr:
        lid = lb.sizeOrType(lid);
        tid = tb.sizeOrType(tid);
        continue;
      case Kind.Array:
        lid = lb.extraWord(lid, 0);
        tid = tb.extraWord(tid, 0);
        continue;
      case Kind.FuncProto: {
        const lp = lb.type(lid) as FuncProtoType;
        const tp = tb.type(tid) as FuncProtoType;
        if (lp.params.length !== tp.params.length) return 0;
        for (let i = 0; i < lp.params.length; i++) {
          if (level <= 0) return -1;
          const r = typesAreCompat(lb, lb.resolve(lp.params[i].type), tb, tb.resolve(tp.params[i].type), level - 1);
          if (r <= 0) return r;
        }
        lid = lp.returnType;
        tid = tp.returnType;
        continue;
      }
      default:
        return 0;
    }
  }
  return -1;
}

function namesMatch(lname: string, tname: string): boolean {
  return tname ? sameEssentialName(lname, tname) : !lname;
}

/** __bpf_core_types_match: the stricter check behind bpf_core_type_matches(). */
function typesMatch(lb: Btf, lid: number, tb: Btf, tid: number, behindPtr: boolean, level: number): number {
  if (level <= 0) return -1;
  for (let depth = 32; depth > 0; depth--) {
    lid = lb.resolve(lid);
    tid = tb.resolve(tid);
    if (!namesMatch(lb.name(lid), tb.name(tid))) return 0;
    const lk = lb.kind(lid);
    const tk = tb.kind(tid);
    switch (lk) {
      case Kind.Unknown:
        return lk === tk ? 1 : 0;
      case Kind.Fwd: {
        const lf = lb.kflag(lid);
        if (behindPtr) {
          if (lk === tk) return lf === tb.kflag(tid) ? 1 : 0;
          return (tk === Kind.Struct && !lf) || (tk === Kind.Union && lf) ? 1 : 0;
        }
        return lk === tk && lf === tb.kflag(tid) ? 1 : 0;
      }
      case Kind.Enum: case Kind.Enum64: {
        if (!isAnyEnum(tk)) return 0;
        const l = lb.type(lid) as EnumType;
        const t = tb.type(tid) as EnumType;
        if (l.size !== t.size || l.values.length > t.values.length) return 0;
        return l.values.every((v) => t.values.some((w) => namesMatch(v.name, w.name))) ? 1 : 0;
      }
      case Kind.Struct: case Kind.Union: {
        if (behindPtr) {
          if (lk === tk) return 1;
          if (tk !== Kind.Fwd) return 0;
          return (lk === Kind.Union) === tb.kflag(tid) ? 1 : 0;
        }
        if (lk !== tk) return 0;
        const l = lb.type(lid) as CompositeType;
        const t = tb.type(tid) as CompositeType;
        if (l.members.length > t.members.length) return 0;
        for (const lm of l.members) {
          let matched = false;
          for (const tm of t.members) {
            if (!namesMatch(lm.name, tm.name)) continue;
            const r = typesMatch(lb, lm.type, tb, tm.type, behindPtr, level - 1);
            if (r < 0) return r;
            if (r > 0) {
              matched = true;
              break;
            }
          }
          if (!matched) return 0;
        }
        return 1;
      }
      case Kind.Int: {
        if (lk !== tk) return 0;
        const l = lb.type(lid) as IntType;
        const t = tb.type(tid) as IntType;
        return l.size === t.size && (l.encoding & INT_SIGNED) === (t.encoding & INT_SIGNED) ? 1 : 0;
      }
      case Kind.Ptr:
        if (lk !== tk) return 0;
        behindPtr = true;
        lid = lb.sizeOrType(lid);
        tid = tb.sizeOrType(tid);
        continue;
      case Kind.Array: {
        if (lk !== tk) return 0;
        const l = lb.type(lid) as ArrayType;
        const t = tb.type(tid) as ArrayType;
        if (l.nelems !== t.nelems) return 0;
        lid = l.type;
        tid = t.type;
        continue;
      }
      case Kind.FuncProto: {
        if (lk !== tk) return 0;
        const lp = lb.type(lid) as FuncProtoType;
        const tp = tb.type(tid) as FuncProtoType;
        if (lp.params.length !== tp.params.length) return 0;
        for (let i = 0; i < lp.params.length; i++) {
          const r = typesMatch(lb, lp.params[i].type, tb, tp.params[i].type, behindPtr, level - 1);
          if (r <= 0) return r;
        }
        lid = lp.returnType;
        tid = tp.returnType;
        continue;
      }
      default:
        return 0;
    }
  }
  return -1;
}

/** bpf_core_fields_are_compat. */
function fieldsAreCompat(lb: Btf, lid: number, tb: Btf, tid: number): number {
  for (let depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
    lid = lb.resolve(lid);
    tid = tb.resolve(tid);
    const lk = lb.kind(lid);
    const tk = tb.kind(tid);
    if (isComposite(lk) && isComposite(tk)) return 1;
    if (!kindsCompatible(lk, tk)) return 0;
    switch (lk) {
      case Kind.Ptr: case Kind.Float:
        return 1;
      case Kind.Fwd: case Kind.Enum: case Kind.Enum64: {
        // One of them anonymous, or both of the same name without flavours.
        const ln = lb.name(lid);
        const tn = tb.name(tid);
        return essentialNameLength(ln) === 0 || essentialNameLength(tn) === 0 || sameEssentialName(ln, tn) ? 1 : 0;
      }
      case Kind.Int:
        return (lb.type(lid) as IntType).bitOffset === 0 && (tb.type(tid) as IntType).bitOffset === 0 ? 1 : 0;
      case Kind.Array:
        lid = lb.extraWord(lid, 0);
        tid = tb.extraWord(tid, 0);
        continue;
      default:
        return 0;
    }
  }
  return -1;
}

/** bpf_core_match_member: finds the local named member in the target, descending into anonymous members. */
function matchMember(lb: Btf, local: Accessor, tb: Btf, targId: number, spec: CoreSpec, next: { id: number }): number {
  targId = tb.resolve(targId);
  if (!isComposite(tb.kind(targId))) return 0;
  const lm = (lb.type(local.typeId) as CompositeType).members[local.idx];
  const t = tb.type(targId) as CompositeType;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i];
    if (spec.raw.length === SPEC_MAX_LEN) return -1;
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (!m.name) {
      const found = matchMember(lb, local, tb, m.type, spec, next);
      if (found) return found;
    } else if (m.name === lm.name) {
      spec.accessors.push({ typeId: targId, idx: i, name: m.name });
      next.id = m.type;
      const found = fieldsAreCompat(lb, lm.type, tb, m.type);
      if (!found) spec.accessors.pop();
      return found;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return 0;
}

/** bpf_core_spec_match: 1 and the target spec when the local spec fits the candidate, 0 when not, -1 on error. */
function specMatch(local: CoreSpec, tb: Btf, targId: number): { matched: number; spec: CoreSpec } {
  const spec: CoreSpec = { btf: tb, rootTypeId: targId, kind: local.kind, raw: [], accessors: [], bitOffset: 0 };
  const fam = reloFamily(local.kind);
  if (fam === 'type') {
    const matched = local.kind === RelocationKind.TypeMatches
      ? typesMatch(local.btf, local.rootTypeId, tb, targId, false, MAX_LEVEL)
      : typesAreCompat(local.btf, local.rootTypeId, tb, targId, MAX_LEVEL);
    return { matched, spec };
  }
  if (fam === 'enumval') {
    targId = tb.resolve(targId);
    if (!isAnyEnum(tb.kind(targId))) return { matched: 0, spec };
    const want = local.accessors[0].name!;
    const values = (tb.type(targId) as EnumType).values;
    for (let i = 0; i < values.length; i++) {
      const n = values[i].name;
      if (sameEssentialName(n, want)) {
        spec.accessors.push({ typeId: targId, idx: i, name: n });
        spec.raw.push(i);
        return { matched: 1, spec };
      }
    }
    return { matched: 0, spec };
  }
  let id = targId;
  for (let i = 0; i < local.accessors.length; i++) {
    const la = local.accessors[i];
    id = tb.resolve(id);
    if (la.name) {
      const next = { id };
      const m = matchMember(local.btf, la, tb, id, spec, next);
      if (m <= 0) return { matched: m, spec };
      id = next.id;
    } else {
      if (i > 0) {
        if (tb.kind(id) !== Kind.Array) return { matched: 0, spec };
        const a = tb.type(id) as ArrayType;
        if (!isFlexArray(tb, spec.accessors[spec.accessors.length - 1], a) && la.idx >= a.nelems) return { matched: 0, spec };
        id = tb.resolve(a.type);
      }
      if (spec.raw.length === SPEC_MAX_LEN) return { matched: -1, spec };
      spec.accessors.push({ typeId: id, idx: la.idx });
      spec.raw.push(la.idx);
      const size = resolveSize(tb, id);
      if (size < 0) return { matched: -1, spec };
      spec.bitOffset += la.idx * size * 8;
    }
  }
  return { matched: 1, spec };
}

type Calc = { val: bigint; size: number; typeId: number; poison?: boolean } | { error: string };

/** The element type under any arrays: load/store sizes are per element. */
function elementSize(btf: Btf, id: number): { size: number; typeId: number } {
  let elem = btf.resolve(id);
  while (btf.kind(elem) === Kind.Array) elem = btf.resolve(btf.extraWord(elem, 0));
  return { size: resolveSize(btf, elem), typeId: elem };
}

/** bpf_core_calc_field_relo. */
function calcField(kind: number, spec: CoreSpec | undefined): Calc {
  if (kind === RelocationKind.FieldExists) return { val: spec ? 1n : 0n, size: 0, typeId: 0 };
  if (!spec) return { val: 0n, size: 0, typeId: 0, poison: true };
  const btf = spec.btf;
  const acc = spec.accessors[spec.accessors.length - 1];
  if (!acc.name) {
    if (kind === RelocationKind.FieldByteOffset) {
      const e = elementSize(btf, acc.typeId);
      return { val: BigInt(spec.bitOffset / 8), size: e.size, typeId: acc.typeId };
    }
    if (kind === RelocationKind.FieldByteSize) return { val: BigInt(resolveSize(btf, acc.typeId)), size: 0, typeId: 0 };
    return { error: `relocation ${RELO_KINDS[kind].name} cannot apply to an array element` };
  }
  const t = btf.type(acc.typeId) as CompositeType;
  const m = t.members[acc.idx];
  const fieldType = btf.resolve(m.type);
  const bitOff = spec.bitOffset;
  let bitSize = m.bitSize;
  const bitfield = bitSize > 0;
  let byteSize: number;
  let byteOff: number;
  if (bitfield) {
    byteSize = btf.sizeOrType(fieldType);
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) return { error: 'the bitfield cannot be read with one 64-bit load' };
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  } else {
    byteSize = resolveSize(btf, fieldType);
    if (byteSize < 0) return { error: 'the field has no size' };
    byteOff = Math.floor(bitOff / 8);
    bitSize = byteSize * 8;
  }
  switch (kind) {
    case RelocationKind.FieldByteOffset: {
      if (bitfield) return { val: BigInt(byteOff), size: 0, typeId: 0 };
      const e = elementSize(btf, fieldType);
      return { val: BigInt(byteOff), size: e.size, typeId: fieldType };
    }
    case RelocationKind.FieldByteSize:
      return { val: BigInt(byteSize), size: 0, typeId: 0 };
    case RelocationKind.FieldSigned: {
      const fk = btf.kind(fieldType);
      const signed = (isAnyEnum(fk) && btf.kflag(fieldType)) || (fk === Kind.Int && ((btf.type(fieldType) as IntType).encoding & INT_SIGNED) !== 0);
      return { val: signed ? 1n : 0n, size: 0, typeId: 0 };
    }
    case RelocationKind.FieldLshiftU64:
      // Little-endian targets; BPF objects for big-endian kernels would need the other formula.
      return { val: BigInt(btf.littleEndian ? 64 - (bitOff + bitSize - byteOff * 8) : (8 - byteSize) * 8 + (bitOff - byteOff * 8)), size: 0, typeId: 0 };
    case RelocationKind.FieldRshiftU64:
      return { val: BigInt(64 - bitSize), size: 0, typeId: 0 };
    default:
      return { error: `unsupported relocation kind ${kind}` };
  }
}

/** bpf_core_calc_type_relo and bpf_core_calc_enumval_relo. */
function calcTypeOrEnum(kind: number, spec: CoreSpec | undefined): Calc {
  const none = { size: 0, typeId: 0 };
  switch (kind) {
    case RelocationKind.TypeIdTarget:
      return { val: spec ? BigInt(spec.rootTypeId) : 0n, ...none };
    case RelocationKind.TypeExists:
    case RelocationKind.TypeMatches:
    case RelocationKind.EnumvalExists:
      return { val: spec ? 1n : 0n, ...none };
    case RelocationKind.TypeSize:
      return { val: spec ? BigInt(resolveSize(spec.btf, spec.rootTypeId)) : 0n, ...none };
    case RelocationKind.EnumvalValue: {
      if (!spec) return { val: 0n, ...none, poison: true };
      const a = spec.accessors[0];
      return { val: (spec.btf.type(a.typeId) as EnumType).values[a.idx].value, ...none };
    }
    default:
      return { error: `unsupported relocation kind ${kind}` };
  }
}

/** bpf_core_calc_relo: the original (local) and new (target) values of one relocation. */
function calcRelo(kind: number, local: CoreSpec, targ: CoreSpec | undefined): Result<ReloResult> {
  const calc = reloFamily(kind) === 'field' ? calcField : calcTypeOrEnum;
  const o = calc(kind, local);
  if ('error' in o) return fail(o.error);
  const n = calc(kind, targ);
  if ('error' in n) return fail(n.error);
  const res: ReloResult = { origVal: o.val, newVal: n.poison ? 0n : n.val, poison: !!n.poison, failMemszAdjust: false, origSize: o.size, newSize: n.size };
  if (!n.poison && targ && o.size !== n.size) {
    const lb = local.btf;
    const tb = targ.btf;
    const bothPtr = lb.kind(o.typeId) === Kind.Ptr && tb.kind(n.typeId) === Kind.Ptr;
    const unsignedInts = lb.kind(o.typeId) === Kind.Int && tb.kind(n.typeId) === Kind.Int &&
      (lb.type(o.typeId) as IntType).encoding !== INT_SIGNED && (tb.type(n.typeId) as IntType).encoding !== INT_SIGNED;
    res.failMemszAdjust = !bothPtr && !unsignedInts;
  }
  return ok(res);
}

/**
 * Target candidates for a local type: every type of the target whose name, without flavour, equals the
 * local one's, of a compatible kind, by ascending id (bpf_core_add_cands over vmlinux).
 */
export function findCandidates(local: Btf, localId: number, target: Btf): number[] {
  const name = essentialName(local.name(localId));
  const kind = local.kind(localId);
  const ids = target.findByName(name).concat(flavouredNames(target, kind).get(name) ?? []);
  return [...new Set(ids)].filter((id) => kindsCompatible(target.kind(id), kind)).sort((a, b) => a - b);
}

const flavouredCache = new WeakMap<Btf, Map<Kind, Map<string, number[]>>>();

/** A target's own flavoured names (`foo___2`) by essential name, per kind; rare in kernels, so cheap to keep. */
function flavouredNames(btf: Btf, kind: Kind): Map<string, number[]> {
  let perKind = flavouredCache.get(btf);
  if (!perKind) flavouredCache.set(btf, (perKind = new Map()));
  const kinds = isAnyEnum(kind) ? [Kind.Enum, Kind.Enum64] : [kind];
  const key = kinds[0];
  let map = perKind.get(key);
  if (!map) {
    map = new Map();
    for (const k of kinds) {
      for (const { name, id } of btf.namesOfKind(k)) {
        if (!name.includes('___')) continue;
        const ess = essentialName(name);
        if (ess === name) continue;
        map.set(ess, [...(map.get(ess) ?? []), id]);
      }
    }
    perKind.set(key, map);
  }
  return map;
}

/**
 * bpf_core_calc_relo_insn: resolve one relocation (its parsed local spec) against a target's candidates. Like libbpf, every
 * matching candidate must agree on the bit offset and the value, else the relocation is ambiguous.
 */
export function resolveRelocation(localSpec: CoreSpec, target: Btf, candidates: number[]): Result<ResolvedRelo> {
  const kind = localSpec.kind;
  if (kind === RelocationKind.TypeIdLocal) {
    const v = BigInt(localSpec.rootTypeId);
    return ok({ matches: [], candidates, result: { origVal: v, newVal: v, poison: false, failMemszAdjust: false, origSize: 0, newSize: 0 } });
  }
  if (!localSpec.btf.name(localSpec.rootTypeId)) return fail(`relocation ${RELO_KINDS[kind].name} of an anonymous type: libbpf cannot resolve it`);
  const matches: CandidateMatch[] = [];
  let result: ReloResult | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const { matched, spec } = specMatch(localSpec, target, candidates[i]);
    if (matched < 0) return fail(`error matching candidate #${i} [${candidates[i]}] (nesting too deep or a type without size)`);
    if (matched === 0) continue;
    const r = calcRelo(kind, localSpec, spec);
    if (!r.ok) return r;
    if (!result) result = r.value;
    else if (spec.bitOffset !== matches[0].spec.bitOffset) return fail(`field offset ambiguity: candidates resolve to bit offsets ${spec.bitOffset} and ${matches[0].spec.bitOffset}`);
    else if (r.value.poison !== result.poison || r.value.newVal !== result.newVal) return fail(`relocation decision ambiguity: candidates give ${r.value.newVal} and ${result.newVal}`);
    matches.push({ index: i, spec });
  }
  if (!result) {
    const r = calcRelo(kind, localSpec, undefined);
    if (!r.ok) return r;
    result = r.value;
  }
  return ok({ matches, result, candidates: matches.length ? matches.map((m) => candidates[m.index]) : candidates });
}

/** A spec for people, as libbpf's bpf_core_format_spec: `struct task_struct.real_parent`, `enum e::V`. */
export function describeSpec(spec: CoreSpec): string {
  const btf = spec.btf;
  const root = spec.rootTypeId;
  const name = btf.name(root) || '<anon>';
  const kw: Partial<Record<Kind, string>> = { [Kind.Struct]: 'struct', [Kind.Union]: 'union', [Kind.Enum]: 'enum', [Kind.Enum64]: 'enum', [Kind.Typedef]: 'typedef', [Kind.Fwd]: 'struct' };
  const head = kw[btf.kind(root)] ? `${kw[btf.kind(root)]} ${name}` : name;
  const fam = reloFamily(spec.kind);
  if (fam === 'type') return head;
  if (fam === 'enumval') return `${head}::${spec.accessors[0]?.name ?? '?'}`;
  let out = head;
  spec.accessors.forEach((a, i) => {
    if (a.name) out += `.${a.name}`;
    else if (i > 0 || a.idx > 0) out += `[${a.idx}]`;
  });
  return out;
}
