// A validated BTF blob with lazy accessors. Nothing is decoded until asked: the constructor only keeps
// the word offsets that parseBtf computed. Decoded types are cached per id.
import { NameIndex, NamedRecords } from './name-index';
import { BtfType, CompositeType, Member } from './types';
import { INT_BOOL, INT_CHAR, INT_SIGNED, Kind, MAX_RESOLVE_DEPTH, infoKflag, infoKind, infoVlen, isModifierOrTypedef } from './wire';

export interface BtfParts extends NamedRecords {
  source: string;
  base?: Btf;
  littleEndian: boolean;
}

export class Btf {
  readonly source: string;
  readonly base: Btf | undefined;
  /** First id this blob defines: 1 for a base BTF, the base's typeCount for split BTF. */
  readonly firstId: number;
  /** Ids run from 0 (void) to typeCount - 1, base ids included. */
  readonly typeCount: number;
  readonly littleEndian: boolean;
  /** String offset of this blob's first string (the base's string length for split BTF). */
  readonly strBase: number;
  private readonly words: Uint32Array;
  private readonly offsets: Uint32Array;
  private readonly strings: Uint8Array;
  private readonly decoded: (BtfType | undefined)[] = [];
  private readonly stringCache = new Map<number, string>();
  private byKindNames: Map<Kind, { name: string; id: number }[]> | undefined;
  private readonly names: NameIndex;
  private pointerSizeCache = 0;

  constructor(p: BtfParts) {
    this.source = p.source;
    this.base = p.base;
    this.firstId = p.firstId;
    this.words = p.words;
    this.offsets = p.offsets;
    this.strings = p.strings;
    this.strBase = p.strBase;
    this.littleEndian = p.littleEndian;
    this.typeCount = p.firstId + p.offsets.length;
    const base = p.base; // the closure keeps the base only, not the parts (namedNonFunctions is load-time scratch)
    this.names = new NameIndex(p, base && ((off) => base.stringBytes(off)));
  }

  /** Offset one past the last string: where a split BTF on top of this one starts its strings. */
  get stringsEnd(): number {
    return this.strBase + this.strings.length;
  }

  /** Types this blob itself defines (without void and without the base's). */
  get ownTypeCount(): number {
    return this.offsets.length;
  }

  // ---- raw record access (ids assumed valid: callers get them from this Btf) ----

  private owner(id: number): Btf {
    let b: Btf = this;
    while (id < b.firstId && b.base) b = b.base;
    return b;
  }
  private at(id: number): number {
    return this.offsets[id - this.firstId];
  }
  private rawWord(id: number, w: number): number {
    const o = this.owner(id);
    return o.words[o.at(id) + w];
  }

  kind(id: number): Kind {
    if (id === 0) return Kind.Unknown;
    return infoKind(this.rawWord(id, 1));
  }
  vlen(id: number): number {
    return id === 0 ? 0 : infoVlen(this.rawWord(id, 1));
  }
  kflag(id: number): boolean {
    return id === 0 ? false : infoKflag(this.rawWord(id, 1));
  }
  nameOff(id: number): number {
    return id === 0 ? 0 : this.rawWord(id, 0);
  }
  name(id: number): string {
    return this.str(this.nameOff(id));
  }
  /** The size (INT, STRUCT, UNION, ENUM, FLOAT, DATASEC) or type id (the others) header word. */
  sizeOrType(id: number): number {
    return id === 0 ? 0 : this.rawWord(id, 2);
  }
  /** Word `i` after the 3-word header of a record (member, parameter, enumerator... data). */
  extraWord(id: number, i: number): number {
    return this.rawWord(id, 3 + i);
  }

