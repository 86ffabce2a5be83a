// CO-RE relocation resolution, the algorithm of libbpf's relo_core.c (bpf_core_calc_relo_insn and what
// it calls): parse the local access spec, find target candidates by essential name, match the spec
// against each candidate through anonymous members and arrays, and compute the value libbpf patches.
// Only facts carry over from libbpf; the shapes here are ours: Result values instead of errno, and a
// MatchVerdict instead of libbpf's 1 / 0 / negative errno from its matching functions.
import { Btf } from '../btf/btf';
import { ArrayType, CompositeType, EnumType, FuncProtoType, IntType } from '../btf/types';
import { INT_SIGNED, KIND_NAMES, Kind, MAX_RESOLVE_DEPTH } from '../btf/wire';
import { fail, ok, Result } from '../result';
import { RelocationKind, RELO_KINDS, ReloFamily } from './kinds';

/** libbpf's BPF_CORE_SPEC_MAX_LEN. */
const SPEC_MAX_LEN = 64;
/** Recursion budget of libbpf's type compatibility and matching checks. */
const MAX_LEVEL = 32;
/** How many pointer/array/typedef hops libbpf follows within one level before giving up (its `depth`). */
const MAX_CHAIN = 32;

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

/**
 * What libbpf's matching functions answer with 1 (`match`), 0 (`mismatch`) or a negative errno
 * (`error`: nesting too deep, a spec too long, a type without size). An error stops the whole
 * relocation; a mismatch only rules out one candidate.
 */
type MatchVerdict = 'match' | 'mismatch' | 'error';

const verdict = (matches: boolean): MatchVerdict => (matches ? 'match' : 'mismatch');

/** libbpf: core_relo_is_field_based, core_relo_is_type_based and core_relo_is_enumval_based in one. */
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

/** Two names equal without their flavours: `task_struct___old` and `task_struct` (libbpf's essential-length strncmp). */
function sameEssentialName(a: string, b: string): boolean {
  const n = essentialNameLength(a);
  return n === essentialNameLength(b) && a.slice(0, n) === b.slice(0, n);
}

/** libbpf: btf_is_composite. */
const isComposite = (k: Kind) => k === Kind.Struct || k === Kind.Union;
/** libbpf: btf_is_any_enum. */
const isAnyEnum = (k: Kind) => k === Kind.Enum || k === Kind.Enum64;
/** libbpf: btf_kind_core_compat (same kind, or enum and enum64). */
const kindsCompatible = (a: Kind, b: Kind) => a === b || (isAnyEnum(a) && isAnyEnum(b));

/** libbpf: btf__resolve_size, with its error as -1. */
const resolveSize = (btf: Btf, id: number) => btf.resolveSize(id) ?? -1;

/** libbpf: is_flex_arr. A zero-length array that is the last member of its struct may be indexed past 0. */
function isFlexArray(btf: Btf, acc: Accessor | undefined, arr: ArrayType): boolean {
  if (!acc?.name || arr.nelems > 0) return false;
  return acc.idx === btf.vlen(acc.typeId) - 1;
}

/**
 * libbpf: bpf_core_parse_spec. Reads a relocation's access string against the local BTF, checking each
 * step and adding up the bit offset it reaches.
 *
 * For field relocations the string is the chain of indexes clang records for the access expression, one
 * per step, in the manner of LLVM's getelementptr: the first one indexes the root pointer as an array,
 * each later one picks a struct/union member by position (anonymous members count) or an array element.
 * Given
 *
 *     struct sample { int a; struct { int b[10]; }; };
 *     struct sample *s = ...;
 *
 * `&s->a` is recorded as "0:0" (element 0 behind the pointer, then member #0, `a`); `&s->b[5]` as
 * "0:1:0:5" (the anonymous struct is member #1 of `sample`, `b` is member #0 inside it, then element
 * #5); `&s[10].b` as "10:1:0" (the pointer used as an array). All three have `struct sample` as root
 * type. (clang 14 and 19 emit exactly these strings.)
 *
 * `raw` keeps every index of the string. `accessors` keeps only the steps that carry meaning from one
 * kernel to another: the root index, each named member, each array index. An anonymous member is only
 * a position, which matching (matchMember) finds again in the target, so for "0:1:0:5" the accessors are
 * index 0 of `sample`, member `b`, element 5, and the `1` lives in `raw` alone.
 *
 * Type relocations must carry "0" and leave both lists empty; an enumerator relocation carries the
 * enumerator's index, whose name becomes its only accessor.
 */
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

