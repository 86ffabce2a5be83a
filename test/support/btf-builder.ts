// Builds small raw BTF blobs by hand, to test what real files never contain (loops, lies, bad ids).
export interface RawType {
  name?: string;
  kind: number;
  vlen?: number;
  kflag?: boolean;
  /** size or type id */
  third: number;
  /** Words after the header; a string stands for its name offset. */
  extra?: (number | string)[];
}

export function buildBtf(types: RawType[], opts: { littleEndian?: boolean } = {}): Buffer {
  const le = opts.littleEndian ?? true;
  const strs: string[] = [''];
  const offs = new Map<string, number>([['', 0]]);
  let strLen = 1;
  const str = (s: string) => {
    if (!offs.has(s)) {
      offs.set(s, strLen);
      strs.push(s);
      strLen += s.length + 1;
    }
    return offs.get(s)!;
  };
  const words: number[] = [];
  for (const t of types) {
    words.push(str(t.name ?? ''), ((t.kflag ? 1 : 0) << 31) | (t.kind << 24) | (t.vlen ?? 0), t.third, ...(t.extra ?? []).map((v) => (typeof v === 'string' ? str(v) : v)));
  }
  const typeLen = words.length * 4;
  const strBuf = Buffer.from(strs.join('\0') + '\0', 'latin1');
  const out = Buffer.alloc(24 + typeLen + strBuf.length);
  const w16 = le ? out.writeUInt16LE.bind(out) : out.writeUInt16BE.bind(out);
  const w32 = le ? out.writeUInt32LE.bind(out) : out.writeUInt32BE.bind(out);
  w16(0xeb9f, 0);
  out[2] = 1;
  w32(24, 4);
  w32(0, 8);
  w32(typeLen, 12);
  w32(typeLen, 16);
  w32(strBuf.length, 20);
  words.forEach((v, i) => w32(v >>> 0, 24 + i * 4));
  strBuf.copy(out, 24 + typeLen);
  return out;
}

/** int, struct point { int x, y; }, a pointer to it and a typedef: a valid little BTF to start from. */
export const SMALL_TYPES: RawType[] = [
  { name: 'int', kind: 1, third: 4, extra: [(1 << 24) | 32] },
  { name: 'point', kind: 4, vlen: 2, third: 8, extra: ['x', 1, 0, 'y', 1, 32] },
  { kind: 2, third: 2 },
  { name: 'point_t', kind: 8, third: 2 },
];
