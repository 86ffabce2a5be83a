// The BTF wire format as the kernel defines it (include/uapi/linux/btf.h).
// Every type record is a run of 32-bit words: a 3-word header (name_off, info, size/type)
// followed by kind-specific words, so a whole type section can be byte-swapped word by word.

export const BTF_MAGIC = 0xeb9f;
export const BTF_HEADER_MIN = 24;
/** libbpf's MAX_RESOLVE_DEPTH: longest modifier/typedef chain followed before giving up. */
export const MAX_RESOLVE_DEPTH = 32;

export enum Kind {
  Unknown = 0,
  Int = 1,
  Ptr = 2,
  Array = 3,
  Struct = 4,
  Union = 5,
  Enum = 6,
  Fwd = 7,
  Typedef = 8,
  Volatile = 9,
  Const = 10,
  Restrict = 11,
  Func = 12, // added ~5.0
  FuncProto = 13,
  Var = 14, // added ~5.2
  Datasec = 15,
  Float = 16, // added ~5.13
  DeclTag = 17, // added ~5.16
  TypeTag = 18, // added ~5.17
  Enum64 = 19, // added ~6.0
}
export const MAX_KIND = Kind.Enum64;

/** Kind names as bpftool and libbpf print them. */
export const KIND_NAMES: readonly string[] = [
  'UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE',
  'CONST', 'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
];

/** BTF_INT_ENCODING bits. */
export const INT_SIGNED = 1;
export const INT_CHAR = 2;
export const INT_BOOL = 4;

export const infoKind = (info: number): Kind => (info >>> 24) & 0x1f;
export const infoVlen = (info: number): number => info & 0xffff;
export const infoKflag = (info: number): boolean => info >>> 31 === 1;

/** Words a record of each kind carries after its 3-word header: fixed, and per vlen entry. */
const RECORD_SHAPES: readonly [kind: Kind, fixed: number, perVlen: number][] = [
  [Kind.Int, 1, 0], [Kind.Ptr, 0, 0], [Kind.Array, 3, 0], [Kind.Struct, 0, 3], [Kind.Union, 0, 3],
  [Kind.Enum, 0, 2], [Kind.Fwd, 0, 0], [Kind.Typedef, 0, 0], [Kind.Volatile, 0, 0], [Kind.Const, 0, 0],
  [Kind.Restrict, 0, 0], [Kind.Func, 0, 0], [Kind.FuncProto, 0, 2], [Kind.Var, 1, 0], [Kind.Datasec, 0, 3],
  [Kind.Float, 0, 0], [Kind.DeclTag, 1, 0], [Kind.TypeTag, 0, 0], [Kind.Enum64, 0, 3],
];

/**
 * The same shapes as tables indexed by the 5-bit kind field: -1 fixed words for an unknown kind. The
 * loader's first pass reads them for every record before the JIT has optimised it, where a table costs
 * fewer bytecodes than a switch.
 */
export const RECORD_FIXED_WORDS = new Int8Array(32).fill(-1);
export const RECORD_WORDS_PER_VLEN = new Int8Array(32);
for (const [kind, fixed, perVlen] of RECORD_SHAPES) {
  RECORD_FIXED_WORDS[kind] = fixed;
  RECORD_WORDS_PER_VLEN[kind] = perVlen;
}

/** Number of words a record of this kind carries after its 3-word header; -1 for an unknown kind. */
export function extraWords(kind: Kind, vlen: number): number {
  const fixed = kind >= 0 && kind < 32 ? RECORD_FIXED_WORDS[kind] : -1;
  return fixed < 0 ? -1 : fixed + RECORD_WORDS_PER_VLEN[kind] * vlen;
}

/** Kinds whose third header word is a type id (the rest carry a size there). */
export function headerRefersToType(kind: Kind): boolean {
  switch (kind) {
    case Kind.Ptr:
    case Kind.Typedef:
    case Kind.Volatile:
    case Kind.Const:
    case Kind.Restrict:
    case Kind.Func:
    case Kind.FuncProto:
    case Kind.Var:
    case Kind.DeclTag:
    case Kind.TypeTag:
      return true;
    default:
      return false;
  }
}

/** Kinds that only qualify or rename another type: followed when resolving to the underlying type. */
export function isModifierOrTypedef(kind: Kind): boolean {
  return kind === Kind.Typedef || kind === Kind.Volatile || kind === Kind.Const || kind === Kind.Restrict || kind === Kind.TypeTag;
}
