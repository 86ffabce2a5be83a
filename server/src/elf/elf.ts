// A small ELF reader: header, section headers, section data and symbols, for ELF32 and ELF64 in either
// byte order. Every offset is bounds-checked at parse time, so a truncated or lying file is one error.
import { fail, ok, Result } from '../result';

export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const STT_FUNC = 2;
export const EM_BPF = 247;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  type: number;
  bind: number;
  shndx: number;
}

export class Elf {
  constructor(
    readonly source: string,
    private readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly elfClass: 32 | 64,
    readonly type: number,
    readonly machine: number,
    readonly sections: ElfSection[],
  ) {}

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** A section's bytes (empty for SHT_NOBITS); bounds were checked at parse time. */
  sectionData(sec: ElfSection): Uint8Array {
    if (sec.type === SHT_NOBITS) return new Uint8Array(0);
    return this.bytes.subarray(sec.offset, sec.offset + sec.size);
  }

  /** The symbols of .symtab; entries or names out of bounds are skipped. */
  symbols(): ElfSymbol[] {
    const symtab = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!symtab) return [];
    const strtab = this.sections[symtab.link];
    const data = this.sectionData(symtab);
    const strs = strtab ? this.sectionData(strtab) : new Uint8Array(0);
    const entsize = this.elfClass === 64 ? 24 : 16;
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const le = this.littleEndian;
    const out: ElfSymbol[] = [];
    for (let off = 0; off + entsize <= data.length; off += entsize) {
      const nameOff = dv.getUint32(off, le);
      let value: bigint, size: bigint, info: number, shndx: number;
      if (this.elfClass === 64) {
        info = dv.getUint8(off + 4);
        shndx = dv.getUint16(off + 6, le);
        value = dv.getBigUint64(off + 8, le);
        size = dv.getBigUint64(off + 16, le);
      } else {
        value = BigInt(dv.getUint32(off + 4, le));
        size = BigInt(dv.getUint32(off + 8, le));
        info = dv.getUint8(off + 12);
        shndx = dv.getUint16(off + 14, le);
      }
      out.push({ name: cString(strs, nameOff), value, size, type: info & 0xf, bind: info >> 4, shndx });
    }
    return out;
  }
}

function cString(bytes: Uint8Array, off: number): string {
  if (off >= bytes.length) return '';
  let end = bytes.indexOf(0, off);
  if (end < 0) end = bytes.length;
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function parseElf(bytes: Uint8Array, source: string): Result<Elf> {
  const err = (msg: string) => fail<Elf>(`${source}: invalid ELF file: ${msg}`);
  if (!isElf(bytes)) return err('bad magic');
  if (bytes.length < 52) return err(`file is ${bytes.length} bytes, shorter than an ELF header`);
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) return err(`unknown class ${cls}`);
  if (data !== 1 && data !== 2) return err(`unknown data encoding ${data}`);
  const is64 = cls === 2;
  const le = data === 1;
  if (is64 && bytes.length < 64) return err(`file is ${bytes.length} bytes, shorter than an ELF64 header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = dv.getUint16(16, le);
  const machine = dv.getUint16(18, le);
  const shoff = is64 ? Number(dv.getBigUint64(40, le)) : dv.getUint32(32, le);
  const shentsize = dv.getUint16(is64 ? 58 : 46, le);
  let shnum = dv.getUint16(is64 ? 60 : 48, le);
  let shstrndx = dv.getUint16(is64 ? 62 : 50, le);
  const minEnt = is64 ? 64 : 40;
  if (shoff === 0) return ok(new Elf(source, bytes, le, is64 ? 64 : 32, type, machine, []));
  if (shentsize < minEnt) return err(`section header size ${shentsize} is too small`);
  if (shoff + minEnt > bytes.length) return err(`section headers at offset ${shoff} lie past the end of the file (${bytes.length} bytes): file truncated?`);
  // Extended numbering: the real counts live in section header 0.
  if (shnum === 0) shnum = is64 ? Number(dv.getBigUint64(shoff + 32, le)) : dv.getUint32(shoff + 20, le);
  if (shstrndx === 0xffff) shstrndx = dv.getUint32(shoff + (is64 ? 44 : 28), le);
  if (shoff + shnum * shentsize > bytes.length) return err(`${shnum} section headers at offset ${shoff} run past the end of the file (${bytes.length} bytes): file truncated?`);

  const raw: Omit<ElfSection, 'name'>[] = [];
  const nameOffs: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const s = is64
      ? {
          nameOff: dv.getUint32(o, le), type: dv.getUint32(o + 4, le), flags: dv.getBigUint64(o + 8, le),
          offset: Number(dv.getBigUint64(o + 24, le)), size: Number(dv.getBigUint64(o + 32, le)),
          link: dv.getUint32(o + 40, le), info: dv.getUint32(o + 44, le), entsize: Number(dv.getBigUint64(o + 56, le)),
        }
      : {
          nameOff: dv.getUint32(o, le), type: dv.getUint32(o + 4, le), flags: BigInt(dv.getUint32(o + 8, le)),
          offset: dv.getUint32(o + 16, le), size: dv.getUint32(o + 20, le),
          link: dv.getUint32(o + 24, le), info: dv.getUint32(o + 28, le), entsize: dv.getUint32(o + 36, le),
        };
    if (s.type !== SHT_NOBITS && i !== 0 && (s.offset > bytes.length || s.size > bytes.length - s.offset)) {
      return err(`section ${i} (offset ${s.offset}, size ${s.size}) runs past the end of the file (${bytes.length} bytes): file truncated?`);
    }
    nameOffs.push(s.nameOff);
    raw.push({ index: i, type: s.type, flags: s.flags, offset: s.offset, size: s.size, link: s.link, info: s.info, entsize: s.entsize });
  }
  if (shstrndx >= shnum) return err(`section name table index ${shstrndx} is out of range (${shnum} sections)`);
  const names = raw[shstrndx];
  const strs = names.type === SHT_NOBITS ? new Uint8Array(0) : bytes.subarray(names.offset, names.offset + names.size);
  const sections = raw.map((s, i) => ({ ...s, name: cString(strs, nameOffs[i]) }));
  return ok(new Elf(source, bytes, le, is64 ? 64 : 32, type, machine, sections));
}
