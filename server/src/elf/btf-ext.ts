// The .BTF.ext section of a BPF object (libbpf's btf_ext__new): per code section, func_info, line_info
// and CO-RE relocation records. Every length and string offset is checked here, so a lying header is
// one error and later code can index freely.
import { Btf } from '../btf/btf';
import { BTF_MAGIC } from '../btf/wire';
import { fail, ok, Result } from '../result';

export interface FuncInfo {
  /** Byte offset of the function's first instruction in its section. */
  insnOffset: number;
  typeId: number;
}

export interface LineInfo {
  insnOffset: number;
  file: string;
  /** The source line's text, as clang recorded it. */
  text: string;
  line: number;
  column: number;
}

export interface CoreRelo {
  insnOffset: number;
  /** Local (object BTF) type the access starts from. */
  typeId: number;
  /** Access string, e.g. `0:12:0`. */
  access: string;
  kind: number;
}

export interface BtfExtSection<T> {
  /** Code section name, e.g. `kprobe/do_unlinkat` or `.text`. */
  name: string;
  records: T[];
}

export interface BtfExt {
  funcInfo: BtfExtSection<FuncInfo>[];
  lineInfo: BtfExtSection<LineInfo>[];
  coreRelos: BtfExtSection<CoreRelo>[];
}

const HEADER_MIN = 24;
const HEADER_WITH_CORE = 32;
const MIN_RECORD = { func: 8, line: 16, core: 16 } as const;

export function parseBtfExt(bytes: Uint8Array, btf: Btf, source: string): Result<BtfExt> {
  const err = (msg: string) => fail<BtfExt>(`${source}: invalid .BTF.ext: ${msg}`);
  if (bytes.length < HEADER_MIN) return err(`section is ${bytes.length} bytes, shorter than its ${HEADER_MIN}-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = btf.littleEndian;
  if (dv.getUint16(0, le) !== BTF_MAGIC) return err(`bad magic 0x${dv.getUint16(0, le).toString(16)} (expected 0xeb9f in the byte order of .BTF)`);
  if (dv.getUint8(2) !== 1) return err(`unsupported version ${dv.getUint8(2)}`);
  const hdrLen = dv.getUint32(4, le);
  if (hdrLen < HEADER_MIN || hdrLen > bytes.length) return err(`header length ${hdrLen} out of range (section is ${bytes.length} bytes)`);
  const data = bytes.subarray(hdrLen);
  const ddv = new DataView(data.buffer, data.byteOffset, data.byteLength);

  const str = (off: number, what: string): Result<string> =>
    off < btf.stringsEnd ? ok(btf.str(off)) : fail(`${source}: invalid .BTF.ext: ${what} string offset ${off} lies outside .BTF's strings (${btf.stringsEnd} bytes)`);

  // One info subsection: a record size, then per code section a name, a count and the records.
  function subsection<T>(what: keyof typeof MIN_RECORD, off: number, len: number, decode: (at: number) => Result<T>): Result<BtfExtSection<T>[]> {
    const e = (msg: string) => fail<BtfExtSection<T>[]>(`${source}: invalid .BTF.ext: ${what}_info ${msg}`);
    if (len === 0) return ok([]);
    if (off + len > data.length) return e(`(offset ${off}, length ${len}) runs past the end of the section (${data.length} bytes after the header)`);
    if (off % 4 !== 0) return e(`offset ${off} is not 4-byte aligned`);
    if (len < 4) return e(`length ${len} cannot hold its record size`);
    const recSize = ddv.getUint32(off, le);
    if (recSize < MIN_RECORD[what] || recSize % 4 !== 0) return e(`record size ${recSize} is invalid (at least ${MIN_RECORD[what]}, a multiple of 4)`);
    const out: BtfExtSection<T>[] = [];
    const end = off + len;
    let at = off + 4;
    while (at < end) {
      if (at + 8 > end) return e(`section header at ${at} runs past its end`);
      const name = str(ddv.getUint32(at, le), `${what}_info section name`);
      if (!name.ok) return name;
      const count = ddv.getUint32(at + 4, le);
      at += 8;
      if (count === 0) return e(`section '${name.value}' has no records`);
      if (count > (end - at) / recSize) return e(`section '${name.value}' claims ${count} records of ${recSize} bytes, more than the ${end - at} bytes left`);
      const records: T[] = [];
      for (let i = 0; i < count; i++, at += recSize) {
        const r = decode(at);
        if (!r.ok) return r;
        records.push(r.value);
      }
      out.push({ name: name.value, records });
    }
    return ok(out);
  }

  const word = (at: number) => ddv.getUint32(at, le);
  const funcInfo = subsection('func', dv.getUint32(8, le), dv.getUint32(12, le), (at) => ok({ insnOffset: word(at), typeId: word(at + 4) }));
  if (!funcInfo.ok) return funcInfo;
  const lineInfo = subsection('line', dv.getUint32(16, le), dv.getUint32(20, le), (at) => {
    const file = str(word(at + 4), 'line_info file');
    if (!file.ok) return file;
    const text = str(word(at + 8), 'line_info line');
    if (!text.ok) return text;
    const lc = word(at + 12);
    return ok({ insnOffset: word(at), file: file.value, text: text.value, line: lc >>> 10, column: lc & 0x3ff });
  });
  if (!lineInfo.ok) return lineInfo;
  let coreRelos: BtfExtSection<CoreRelo>[] = [];
  if (hdrLen >= HEADER_WITH_CORE) {
    const parsed = subsection('core', dv.getUint32(24, le), dv.getUint32(28, le), (at) => {
      const access = str(word(at + 8), 'CO-RE relocation access');
      if (!access.ok) return access;
      const typeId = word(at + 4);
      if (typeId >= btf.typeCount) return fail(`${source}: invalid .BTF.ext: CO-RE relocation type id ${typeId} is past the last type (${btf.typeCount - 1})`);
      return ok({ insnOffset: word(at), typeId, access: access.value, kind: word(at + 12) });
    });
    if (!parsed.ok) return parsed;
    coreRelos = parsed.value;
  }
  return ok({ funcInfo: funcInfo.value, lineInfo: lineInfo.value, coreRelos });
}