/**
 * libbpf: __bpf_core_types_are_compat. The loose check behind type relocations (exists, size, target
 * id): kinds must agree through pointers, arrays and function prototypes; structs, unions, enums and
 * forward declarations agree by kind alone, integers unless they are old-style bitfield integers.
 */
function typesAreCompat(lb: Btf, lid: number, tb: Btf, tid: number, level: number): MatchVerdict {
  if (!kindsCompatible(lb.kind(lid), tb.kind(tid))) return 'mismatch';
  for (let depth = MAX_CHAIN; depth > 0; depth--) {
    lid = lb.resolve(lid);
    tid = tb.resolve(tid);
    const lk = lb.kind(lid);
    if (!kindsCompatible(lk, tb.kind(tid))) return 'mismatch';
    switch (lk) {
      case Kind.Unknown: case Kind.Struct: case Kind.Union: case Kind.Enum: case Kind.Fwd: case Kind.Enum64:
        return 'match';
      case Kind.Int:
        return verdict((lb.type(lid) as IntType).bitOffset === 0 && (tb.type(tid) as IntType).bitOffset === 0);
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
        if (lp.params.length !== tp.params.length) return 'mismatch';
        for (let i = 0; i < lp.params.length; i++) {
          if (level <= 0) return 'error';
          const r = typesAreCompat(lb, lb.resolve(lp.params[i].type), tb, tb.resolve(tp.params[i].type), level - 1);
          if (r !== 'match') return r;
        }
        // The return type is checked like a pointee, in the same loop.
        lid = lp.returnType;
        tid = tp.returnType;
        continue;
      }
      default:
        return 'mismatch';
    }
  }
  return 'error';
}

/** libbpf: bpf_core_names_match. An anonymous target matches only an anonymous local; flavours are ignored. */
function namesMatch(lname: string, tname: string): boolean {
  return tname ? sameEssentialName(lname, tname) : !lname;
}

/** libbpf: bpf_core_enums_match. Same size, and every local enumerator has a namesake in the target (values may differ). */
function enumsMatch(l: EnumType, t: EnumType): MatchVerdict {
  if (l.size !== t.size || l.values.length > t.values.length) return 'mismatch';
  return verdict(l.values.every((v) => t.values.some((w) => namesMatch(v.name, w.name))));
}

/** libbpf: bpf_core_composites_match. Every local member has a namesake in the target whose type matches. */
function compositesMatch(lb: Btf, l: CompositeType, tb: Btf, t: CompositeType, behindPtr: boolean, level: number): MatchVerdict {
  if (l.members.length > t.members.length) return 'mismatch';
  for (const lm of l.members) {
    let matched = false;
    for (const tm of t.members) {
      if (!namesMatch(lm.name, tm.name)) continue;
      const r = typesMatch(lb, lm.type, tb, tm.type, behindPtr, level - 1);
      if (r === 'error') return r;
      if (r === 'match') {
        matched = true;
        break;
      }
    }
    if (!matched) return 'mismatch';
  }
  return 'match';
}

/**
 * libbpf: __bpf_core_types_match, the strict check behind bpf_core_type_matches(). After typedefs and
 * modifiers, names must match and kinds must be the same, except that behind a pointer a struct or union
 * also matches a forward declaration of the same flavour (the fwd's kflag says union), and enum matches
 * enum64. Integers match on size and signedness; arrays on length and element; pointers and function
 * prototypes (parameters, then return type) on what they refer to; structs, unions and enums by member
 * or enumerator names, the members' types matched recursively.
 */
