// A hash index from type name to type ids, built from the raw name bytes in one pass (no string is
// decoded), so that lookups by name cost a hash and a few byte compares instead of a scan of every type.
import { infoKind } from './wire';
import type { Kind } from './wire';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 16777619;

export class NameIndex {
  /** Open-addressing table of (own type index + 1); 0 marks an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly words: Uint32Array,
    private readonly offsets: Uint32Array,
    private readonly strings: Uint8Array,
    private readonly strBase: number,
    private readonly firstId: number,
    /** Where names below strBase live (split BTF names may point into the base's strings). */
    private readonly baseStrings?: (off: number) => Uint8Array,
  ) {
    let size = 1024;
    while (size < offsets.length * 2) size <<= 1;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < offsets.length; i++) {
      const off = words[offsets[i]];
      if (off === 0) continue;
      let slot = this.hashAt(off) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = i + 1;
    }
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

  private hashAt(off: number): number {
    let h = FNV_OFFSET;
    if (off < this.strBase) {
      const b = this.bytesAt(off);
      for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], FNV_PRIME);
    } else {
      // The hot path at load: walk the bytes in place rather than making a view per name.
      const s = this.strings;
      for (let i = off - this.strBase, c = s[i]; c !== 0; c = s[++i]) h = Math.imul(h ^ c, FNV_PRIME);
    }
    return h >>> 0;
  }

  /** Ids of this blob's types named `name`, optionally of one kind, ascending. */
  lookup(name: string, kind?: Kind): number[] {
    let h = FNV_OFFSET;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ (name.charCodeAt(i) & 0xff), FNV_PRIME);
    const out: number[] = [];
    for (let slot = (h >>> 0) & this.mask; this.slots[slot] !== 0; slot = (slot + 1) & this.mask) {
      const i = this.slots[slot] - 1;
      const at = this.offsets[i];
      if (kind !== undefined && infoKind(this.words[at + 1]) !== kind) continue;
      const b = this.bytesAt(this.words[at]);
      if (b.length !== name.length) continue;
      let same = true;
      for (let k = 0; k < b.length && same; k++) same = b[k] === (name.charCodeAt(k) & 0xff);
      if (same) out.push(this.firstId + i);
    }
    return out.sort((a, b) => a - b);
  }
}
