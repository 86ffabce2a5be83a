// A hash index from type name to type ids, built from the raw name bytes (no string is decoded), so that
// lookups by name cost a hash and a few byte compares instead of a scan of every type. It is two tables:
// functions' names, four in five of a kernel's names (56,000 of 71,000 in 6.18), are hashed only when a
// lookup could return a function; the other names are hashed at load. A hover on a type or `ebpf-ls
// layout` thus never pays for the functions' names.
import { Kind, infoKind } from './wire';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;

/** What the index reads: a blob's records and strings. */
export interface NamedRecords {
  words: Uint32Array;
  offsets: Uint32Array;
  /** Own indices of the named records that are not functions (parse.ts gathers them on its first pass). */
  namedNonFunctions: Uint32Array;
  strings: Uint8Array;
  /** String offset of the blob's first string (the base's string length for split BTF). */
  strBase: number;
  firstId: number;
}

export class NameIndex {
  private readonly words: Uint32Array;
  private readonly offsets: Uint32Array;
  private readonly strings: Uint8Array;
  private readonly strBase: number;
  private readonly firstId: number;
  /** Open-addressing tables of (own type index + 1), 0 marking an empty slot; a power of two long. */
  private readonly otherSlots: Int32Array;
  private funcSlots: Int32Array | undefined;

  constructor(
    r: NamedRecords,
    /** Where names below strBase live (split BTF names may point into the base's strings). */
    private readonly baseStrings?: (off: number) => Uint8Array,
  ) {
    this.words = r.words;
    this.offsets = r.offsets;
    this.strings = r.strings;
    this.strBase = r.strBase;
    this.firstId = r.firstId;
    this.otherSlots = this.table(r.namedNonFunctions);
  }

  /** Own indices of the named functions, in one pass over the records. */
  private namedFunctions(): Uint32Array {
    const { words, offsets } = this;
    const func = Kind.Func;
    const named = new Uint32Array(offsets.length); // allocated at the bound; the unused tail is never touched
    let n = 0;
    for (let i = 0; i < offsets.length; i++) {
      const at = offsets[i];
      if (words[at] !== 0 && ((words[at + 1] >>> 24) & 0x1f) === func) named[n++] = i;
    }
    return named.subarray(0, n);
  }

  /**
   * A table of `members`, sized once for them. At load this loop runs before the JIT has optimised
   * anything, so names in this blob's strings are hashed inline rather than by a call per name.
   */
  private table(members: Uint32Array): Int32Array {
    const { words, offsets, strings, strBase } = this;
    let size = 1024;
    while (size < members.length * 2) size <<= 1;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let m = 0; m < members.length; m++) {
      const i = members[m];
      const off = words[offsets[i]];
      let h = FNV_OFFSET;
      if (off < strBase) h = this.hashAt(off);
      else for (let k = off - strBase, c = strings[k]; c !== 0; c = strings[++k]) h = Math.imul(h ^ c, FNV_PRIME);
      let slot = (h >>> 0) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
    }
    return slots;
  }

  /** Bytes of the string at `off` up to (not including) its NUL, as a view. */
  private bytesAt(off: number): Uint8Array {
    if (off < this.strBase) return this.baseStrings ? this.baseStrings(off) : new Uint8Array(0);
    const s = this.strings;
    const start = off - this.strBase;
    let end = start;
    while (s[end] !== 0) end++;
    return s.subarray(start, end);
  }

  /** The hash of a name in the base's strings (split BTF). */
  private hashAt(off: number): number {
    const b = this.bytesAt(off);
    let h = FNV_OFFSET;
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], FNV_PRIME);
    return h >>> 0;
  }

  /** Ids of this blob's types named `name`, optionally of one kind, ascending. */
  lookup(name: string, kind?: Kind): number[] {
    let h = FNV_OFFSET;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ (name.charCodeAt(i) & 0xff), FNV_PRIME);
    const out: number[] = [];
    if (kind !== Kind.Func) this.collect(this.otherSlots, h >>> 0, name, kind, out);
    if (kind === undefined || kind === Kind.Func) this.collect((this.funcSlots ??= this.table(this.namedFunctions())), h >>> 0, name, kind, out);
    return out.sort((a, b) => a - b);
  }

  /** Appends the ids in `slots` named `name` (of `kind`, if given) whose name hashes to `hash`. */
  private collect(slots: Int32Array, hash: number, name: string, kind: Kind | undefined, out: number[]): void {
    const mask = slots.length - 1;
    for (let slot = hash & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      const i = slots[slot] - 1;
      const at = this.offsets[i];
      if (kind !== undefined && infoKind(this.words[at + 1]) !== kind) continue;
      const b = this.bytesAt(this.words[at]);
      if (b.length !== name.length) continue;
      let same = true;
      for (let k = 0; k < b.length && same; k++) same = b[k] === (name.charCodeAt(k) & 0xff);
      if (same) out.push(this.firstId + i);
    }
  }
}