function typesMatch(lb: Btf, lid: number, tb: Btf, tid: number, behindPtr: boolean, level: number): MatchVerdict {
  if (level <= 0) return 'error';
  for (let depth = MAX_CHAIN; depth > 0; depth--) {
    lid = lb.resolve(lid);
    tid = tb.resolve(tid);
    if (!namesMatch(lb.name(lid), tb.name(tid))) return 'mismatch';
    const lk = lb.kind(lid);
    const tk = tb.kind(tid);
    switch (lk) {
      case Kind.Unknown:
        return verdict(lk === tk);
      case Kind.Fwd: {
        const lf = lb.kflag(lid);
        if (behindPtr) {
          if (lk === tk) return verdict(lf === tb.kflag(tid));
          return verdict((tk === Kind.Struct && !lf) || (tk === Kind.Union && lf));
        }
        return verdict(lk === tk && lf === tb.kflag(tid));
      }
      case Kind.Enum: case Kind.Enum64:
        if (!isAnyEnum(tk)) return 'mismatch';
        return enumsMatch(lb.type(lid) as EnumType, tb.type(tid) as EnumType);
      case Kind.Struct: case Kind.Union:
        if (behindPtr) {
          if (lk === tk) return 'match';
          if (tk !== Kind.Fwd) return 'mismatch';
          return verdict((lk === Kind.Union) === tb.kflag(tid));
        }
        if (lk !== tk) return 'mismatch';
        return compositesMatch(lb, lb.type(lid) as CompositeType, tb, tb.type(tid) as CompositeType, behindPtr, level);
      case Kind.Int: {
        if (lk !== tk) return 'mismatch';
        const l = lb.type(lid) as IntType;
        const t = tb.type(tid) as IntType;
        return verdict(l.size === t.size && (l.encoding & INT_SIGNED) === (t.encoding & INT_SIGNED));
      }
      case Kind.Ptr:
        if (lk !== tk) return 'mismatch';
        behindPtr = true;
        lid = lb.sizeOrType(lid);
        tid = tb.sizeOrType(tid);
        continue;
      case Kind.Array: {
        if (lk !== tk) return 'mismatch';
        const l = lb.type(lid) as ArrayType;
        const t = tb.type(tid) as ArrayType;
        if (l.nelems !== t.nelems) return 'mismatch';
        lid = l.type;
        tid = t.type;
        continue;
      }
      case Kind.FuncProto: {
        if (lk !== tk) return 'mismatch';
        const lp = lb.type(lid) as FuncProtoType;
        const tp = tb.type(tid) as FuncProtoType;
        if (lp.params.length !== tp.params.length) return 'mismatch';
        for (let i = 0; i < lp.params.length; i++) {
          const r = typesMatch(lb, lp.params[i].type, tb, tp.params[i].type, behindPtr, level - 1);
          if (r !== 'match') return r;
        }
        lid = lp.returnType;
        tid = tp.returnType;
        continue;
      }
      default:
        return 'mismatch';
    }
  }
  return 'error';
}

/**
 * libbpf: bpf_core_fields_are_compat. Whether a field found by name in the target can stand for the
 * local one: any two structs/unions, any two pointers or floats, integers unless old-style bitfield
 * integers, enums and forward declarations of the same essential name (or either anonymous), arrays
 * of compatible elements whatever their lengths.
 */
