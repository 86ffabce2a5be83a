// Raw BTF bytes -> a validated Btf. Mirrors libbpf's btf_parse_hdr, btf_parse_str_sec, btf_parse_type_sec
// and btf_sanity_check: the whole blob's structure is checked here, once, so that lazy decoding later
// cannot meet an out-of-range offset or id. Details (members, names) are decoded on demand by Btf.
import { fail, ok, Result } from '../result';
import { Btf } from './btf';
import {
  BTF_HEADER_MIN, BTF_MAGIC, Kind, KIND_NAMES, RECORD_FIXED_WORDS, RECORD_WORDS_PER_VLEN, headerRefersToType, infoKflag, infoKind, infoVlen,
} from './wire';

export interface ParseOptions {
  /** The base BTF when these bytes are split BTF (a kernel module's BTF on top of vmlinux). */
  base?: Btf;
  /** Label used in error messages and by callers, usually the file path. */
  source?: string;
  /**
   * The running kernel's own BTF (/sys/kernel/btf/*), which the kernel validated when it loaded it
   * (btf_parse_vmlinux, btf_parse_module): the per-record checks are skipped, the structure still walked.
   */
  kernelValidated?: boolean;
}

export function parseBtf(bytes: Uint8Array, opts: ParseOptions = {}): Result<Btf> {
  const source = opts.source ?? '<btf>';
  const err = (msg: string) => fail<Btf>(`${source}: invalid BTF: ${msg}`);
  if (bytes.length < BTF_HEADER_MIN) return err(`file is ${bytes.length} bytes, shorter than the ${BTF_HEADER_MIN}-byte BTF header`);

  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  if (dv.getUint16(0, true) === BTF_MAGIC) le = true;
  else if (dv.getUint16(0, false) === BTF_MAGIC) le = false;
  else return err(`bad magic 0x${dv.getUint16(0, true).toString(16).padStart(4, '0')} (expected 0xeb9f)`);

  const version = dv.getUint8(2);
  if (version !== 1) return err(`unsupported version ${version}`);
  const hdrLen = dv.getUint32(4, le);
  if (hdrLen < BTF_HEADER_MIN || hdrLen > bytes.length) return err(`header length ${hdrLen} out of range`);
  const typeOff = dv.getUint32(8, le);
  const typeLen = dv.getUint32(12, le);
  const strOff = dv.getUint32(16, le);
  const strLen = dv.getUint32(20, le);
  const dataLen = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) return err(`type section offset ${typeOff} is not 4-byte aligned`);
  if (typeLen % 4 !== 0) return err(`type section length ${typeLen} is not a multiple of 4`);
  if (typeOff + typeLen > dataLen) return err(`type section (offset ${typeOff}, length ${typeLen}) runs past the end of the data (${dataLen} bytes): file truncated?`);
  if (strOff + strLen > dataLen) return err(`string section (offset ${strOff}, length ${strLen}) runs past the end of the data (${dataLen} bytes): file truncated?`);
  if (typeOff < strOff + strLen && strOff < typeOff + typeLen) return err('type and string sections overlap');

  const base = opts.base;
  // A plain Uint8Array even when the bytes are a Buffer: code not yet optimised reads a Buffer's bytes more slowly.
  const strings = new Uint8Array(bytes.buffer, bytes.byteOffset + hdrLen + strOff, strLen);
  if (!base && (strLen === 0 || strings[0] !== 0)) return err('string section must start with an empty string');
  if (strLen > 0 && strings[strLen - 1] !== 0) return err('string section is not NUL-terminated');

  const words = typeWords(bytes, hdrLen + typeOff, typeLen, le);
  const walk = walkRecords(words);
  if (typeof walk === 'string') return err(walk);
  const { offsets, namedNonFunctions } = walk;

  const firstId = base ? base.typeCount : 1;
  const strBase = base ? base.stringsEnd : 0;
  if (!opts.kernelValidated) {
    const check = checkReferences(words, offsets, firstId, strBase + strLen, base);
    if (check) return err(check);
    const loop = findModifierLoop(words, offsets, firstId);
    if (loop) return err(loop);
  }

  return ok(new Btf({ source, words, offsets, namedNonFunctions, strings, strBase, firstId, base, littleEndian: le }));
}

