// pahole's model of a struct or union laid out from BTF, number for number as pahole 1.24 computes it:
// member byte offsets and sizes as btf_loader.c's class__fixup_btf_bitfields sets them, holes as
// dwarves.c's class__find_holes finds them, forced alignments as class__infer_alignment infers them,
// and the summary as dwarves_fprintf.c's __class__fprintf adds it up.
import { Btf } from '../btf/btf';
import { typeName } from '../btf/c-decl';
import { ArrayType, CompositeType } from '../btf/types';
import { Kind, MAX_RESOLVE_DEPTH } from '../btf/wire';

export const CACHELINE = 64;
const ADDR_SIZE = 8;

export interface LayoutMember {
  name: string;
  typeId: number;
  /** The member's type as C text. */
  type: string;
  /** Byte offset as pahole prints it (bitfields: their storage unit's offset). */
  offset: number;
  /** Byte size as pahole prints it (bitfields: their storage unit's size). */
  size: number;
  /** Offset from the start of the struct in bits, as BTF records it. */
  bitOffset: number;
  /** Bitfield width, or null for an ordinary member. */
  bitSize: number | null;
  /** Bit position inside the storage unit, for bitfields. */
  bitfieldOffset: number;
  /** Bytes and bits of hole after this member. */
  hole: number;
  bitHole: number;
  /** An alignment pahole infers was forced (`__attribute__((__aligned__(N)))`), else 0. */
  alignment: number;
  /** Padding at the end of this member's struct type ("XXX last struct has N bytes of padding"). */
  structPadding: number;
  /** Anonymous struct or union members are expanded inline. */
  nested?: Layout;
}

export interface LayoutSummary {
  size: number;
  cachelines: number;
  members: number;
  sumMembers: number;
  holes: number;
  sumHoles: number;
  sumBitfieldMembers: number;
  bitHoles: number;
  sumBitHoles: number;
  padding: number;
  bitPadding: number;
  paddings: number;
  sumPaddings: number;
  forcedAlignments: number;
  forcedHoles: number;
  sumForcedHoles: number;
  lastCacheline: number;
}

export interface Layout {
  id: number;
  name: string;
  kind: 'struct' | 'union';
  size: number;
  members: LayoutMember[];
  preHole: number;
  preBitHole: number;
  /** Inferred `__attribute__((__packed__))`. */
  packed: boolean;
  /** Inferred `__attribute__((__aligned__(N)))` of the whole type, else 0. */
  alignment: number;
  summary: LayoutSummary;
}

/** Strips typedefs and modifiers as pahole's tag__strip_typedefs_and_modifiers does. */
function strip(btf: Btf, id: number): number {
  return btf.resolve(id);
}

/** pahole's tag__size on a stripped member type (empty-base trick: a 1-byte struct with no members is 0). */
function tagSize(btf: Btf, id: number, depth = 0): number {
  if (depth > MAX_RESOLVE_DEPTH * 4) return 0;
  switch (btf.kind(id)) {
    case Kind.Ptr:
      return ADDR_SIZE;
    case Kind.Int:
    case Kind.Enum:
    case Kind.Enum64:
    case Kind.Float:
      return btf.sizeOrType(id);
    case Kind.Struct:
    case Kind.Union:
      return btf.sizeOrType(id) === 1 && btf.vlen(id) === 0 ? 0 : btf.sizeOrType(id);
    case Kind.Array: {
      const a = btf.type(id) as ArrayType;
      return tagSize(btf, a.type, depth + 1) * a.nelems;
    }
    case Kind.Typedef:
    case Kind.Const:
    case Kind.Volatile:
    case Kind.Restrict:
    case Kind.TypeTag:
      return tagSize(btf, btf.sizeOrType(id), depth + 1);
    default:
      return 0;
  }
}