function fieldsAreCompat(lb: Btf, lid: number, tb: Btf, tid: number): MatchVerdict {
  for (let depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
    lid = lb.resolve(lid);
    tid = tb.resolve(tid);
    const lk = lb.kind(lid);
    const tk = tb.kind(tid);
    if (isComposite(lk) && isComposite(tk)) return 'match';
    if (!kindsCompatible(lk, tk)) return 'mismatch';
    switch (lk) {
      case Kind.Ptr: case Kind.Float:
        return 'match';
      case Kind.Fwd: case Kind.Enum: case Kind.Enum64: {
        const ln = lb.name(lid);
        const tn = tb.name(tid);
        return verdict(essentialNameLength(ln) === 0 || essentialNameLength(tn) === 0 || sameEssentialName(ln, tn));
      }
      case Kind.Int:
        return verdict((lb.type(lid) as IntType).bitOffset === 0 && (tb.type(tid) as IntType).bitOffset === 0);
      case Kind.Array:
        lid = lb.extraWord(lid, 0);
        tid = tb.extraWord(tid, 0);
        continue;
      default:
        return 'mismatch';
    }
  }
  return 'error';
}

/**
 * libbpf: bpf_core_match_member. Finds the local named member in the target struct/union, searching
 * anonymous members depth-first, and extends the target spec as it goes: each member tried is pushed
 * onto `raw` and its offset added, then taken back if it was not the one. On a match of a compatible
 * type the member's accessor is added and `next.id` is its type, where the next accessor continues.
 */
function matchMember(lb: Btf, local: Accessor, tb: Btf, targId: number, spec: CoreSpec, next: { id: number }): MatchVerdict {
  targId = tb.resolve(targId);
  if (!isComposite(tb.kind(targId))) return 'mismatch';
  const lm = (lb.type(local.typeId) as CompositeType).members[local.idx];
  const t = tb.type(targId) as CompositeType;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i];
    if (spec.raw.length === SPEC_MAX_LEN) return 'error';
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (!m.name) {
      const found = matchMember(lb, local, tb, m.type, spec, next);
      if (found !== 'mismatch') return found;
    } else if (m.name === lm.name) {
      spec.accessors.push({ typeId: targId, idx: i, name: m.name });
      next.id = m.type;
      const found = fieldsAreCompat(lb, lm.type, tb, m.type);
      if (found === 'mismatch') spec.accessors.pop();
      return found;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return 'mismatch';
}

interface SpecMatch {
  verdict: MatchVerdict;
  /** The target spec built so far; complete when the verdict is `match`. */
  spec: CoreSpec;
}

/**
 * libbpf: bpf_core_spec_match. Whether the local spec fits the candidate target type, building the
 * target's spec (accessors, raw indexes, bit offset) along the way. Type relocations compare the types
 * as a whole; an enumerator relocation looks for an enumerator of the same essential name; a field
 * relocation walks the local accessors, finding each named member in the target and checking each
 * array index against the target's bounds.
 */
function specMatch(local: CoreSpec, tb: Btf, targId: number): SpecMatch {
  const spec: CoreSpec = { btf: tb, rootTypeId: targId, kind: local.kind, raw: [], accessors: [], bitOffset: 0 };
  const fam = reloFamily(local.kind);
  if (fam === 'type') {
    const matched = local.kind === RelocationKind.TypeMatches
      ? typesMatch(local.btf, local.rootTypeId, tb, targId, false, MAX_LEVEL)
      : typesAreCompat(local.btf, local.rootTypeId, tb, targId, MAX_LEVEL);
    return { verdict: matched, spec };
  }
  if (fam === 'enumval') return { verdict: enumvalMatch(local, tb, targId, spec), spec };
  let id = targId;
  for (let i = 0; i < local.accessors.length; i++) {
    const la = local.accessors[i];
    id = tb.resolve(id);
    if (la.name) {
      const next = { id };
      const m = matchMember(local.btf, la, tb, id, spec, next);
      if (m !== 'match') return { verdict: m, spec };
      id = next.id;
    } else {
      // The root accessor indexes the root type itself; later ones need an array here.
      if (i > 0) {
        if (tb.kind(id) !== Kind.Array) return { verdict: 'mismatch', spec };
        const a = tb.type(id) as ArrayType;
        if (!isFlexArray(tb, spec.accessors[spec.accessors.length - 1], a) && la.idx >= a.nelems) return { verdict: 'mismatch', spec };
        id = tb.resolve(a.type);
      }
      if (spec.raw.length === SPEC_MAX_LEN) return { verdict: 'error', spec };
      spec.accessors.push({ typeId: id, idx: la.idx });
      spec.raw.push(la.idx);
      const size = resolveSize(tb, id);
      if (size < 0) return { verdict: 'error', spec };
      spec.bitOffset += la.idx * size * 8;
    }
  }
  return { verdict: 'match', spec };
}