/** The type section as native-order words; a copy only when unaligned or big-endian. */
function typeWords(bytes: Uint8Array, start: number, len: number, le: boolean): Uint32Array {
  const nativeLe = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  const abs = bytes.byteOffset + start;
  if (le === nativeLe && abs % 4 === 0) return new Uint32Array(bytes.buffer, abs, len / 4);
  const copy = new Uint32Array(len / 4);
  const dv = new DataView(bytes.buffer, abs, len);
  for (let i = 0; i < copy.length; i++) copy[i] = dv.getUint32(i * 4, le);
  return copy;
}

interface Records {
  /** The word offset of each record. */
  offsets: Uint32Array;
  /** Own indices of the named records that are not functions: the names the name index hashes at load. */
  namedNonFunctions: Uint32Array;
}

/**
 * First pass: every record's kind and length, giving the word offset of each type. It runs once per load
 * over some 100,000 records, mostly before the JIT has optimised it, so the kind and vlen fields are read
 * inline, the lengths come from tables, and the name index's list is gathered on the way rather than by a
 * pass of its own. A record is at least 3 words, which bounds the counts: each array is allocated once at
 * that bound, and its pages past the last entry are never touched.
 */
function walkRecords(words: Uint32Array): Records | string {
  const end = words.length;
  const offsets = new Uint32Array(Math.floor(end / 3));
  const named = new Uint32Array(offsets.length);
  // Locals: the interpreter reads them faster than the module's bindings.
  const func = Kind.Func;
  const fixedWords = RECORD_FIXED_WORDS;
  const wordsPerVlen = RECORD_WORDS_PER_VLEN;
  let n = 0;
  let m = 0;
  for (let at = 0; at < end; ) {
    if (at + 3 > end) return `type [${n + 1}] header is cut off at the end of the type section`;
    const info = words[at + 1];
    const kind = (info >>> 24) & 0x1f;
    const fixed = fixedWords[kind];
    if (fixed < 0) return `type [${n + 1}] has unknown kind ${kind}`;
    const next = at + 3 + fixed + wordsPerVlen[kind] * (info & 0xffff);
    if (next > end) return `type [${n + 1}] ${KIND_NAMES[kind]} with vlen ${infoVlen(info)} runs past the end of the type section`;
    if (kind !== func && words[at] !== 0) named[m++] = n;
    offsets[n++] = at;
    at = next;
  }
  return { offsets: offsets.subarray(0, n), namedNonFunctions: named.subarray(0, m) };
}