  /** The NUL-terminated string at a string-section offset (split BTF offsets continue the base's). */
  str(off: number): string {
    if (off < this.strBase) return this.base ? this.base.str(off) : '';
    const cached = this.stringCache.get(off);
    if (cached !== undefined) return cached;
    const s = this.strings;
    let end = off - this.strBase;
    while (s[end] !== 0) end++;
    // A native call per chunk rather than per byte: a first hover decodes thousands of names. Chunks keep
    // the argument count small whatever a file's string lengths.
    let out = '';
    for (let i = off - this.strBase; i < end; i += 4096) {
      out += String.fromCharCode.apply(null, s.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
    }
    this.stringCache.set(off, out);
    return out;
  }

  // ---- decoded model ----

  type(id: number): BtfType {
    const o = this.owner(id);
    if (o !== this) return o.type(id);
    if (id === 0) return { kind: Kind.Unknown, id: 0, name: 'void' };
    let t = this.decoded[id];
    if (!t) {
      t = this.decode(id);
      this.decoded[id] = t;
    }
    return t;
  }

  private decode(id: number): BtfType {
    const kind = this.kind(id);
    const name = this.name(id);
    const third = this.sizeOrType(id);
    const vlen = this.vlen(id);
    const kflag = this.kflag(id);
    const w = (i: number) => this.extraWord(id, i);
    switch (kind) {
      case Kind.Int: {
        const enc = w(0);
        const e = (enc >>> 24) & 0x0f;
        return {
          kind, id, name, size: third, bits: enc & 0xff, bitOffset: (enc >>> 16) & 0xff,
          signed: (e & INT_SIGNED) !== 0, char: (e & INT_CHAR) !== 0, bool: (e & INT_BOOL) !== 0, encoding: e,
        };
      }
      case Kind.Ptr:
      case Kind.Typedef:
      case Kind.Volatile:
      case Kind.Const:
      case Kind.Restrict:
      case Kind.TypeTag:
        return { kind, id, name, type: third };
      case Kind.Array:
        return { kind, id, name, type: w(0), indexType: w(1), nelems: w(2) };
      case Kind.Struct:
      case Kind.Union: {
        const members: Member[] = [];
        for (let i = 0; i < vlen; i++) {
          const off = w(3 * i + 2);
          members.push({
            name: this.str(w(3 * i)),
            type: w(3 * i + 1),
            bitOffset: kflag ? off & 0xffffff : off,
            bitSize: kflag ? off >>> 24 : 0,
          });
        }
        return { kind, id, name, size: third, kflag, members };
      }
      case Kind.Enum: {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const raw = w(2 * i + 1);
          values.push({ name: this.str(w(2 * i)), value: BigInt(kflag ? raw | 0 : raw >>> 0) });
        }
        return { kind, id, name, size: third, signed: kflag, values };
      }
      case Kind.Enum64: {
        const values = [];
        for (let i = 0; i < vlen; i++) {
          const v = (BigInt(w(3 * i + 2)) << 32n) | BigInt(w(3 * i + 1));
          values.push({ name: this.str(w(3 * i)), value: kflag ? BigInt.asIntN(64, v) : v });
        }
        return { kind, id, name, size: third, signed: kflag, values };
      }
      case Kind.Fwd:
        return { kind, id, name, union: kflag };
      case Kind.Func:
        return { kind, id, name, type: third, linkage: vlen };
      case Kind.FuncProto: {
        const params = [];
        for (let i = 0; i < vlen; i++) params.push({ name: this.str(w(2 * i)), type: w(2 * i + 1) });
        return { kind, id, name, returnType: third, params };
      }
      case Kind.Var:
        return { kind, id, name, type: third, linkage: w(0) };
      case Kind.Datasec: {
        const vars = [];
        for (let i = 0; i < vlen; i++) vars.push({ type: w(3 * i), offset: w(3 * i + 1), size: w(3 * i + 2) });
        return { kind, id, name, size: third, vars };
      }
      case Kind.Float:
        return { kind, id, name, size: third };
      case Kind.DeclTag:
        return { kind, id, name, type: third, componentIdx: w(0) | 0 };
      default:
        return { kind: Kind.Unknown, id, name };
    }
  }

  // ---- lookup ----

  /** Ids of the types named `name` (optionally of one kind), lowest id first, base types included. */
  findByName(name: string, kind?: Kind): number[] {
    const own = this.names.lookup(name, kind);
    return this.base ? [...this.base.findByName(name, kind), ...own] : own;
  }

  /** The first type of this name and kind, as `pahole -C` picks it (lowest id). */
  findFirst(name: string, kind?: Kind): number | undefined {
    return this.findByName(name, kind)[0];
  }

  /** The first type of this name among some kinds (a struct or a union): asking by kind spares hashing functions' names. */
  findFirstOf(name: string, kinds: readonly Kind[]): number | undefined {
    let first: number | undefined;
    for (const kind of kinds) {
      const id = this.findFirst(name, kind);
      if (id !== undefined && (first === undefined || id < first)) first = id;
    }
    return first;
  }

  /** The raw bytes of a string (without its NUL), wherever in the base chain it lives. */
  private stringBytes(off: number): Uint8Array {
    if (off < this.strBase) return this.base ? this.base.stringBytes(off) : new Uint8Array(0);
    const start = off - this.strBase;
    const end = this.strings.indexOf(0, start);
    return this.strings.subarray(start, end < 0 ? this.strings.length : end);
  }