/** pahole's tag__natural_alignment (no cap at the pointer size, unlike libbpf). */
export function naturalAlignment(btf: Btf, id: number, cache = new Map<number, number>(), depth = 0): number {
  if (depth > MAX_RESOLVE_DEPTH * 4) return 1;
  let a = 1;
  switch (btf.kind(id)) {
    case Kind.Ptr:
      a = ADDR_SIZE;
      break;
    case Kind.Int:
    case Kind.Float:
    case Kind.Enum:
    case Kind.Enum64:
      a = btf.sizeOrType(id);
      break;
    case Kind.Struct:
    case Kind.Union: {
      const hit = cache.get(id);
      if (hit !== undefined) return hit;
      cache.set(id, 1); // guards against by-value cycles in corrupt input
      a = 0;
      for (const m of (btf.type(id) as CompositeType).members) a = Math.max(a, naturalAlignment(btf, strip(btf, m.type), cache, depth + 1));
      cache.set(id, a || 1);
      break;
    }
    case Kind.Array:
      a = naturalAlignment(btf, strip(btf, btf.extraWord(id, 0)), cache, depth + 1);
      break;
  }
  return a || 1;
}

/** btf_loader.c's class__infer_alignment. */
function inferAlignment(byteOffset: number, natural: number, smallestOffset: number): number {
  const delta = byteOffset - smallestOffset;
  let alignment = 0;
  if (delta > 0 && byteOffset % 2 === 0) alignment = 2 ** (32 - Math.clz32(delta));
  if (alignment <= natural || alignment === 1) return 0;
  if (alignment < CACHELINE && CACHELINE % alignment === 0 && byteOffset % CACHELINE === 0) return CACHELINE;
  return alignment;
}

export interface LayoutOptions {
  /** Shared natural-alignment cache across layouts of one Btf. */
  alignmentCache?: Map<number, number>;
}

/** The layout of the struct or union `id`; undefined for other kinds. */
export function layoutOf(btf: Btf, id: number, opts: LayoutOptions = {}, depth = 0): Layout | undefined {
  const kind = btf.kind(id);
  if (kind !== Kind.Struct && kind !== Kind.Union) return undefined;
  const cache = opts.alignmentCache ?? new Map<number, number>();
  const t = btf.type(id) as CompositeType;
  const isStruct = kind === Kind.Struct;

  // class__fixup_btf_bitfields
  const members: LayoutMember[] = [];
  let smallestOffset = 0;
  for (const m of t.members) {
    const stripped = strip(btf, m.type);
    const byteSize = tagSize(btf, stripped);
    let offset = Math.floor(m.bitOffset / 8);
    let bitfieldOffset = 0;
    let alignment = 0;
    if (byteSize !== 0) {
      const sk = btf.kind(stripped);
      if ((sk === Kind.Int || sk === Kind.Enum || sk === Kind.Enum64 || sk === Kind.Float) && m.bitSize) {
        const bits = byteSize * 8;
        offset = (Math.floor(m.bitOffset / bits) * bits) / 8;
        bitfieldOffset = m.bitOffset - offset * 8;
      }
      alignment = inferAlignment(offset, naturalAlignment(btf, stripped, cache), smallestOffset);
      smallestOffset = offset + byteSize;
    }
    // pahole expands a member whose struct or union type has no name, named member or not.
    const anonymous = (btf.kind(m.type) === Kind.Struct || btf.kind(m.type) === Kind.Union) && btf.name(m.type) === '';
    members.push({
      name: m.name,
      typeId: m.type,
      type: typeName(btf, m.type),
      offset,
      size: byteSize,
      bitOffset: m.bitOffset,
      bitSize: m.bitSize ? m.bitSize : null,
      bitfieldOffset,
      hole: 0,
      bitHole: 0,
      alignment,
      structPadding: 0,
      nested: anonymous && depth < MAX_RESOLVE_DEPTH ? layoutOf(btf, m.type, { alignmentCache: cache }, depth + 1) : undefined,
    });
  }
  const typeAlignment = inferAlignment(t.size, naturalAlignment(btf, id, cache), smallestOffset);

  const holes = isStruct ? findHoles(t.size, members) : { preHole: 0, preBitHole: 0, nrHoles: 0, nrBitHoles: 0, padding: 0, bitPadding: 0 };

  // Padding of members whose type is a struct (not through a typedef), as __class__fprintf reports it.
  if (isStruct) {
    for (const m of members) {
      if (btf.kind(m.typeId) === Kind.Struct && depth < MAX_RESOLVE_DEPTH) {
        const inner = m.nested ?? structPaddingOnly(btf, m.typeId);
        m.structPadding = typeof inner === 'number' ? inner : inner.summary.padding;
      }
    }
  }

  const summary = summarize(t.size, members, holes, isStruct);
  return {
    id,
    name: t.name,
    kind: isStruct ? 'struct' : 'union',
    size: t.size,
    members,
    preHole: holes.preHole,
    preBitHole: holes.preBitHole,
    packed: isStruct && inferPacked(btf, t.size, members, holes, typeAlignment, cache),
    alignment: typeAlignment,
    summary,
  };
}