/** libbpf: the enumerator branch of bpf_core_spec_match. Fills `spec` with the target enumerator on a match. */
function enumvalMatch(local: CoreSpec, tb: Btf, targId: number, spec: CoreSpec): MatchVerdict {
  targId = tb.resolve(targId);
  if (!isAnyEnum(tb.kind(targId))) return 'mismatch';
  const want = local.accessors[0].name!;
  const values = (tb.type(targId) as EnumType).values;
  for (let i = 0; i < values.length; i++) {
    const n = values[i].name;
    if (sameEssentialName(n, want)) {
      spec.accessors.push({ typeId: targId, idx: i, name: n });
      spec.raw.push(i);
      return 'match';
    }
  }
  return 'mismatch';
}

/**
 * One side's value of a relocation, libbpf's val / field_sz / type_id outputs: `size` and `typeId` are
 * the accessed element's, for load/store size adjustment, else 0. `poison` is libbpf's -EUCLEAN: no
 * target, and no value stands in for one.
 */
type SideValue =
  | { kind: 'value'; value: bigint; size: number; typeId: number }
  | { kind: 'poison' }
  | { kind: 'error'; message: string };

const NO_VALUE = { value: 0n, size: 0, typeId: 0 };
/** A value that carries no load/store size. */
const plain = (value: bigint): SideValue => ({ kind: 'value', ...NO_VALUE, value });
const sideError = (message: string): SideValue => ({ kind: 'error', message });
const unsupported = (kind: number) => sideError(`unsupported relocation kind ${kind}`);

/** The element type under any arrays: load/store sizes are per element (part of bpf_core_calc_field_relo). */
function elementSize(btf: Btf, id: number): { size: number; typeId: number } {
  let elem = btf.resolve(id);
  while (btf.kind(elem) === Kind.Array) elem = btf.resolve(btf.extraWord(elem, 0));
  return { size: resolveSize(btf, elem), typeId: elem };
}

/**
 * libbpf: bpf_core_calc_field_relo. The value of a field relocation on one side (undefined spec: no
 * target). An array element has only an offset and a size; a member's offset, size and shifts are
 * those of the smallest aligned load (1, 2, 4 or 8 bytes) that covers it, which for a plain field is the
 * field itself.
 */