  /** Every named type of a kind, sorted by name; built on first use and cached (completion lists). */
  namesOfKind(kind: Kind): readonly { name: string; id: number }[] {
    if (!this.byKindNames) this.byKindNames = new Map();
    let list = this.byKindNames.get(kind);
    if (!list) {
      list = [];
      for (let id = 1; id < this.typeCount; id++) {
        if (this.kind(id) !== kind) continue;
        const off = this.nameOff(id);
        if (off !== 0) list.push({ name: this.str(off), id });
      }
      list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
      this.byKindNames.set(kind, list);
    }
    return list;
  }

  // ---- resolution, sizes and alignment (libbpf's btf__resolve_type, btf__resolve_size, btf__align_of) ----

  /** Follows typedef/const/volatile/restrict/type_tag to the underlying type. */
  resolve(id: number): number {
    for (let depth = 0; depth < MAX_RESOLVE_DEPTH && id !== 0 && isModifierOrTypedef(this.kind(id)); depth++) id = this.sizeOrType(id);
    return id;
  }

  /** Follows const/volatile/restrict/type_tag only, keeping typedef names. */
  skipModifiers(id: number): number {
    for (let depth = 0; depth < MAX_RESOLVE_DEPTH && id !== 0; depth++) {
      const k = this.kind(id);
      if (k !== Kind.Const && k !== Kind.Volatile && k !== Kind.Restrict && k !== Kind.TypeTag) break;
      id = this.sizeOrType(id);
    }
    return id;
  }

  /** Size of a pointer in this BTF: that of `long`, as libbpf's determine_ptr_size guesses; 8 by default. */
  get pointerSize(): number {
    if (!this.pointerSizeCache) {
      this.pointerSizeCache = 8;
      for (const n of ['long int', 'long unsigned int', 'long', 'unsigned long']) {
        const id = this.findFirst(n, Kind.Int);
        if (id !== undefined) {
          this.pointerSizeCache = this.sizeOrType(id);
          break;
        }
      }
    }
    return this.pointerSizeCache;
  }

  /** Byte size of a type; 0 for void, functions and forward declarations. */
  sizeOf(id: number): number {
    return this.resolveSize(id) ?? 0;
  }

  /** libbpf's btf__resolve_size: the byte size, or undefined for void, functions, forward declarations and loops. */
  resolveSize(id: number): number | undefined {
    let mult = 1;
    for (let depth = 0; depth < MAX_RESOLVE_DEPTH * 4; depth++) {
      switch (this.kind(id)) {
        case Kind.Int:
        case Kind.Struct:
        case Kind.Union:
        case Kind.Enum:
        case Kind.Enum64:
        case Kind.Float:
        case Kind.Datasec:
          return mult * this.sizeOrType(id);
        case Kind.Ptr:
          return mult * this.pointerSize;
        case Kind.Typedef:
        case Kind.Volatile:
        case Kind.Const:
        case Kind.Restrict:
        case Kind.TypeTag:
        case Kind.Var:
          id = this.sizeOrType(id);
          break;
        case Kind.Array:
          mult *= this.extraWord(id, 2);
          id = this.extraWord(id, 0);
          break;
        default:
          return undefined;
      }
    }
    return undefined;
  }

  /** Natural alignment as libbpf's btf__align_of computes it (1 for packed structs). */
  alignOf(id: number, depth = 0): number {
    if (depth > MAX_RESOLVE_DEPTH * 4) return 1;
    switch (this.kind(id)) {
      case Kind.Int:
      case Kind.Enum:
      case Kind.Enum64:
      case Kind.Float:
        return Math.min(this.pointerSize, this.sizeOrType(id));
      case Kind.Ptr:
        return this.pointerSize;
      case Kind.Typedef:
      case Kind.Volatile:
      case Kind.Const:
      case Kind.Restrict:
      case Kind.TypeTag:
        return this.alignOf(this.sizeOrType(id), depth + 1);
      case Kind.Array:
        return this.alignOf(this.extraWord(id, 0), depth + 1);
      case Kind.Struct:
      case Kind.Union: {
        const t = this.type(id) as CompositeType;
        let max = 1;
        for (const m of t.members) {
          const a = this.alignOf(m.type, depth + 1);
          max = Math.max(max, a);
          if (m.bitSize === 0 && m.bitOffset % (8 * a) !== 0) return 1;
        }
        return t.size % max !== 0 ? 1 : max;
      }
      default:
        return 1;
    }
  }
}