/** Trailing padding of a struct type, without laying out its members' types. */
function structPaddingOnly(btf: Btf, id: number): number {
  const t = btf.type(id) as CompositeType;
  const ms = t.members.map((m) => {
    const stripped = strip(btf, m.type);
    const size = tagSize(btf, stripped);
    const sk = btf.kind(stripped);
    let offset = Math.floor(m.bitOffset / 8);
    if (size && m.bitSize && (sk === Kind.Int || sk === Kind.Enum || sk === Kind.Enum64 || sk === Kind.Float)) {
      offset = (Math.floor(m.bitOffset / (size * 8)) * size * 8) / 8;
    }
    return { offset, size, bitOffset: m.bitOffset, bitSize: m.bitSize || null, hole: 0, bitHole: 0 };
  });
  return findHoles(t.size, ms).padding;
}

interface HoleResult {
  preHole: number;
  preBitHole: number;
  nrHoles: number;
  nrBitHoles: number;
  padding: number;
  bitPadding: number;
}

type HoleMember = Pick<LayoutMember, 'offset' | 'size' | 'bitOffset' | 'bitSize' | 'hole' | 'bitHole'>;

/** dwarves.c's class__find_holes, on the members' fixed-up offsets; fills each member's hole and bitHole. */
function findHoles(structSize: number, members: HoleMember[]): HoleResult {
  let curBitfieldEnd = structSize * 8;
  let curBitfieldSize = 0;
  let lastSeenBit = 0;
  let inBitfield = false;
  let last: HoleMember | undefined;
  const r: HoleResult = { preHole: 0, preBitHole: 0, nrHoles: 0, nrBitHoles: 0, padding: 0, bitPadding: 0 };
  for (const pos of members) {
    pos.hole = 0;
    pos.bitHole = 0;
    const bitStart = pos.bitOffset;
    const bitfieldSize = pos.bitSize ?? 0;
    const bitEnd = bitStart + (bitfieldSize ? bitfieldSize : pos.size * 8);
    let bitHoles = 0;
    let byteHoles = 0;
    if (inBitfield) {
      const bitfieldEnd = Math.min(bitStart, curBitfieldEnd);
      bitHoles = bitfieldEnd - lastSeenBit;
      lastSeenBit = bitfieldEnd;
    }
    if (bitfieldSize) {
      const alignedStart = pos.offset * 8;
      if (lastSeenBit < alignedStart && alignedStart <= bitStart) {
        byteHoles = pos.offset - Math.floor(lastSeenBit / 8);
        lastSeenBit = alignedStart;
      }
      bitHoles += bitStart - lastSeenBit;
    } else {
      byteHoles = Math.floor(bitStart / 8) - Math.floor(lastSeenBit / 8);
    }
    lastSeenBit = bitEnd;

    if (bitfieldSize) {
      inBitfield = true;
      const bitSize = pos.size * 8; // pahole's member bit_size: the storage unit in bits
      if (bitEnd > curBitfieldEnd || bitSize > curBitfieldSize) {
        curBitfieldSize = bitSize;
        curBitfieldEnd = pos.offset * 8 + curBitfieldSize;
        if (bitEnd > curBitfieldEnd) curBitfieldEnd += curBitfieldSize;
      }
    } else {
      inBitfield = false;
      curBitfieldSize = 0;
      curBitfieldEnd = bitEnd;
    }

    // pahole keeps these in unsigned fields: a negative result (overlapping members) wraps.
    if (last) {
      last.hole = toU16(byteHoles);
      last.bitHole = toU8(bitHoles);
    } else {
      r.preHole = toU16(byteHoles);
      r.preBitHole = toU8(bitHoles);
    }
    if (bitHoles) r.nrBitHoles = toU8(r.nrBitHoles + 1);
    if (byteHoles) r.nrHoles = toU8(r.nrHoles + 1);
    last = pos;
  }
  if (inBitfield) {
    const bitfieldEnd = Math.min(structSize * 8, curBitfieldEnd);
    r.bitPadding = toU8(bitfieldEnd - lastSeenBit);
    lastSeenBit = bitfieldEnd;
  }
  r.padding = toU16(structSize - Math.floor(lastSeenBit / 8));
  return r;
}