function calcField(kind: number, spec: CoreSpec | undefined): SideValue {
  if (kind === RelocationKind.FieldExists) return plain(spec ? 1n : 0n);
  if (!spec) return { kind: 'poison' };
  const btf = spec.btf;
  const acc = spec.accessors[spec.accessors.length - 1];
  if (!acc.name) {
    if (kind === RelocationKind.FieldByteOffset) {
      const e = elementSize(btf, acc.typeId);
      return { kind: 'value', value: BigInt(spec.bitOffset / 8), size: e.size, typeId: acc.typeId };
    }
    if (kind === RelocationKind.FieldByteSize) return plain(BigInt(resolveSize(btf, acc.typeId)));
    return sideError(`relocation ${RELO_KINDS[kind].name} cannot apply to an array element`);
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
      if (byteSize >= 8) return sideError('the bitfield cannot be read with one 64-bit load');
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  } else {
    byteSize = resolveSize(btf, fieldType);
    if (byteSize < 0) return sideError('the field has no size');
    byteOff = Math.floor(bitOff / 8);
    bitSize = byteSize * 8;
  }
  switch (kind) {
    case RelocationKind.FieldByteOffset: {
      if (bitfield) return plain(BigInt(byteOff));
      const e = elementSize(btf, fieldType);
      return { kind: 'value', value: BigInt(byteOff), size: e.size, typeId: fieldType };
    }
    case RelocationKind.FieldByteSize:
      return plain(BigInt(byteSize));
    case RelocationKind.FieldSigned: {
      const fk = btf.kind(fieldType);
      const signed = (isAnyEnum(fk) && btf.kflag(fieldType)) || (fk === Kind.Int && ((btf.type(fieldType) as IntType).encoding & INT_SIGNED) !== 0);
      return plain(signed ? 1n : 0n);
    }
    case RelocationKind.FieldLshiftU64:
      // Little-endian targets; BPF objects for big-endian kernels would need the other formula.
      return plain(BigInt(btf.littleEndian ? 64 - (bitOff + bitSize - byteOff * 8) : (8 - byteSize) * 8 + (bitOff - byteOff * 8)));
    case RelocationKind.FieldRshiftU64:
      return plain(BigInt(64 - bitSize));
    default:
      return unsupported(kind);
  }
}

/** libbpf: bpf_core_calc_type_relo. Without a target every type relocation is 0. */
function calcType(kind: number, spec: CoreSpec | undefined): SideValue {
  switch (kind) {
    case RelocationKind.TypeIdTarget:
      return plain(spec ? BigInt(spec.rootTypeId) : 0n);
    case RelocationKind.TypeExists:
    case RelocationKind.TypeMatches:
      return plain(spec ? 1n : 0n);
    case RelocationKind.TypeSize:
      return plain(spec ? BigInt(resolveSize(spec.btf, spec.rootTypeId)) : 0n);
    default:
      // TypeIdLocal never gets here: resolveRelocation answers it without a target.
      return unsupported(kind);
  }
}

/** libbpf: bpf_core_calc_enumval_relo. An enumerator's value without a target poisons the instruction. */
function calcEnumval(kind: number, spec: CoreSpec | undefined): SideValue {
  switch (kind) {
    case RelocationKind.EnumvalExists:
      return plain(spec ? 1n : 0n);
    case RelocationKind.EnumvalValue: {
      if (!spec) return { kind: 'poison' };
      const a = spec.accessors[0];
      return plain((spec.btf.type(a.typeId) as EnumType).values[a.idx].value);
    }
    default:
      return unsupported(kind);
  }
}

const CALC_BY_FAMILY: Record<ReloFamily, (kind: number, spec: CoreSpec | undefined) => SideValue> = {
  field: calcField,
  type: calcType,
  enumval: calcEnumval,
};

/**
 * libbpf: bpf_core_calc_relo. The original (local) and new (target) values of one relocation. When a
 * field's load/store size differs between the two, only pointers and unsigned integers survive the
 * narrowed or widened access (zero extension keeps their value); anything else is flagged, and libbpf
 * poisons the instruction if it is a load or store.
 */
function calcRelo(kind: number, local: CoreSpec, targ: CoreSpec | undefined): Result<ReloResult> {
  const family = reloFamily(kind);
  const calc = family ? CALC_BY_FAMILY[family] : () => unsupported(kind);
  const o = calc(kind, local);
  if (o.kind === 'error') return fail(o.message);
  const n = calc(kind, targ);
  if (n.kind === 'error') return fail(n.message);
  // The local spec always exists, so only the target side can ask for poison.
  const orig = o.kind === 'value' ? o : NO_VALUE;
  const next = n.kind === 'value' ? n : NO_VALUE;
  const res: ReloResult = { origVal: orig.value, newVal: next.value, poison: n.kind === 'poison', failMemszAdjust: false, origSize: orig.size, newSize: next.size };
  if (n.kind === 'value' && targ && orig.size !== next.size) {
    const lb = local.btf;
    const tb = targ.btf;
    const bothPtr = lb.kind(orig.typeId) === Kind.Ptr && tb.kind(next.typeId) === Kind.Ptr;
    const unsignedInts = lb.kind(orig.typeId) === Kind.Int && tb.kind(next.typeId) === Kind.Int &&
      (lb.type(orig.typeId) as IntType).encoding !== INT_SIGNED && (tb.type(next.typeId) as IntType).encoding !== INT_SIGNED;
    res.failMemszAdjust = !bothPtr && !unsignedInts;
  }
  return ok(res);
}

