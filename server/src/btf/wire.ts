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

/** Number of words a record of this kind carries after its 3-word header; -1 for an unknown kind. */
export function extraWords(kind: Kind, vlen: number): number {
  switch (kind) {
    case Kind.Int:
    case Kind.Var:
    case Kind.DeclTag:
      return 1;
    case Kind.Array:
      return 3;
    case Kind.Struct:
    case Kind.Union:
    case Kind.Datasec:
    case Kind.Enum64:
      return 3 * vlen;
    case Kind.Enum:
    case Kind.FuncProto:
      return 2 * vlen;
    case Kind.Ptr:
    case Kind.Fwd:
    case Kind.Typedef:
    case Kind.Volatile:
    case Kind.Const:
    case Kind.Restrict:
    case Kind.Func:
    case Kind.Float:
    case Kind.TypeTag:
      return 0;
    default:
      return -1;
  }
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