// pahole 1.24 keeps holes in uint16_t and bit holes, hole counts and bit padding in uint8_t fields.
const toU16 = (n: number) => ((n % 65536) + 65536) % 65536;
const toU8 = (n: number) => ((n % 256) + 256) % 256;

function summarize(size: number, members: LayoutMember[], h: HoleResult, isStruct: boolean): LayoutSummary {
  let sumBytes = 0;
  let sumBits = 0;
  let sumHoles = 0;
  let sumBitHoles = 0;
  let paddings = 0;
  let sumPaddings = 0;
  let forced = 0;
  let forcedHoles = 0;
  let sumForcedHoles = 0;
  if (h.preBitHole > 0) sumBitHoles += h.preBitHole;
  if (h.preHole > 0) sumHoles += h.preHole;
  let last: LayoutMember | undefined;
  for (const pos of members) {
    if (pos.alignment !== 0) {
      const forcedHole = last ? last.hole : h.preHole;
      if (forcedHole !== 0) {
        forcedHoles++;
        sumForcedHoles += forcedHole;
      }
      forced++;
    }
    if (pos.structPadding > 0) {
      paddings++;
      sumPaddings += pos.structPadding;
    }
    if (pos.bitHole !== 0) sumBitHoles += pos.bitHole;
    if (pos.hole > 0) sumHoles += pos.hole;
    if (pos.bitSize) sumBits += pos.bitSize;
    else sumBytes += pos.size;
    last = pos;
  }
  const showSums = isStruct && (sumHoles > 0 || sumBitHoles > 0);
  return {
    size,
    cachelines: Math.ceil(size / CACHELINE),
    members: members.length,
    // "zero where pahole omits the line": the sums line appears only when there are holes.
    sumMembers: showSums && sumBytes > 0 ? sumBytes : 0,
    holes: showSums && sumBytes > 0 && sumHoles > 0 ? h.nrHoles : 0,
    sumHoles: showSums && sumBytes > 0 ? sumHoles : 0,
    sumBitfieldMembers: showSums && sumBits > 0 ? sumBits : 0,
    bitHoles: showSums && sumBits > 0 && sumBitHoles > 0 ? h.nrBitHoles : 0,
    sumBitHoles: showSums && sumBits > 0 ? sumBitHoles : 0,
    padding: isStruct ? h.padding : 0,
    bitPadding: isStruct ? h.bitPadding : 0,
    paddings: isStruct ? paddings : 0,
    sumPaddings: isStruct ? sumPaddings : 0,
    forcedAlignments: isStruct ? forced : 0,
    forcedHoles: isStruct ? forcedHoles : 0,
    sumForcedHoles: isStruct ? sumForcedHoles : 0,
    lastCacheline: size % CACHELINE,
  };
}

/** dwarves.c's class__infer_packed_attributes, for this type alone. */
function inferPacked(btf: Btf, size: number, members: LayoutMember[], h: HoleResult, typeAlignment: number, cache: Map<number, number>): boolean {
  if (h.padding !== 0 || h.nrHoles !== 0) return false;
  let maxNatural = 1;
  for (const m of members) {
    const natural = naturalAlignment(btf, strip(btf, m.typeId), cache);
    if (natural === 1) continue;
    maxNatural = Math.max(maxNatural, natural);
    if (m.offset % natural !== 0) return true;
  }
  return (maxNatural !== 1 && typeAlignment === 1) || size % maxNatural !== 0;
}