/**
 * Target candidates for a local type: every type of the target whose name, without flavour, equals the
 * local one's, of a compatible kind, by ascending id (libbpf: bpf_core_add_cands over vmlinux). libbpf
 * scans all target types for each local root type; here names are looked up, flavoured ones through an index.
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
 * libbpf: bpf_core_calc_relo_insn. Resolves one relocation, given its local spec (libbpf parses it here;
 * our callers parse it once for all kernels), against one target's candidate types. libbpf's outline:
 *
 * 1. Candidates are the target types whose name equals the local type's once a `___suffix` flavour is
 *    dropped from either, so `sample`, `sample___v1` and `sample___v2` all stand for one another
 *    (findCandidates). Flavours let a program describe several incompatible layouts of one kernel type,
 *    say before and after a field was renamed, and choose among them with existence checks at run
 *    time; bpftool also adds `___2`, `___3` when a kernel's BTF has two different types of one name.
 * 2. Each candidate is matched against the local spec (specMatch): each named member must be found,
 *    through anonymous members if need be, with a compatible type, and each array index must be in
 *    the target's bounds.
 * 3. More than one candidate may match: BTF deduplication can leave copies of a type that are the same
 *    but for the types their pointers lead to. That is harmless as long as every match gives the same
 *    bit offset, the same value and the same poison decision; if any two disagree, the relocation fails
 *    as ambiguous rather than pick one.
 * 4. libbpf scans the whole target for candidates once per local root type and keeps that list, cut down
 *    to the candidates that matched, for the later relocations of the same type. `candidates` in the
 *    result is that list; resolveObjectRelocations keeps it per type.
 *
 * Around the loop: a local type id needs no target (its value is the local id, whatever the kernel), and
 * an anonymous local type has no name to look up, so it fails. No match at all is not an error by itself:
 * the value is then computed with no target (0 for the existence kinds, else the instruction is
 * poisoned), because code behind a failed CO-RE guard is dead and the verifier drops it; only a poisoned
 * instruction the verifier can reach fails the load.
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
    // Step 2: match the spec against this candidate.
    const { verdict: matched, spec } = specMatch(localSpec, target, candidates[i]);
    if (matched === 'error') return fail(`error matching candidate #${i} [${candidates[i]}] (nesting too deep or a type without size)`);
    if (matched === 'mismatch') continue;
    const r = calcRelo(kind, localSpec, spec);
    if (!r.ok) return r;
    // Step 3: every matching candidate must agree with the first.
    if (!result) result = r.value;
    else if (spec.bitOffset !== matches[0].spec.bitOffset) return fail(`field offset ambiguity: candidates resolve to bit offsets ${spec.bitOffset} and ${matches[0].spec.bitOffset}`);
    else if (r.value.poison !== result.poison || r.value.newVal !== result.newVal) return fail(`relocation decision ambiguity: candidates give ${r.value.newVal} and ${result.newVal}`);
    matches.push({ index: i, spec });
  }
  if (!result) {
    // No candidate matched: the value without a target.
    const r = calcRelo(kind, localSpec, undefined);
    if (!r.ok) return r;
    result = r.value;
  }
  // Step 4: the narrowed candidate list (unchanged when nothing matched).
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