/** Second pass: every type id and string offset a record holds is in range; per-kind sanity as libbpf's. */
function checkReferences(words: Uint32Array, offsets: Uint32Array, firstId: number, strEnd: number, base?: Btf): string | undefined {
  const typeCount = firstId + offsets.length;
  for (let i = 0; i < offsets.length; i++) {
    const id = firstId + i;
    const at = offsets[i];
    const nameOff = words[at];
    const info = words[at + 1];
    const kind = infoKind(info);
    const vlen = infoVlen(info);
    const third = words[at + 2];
    if (nameOff >= strEnd) return `${where(id, kind)} name offset ${nameOff} is past the end of the strings (${strEnd})`;
    if (headerRefersToType(kind) && third >= typeCount) return `${where(id, kind)} refers to type id ${third}, but there are only ${typeCount} types`;
    switch (kind) {
      case Kind.Int: {
        const enc = words[at + 3];
        const bits = enc & 0xff;
        const bitOff = (enc >>> 16) & 0xff;
        if (third !== 1 && third !== 2 && third !== 4 && third !== 8 && third !== 16) return `${where(id, kind)} has invalid size ${third}`;
        if (bits > 128 || bitOff + bits > 128 || bits > third * 8) return `${where(id, kind)} has invalid bits ${bits} at offset ${bitOff}`;
        break;
      }
      case Kind.Array: {
        const elem = words[at + 3];
        const index = words[at + 4];
        if (elem >= typeCount || index >= typeCount) return `${where(id, kind)} refers to type id ${Math.max(elem, index)}, but there are only ${typeCount} types`;
        break;
      }
      case Kind.Struct:
      case Kind.Union:
      case Kind.Datasec:
        for (let m = 0, p = at + 3; m < vlen; m++, p += 3) {
          if (kind !== Kind.Datasec && words[p] >= strEnd) return `${where(id, kind)} member ${m} name offset ${words[p]} is past the end of the strings`;
          const t = kind === Kind.Datasec ? words[p] : words[p + 1];
          if (t >= typeCount || t === 0) return `${where(id, kind)} ${kind === Kind.Datasec ? 'variable' : 'member'} ${m} refers to type id ${t}, but there are only ${typeCount} types`;
        }
        break;
      case Kind.Enum:
      case Kind.Enum64: {
        if (third !== 1 && third !== 2 && third !== 4 && third !== 8) return `${where(id, kind)} has invalid size ${third}`;
        const step = kind === Kind.Enum ? 2 : 3;
        for (let m = 0, p = at + 3; m < vlen; m++, p += step) {
          if (words[p] >= strEnd) return `${where(id, kind)} value ${m} name offset ${words[p]} is past the end of the strings`;
        }
        break;
      }
      case Kind.FuncProto:
        for (let m = 0, p = at + 3; m < vlen; m++, p += 2) {
          if (words[p] >= strEnd) return `${where(id, kind)} parameter ${m} name offset ${words[p]} is past the end of the strings`;
          if (words[p + 1] >= typeCount) return `${where(id, kind)} parameter ${m} refers to type id ${words[p + 1]}, but there are only ${typeCount} types`;
        }
        break;
      case Kind.Func: {
        const protoKind = kindAt(words, offsets, firstId, base, third);
        if (protoKind !== Kind.FuncProto) return `${where(id, kind)} refers to type id ${third}, which is ${KIND_NAMES[protoKind] ?? 'void'}, not FUNC_PROTO`;
        if (vlen > 2) return `${where(id, kind)} has invalid linkage ${vlen}`;
        break;
      }
      case Kind.Var:
        if (words[at + 3] > 2) return `${where(id, kind)} has invalid linkage ${words[at + 3]}`;
        break;
      case Kind.DeclTag:
        if ((words[at + 3] | 0) < -1) return `${where(id, kind)} has invalid component index ${words[at + 3] | 0}`;
        break;
      case Kind.Fwd:
      case Kind.Ptr:
      case Kind.Typedef:
      case Kind.Volatile:
      case Kind.Const:
      case Kind.Restrict:
      case Kind.TypeTag:
      case Kind.Float:
        if (kind === Kind.Float && third !== 2 && third !== 4 && third !== 8 && third !== 12 && third !== 16) return `${where(id, kind)} has invalid size ${third}`;
        if (infoKflag(info) && kind !== Kind.Fwd && kind !== Kind.TypeTag) return `${where(id, kind)} has kind_flag set`;
        break;
    }
  }
  return undefined;
}

function where(id: number, kind: Kind): string {
  return `type [${id}] ${KIND_NAMES[kind]}`;
}

function kindAt(words: Uint32Array, offsets: Uint32Array, firstId: number, base: Btf | undefined, id: number): Kind {
  if (id === 0) return Kind.Unknown;
  if (id < firstId) return base ? base.kind(id) : Kind.Unknown;
  return infoKind(words[offsets[id - firstId] + 1]);
}

/**
 * A chain of pointers, arrays and modifiers that comes back to itself has no size and would make every
 * resolver loop; reject it up front. Linear: each type is walked at most once.
 */
function findModifierLoop(words: Uint32Array, offsets: Uint32Array, firstId: number): string | undefined {
  const state = new Uint8Array(offsets.length); // 0 new, 1 on the current chain, 2 known to end
  const chain: number[] = [];
  for (let start = 0; start < offsets.length; start++) {
    if (state[start]) continue;
    let i = start;
    for (;;) {
      if (state[i] === 2) break;
      if (state[i] === 1) return `type [${firstId + i}] ${KIND_NAMES[infoKind(words[offsets[i] + 1])]} is part of a reference loop`;
      state[i] = 1;
      chain.push(i);
      const at = offsets[i];
      const kind = infoKind(words[at + 1]);
      let next: number;
      if (kind === Kind.Array) next = words[at + 3];
      else if (kind === Kind.Ptr || kind === Kind.Typedef || kind === Kind.Volatile || kind === Kind.Const || kind === Kind.Restrict || kind === Kind.TypeTag) next = words[at + 2];
      else break;
      if (next < firstId) break; // void or a base type: the base was checked when it was loaded
      i = next - firstId;
    }
    for (const c of chain) state[c] = 2;
    chain.length = 0;
  }
  return undefined;
}
