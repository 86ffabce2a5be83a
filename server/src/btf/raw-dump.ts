// Every type of a BTF blob in the text of `bpftool btf dump file F format raw` (bpftool 7.1): one
// `[id] KIND 'name' ...` line per type, members/values/params on tab-indented lines below it.
import { Btf } from './btf';
import { INT_BOOL, INT_CHAR, INT_SIGNED, KIND_NAMES, Kind } from './wire';

const FUNC_LINKAGE = ['static', 'global', 'extern'];
const VAR_LINKAGE = ['static', 'global', 'extern'];

function intEncoding(enc: number): string {
  switch (enc) {
    case 0:
      return '(none)';
    case INT_SIGNED:
      return 'SIGNED';
    case INT_CHAR:
      return 'CHAR';
    case INT_BOOL:
      return 'BOOL';
    default:
      return 'UNKN';
  }
}

const quoted = (name: string) => `'${name === '' ? '(anon)' : name}'`;

/** The dump of one type, without its trailing newline. */
export function rawTypeLine(btf: Btf, id: number): string {
  const kind = btf.kind(id);
  const head = `[${id}] ${KIND_NAMES[kind]} ${quoted(btf.name(id))}`;
  const third = btf.sizeOrType(id);
  const vlen = btf.vlen(id);
  const kflag = btf.kflag(id);
  const w = (i: number) => btf.extraWord(id, i);
  switch (kind) {
    case Kind.Int: {
      const enc = w(0);
      return `${head} size=${third} bits_offset=${(enc >>> 16) & 0xff} nr_bits=${enc & 0xff} encoding=${intEncoding((enc >>> 24) & 0x0f)}`;
    }
    case Kind.Ptr:
    case Kind.Const:
    case Kind.Volatile:
    case Kind.Restrict:
    case Kind.Typedef:
    case Kind.TypeTag:
      return `${head} type_id=${third}`;
    case Kind.Array:
      return `${head} type_id=${w(0)} index_type_id=${w(1)} nr_elems=${w(2)}`;
    case Kind.Struct:
    case Kind.Union: {
      let s = `${head} size=${third} vlen=${vlen}`;
      for (let i = 0; i < vlen; i++) {
        const off = w(3 * i + 2);
        const bitOff = kflag ? off & 0xffffff : off;
        const bitSize = kflag ? off >>> 24 : 0;
        s += `\n\t${quoted(btf.str(w(3 * i)))} type_id=${w(3 * i + 1)} bits_offset=${bitOff}`;
        if (bitSize) s += ` bitfield_size=${bitSize}`;
      }
      return s;
    }
    case Kind.Enum: {
      let s = `${head} encoding=${kflag ? 'SIGNED' : 'UNSIGNED'} size=${third} vlen=${vlen}`;
      for (let i = 0; i < vlen; i++) {
        const raw = w(2 * i + 1);
        s += `\n\t${quoted(btf.str(w(2 * i)))} val=${kflag ? raw | 0 : raw >>> 0}`;
      }
      return s;
    }
    case Kind.Enum64: {
      let s = `${head} encoding=${kflag ? 'SIGNED' : 'UNSIGNED'} size=${third} vlen=${vlen}`;
      for (let i = 0; i < vlen; i++) {
        const v = (BigInt(w(3 * i + 2)) << 32n) | BigInt(w(3 * i + 1));
        s += `\n\t${quoted(btf.str(w(3 * i)))} val=${kflag ? `${BigInt.asIntN(64, v)}LL` : `${v}ULL`}`;
      }
      return s;
    }
    case Kind.Fwd:
      return `${head} fwd_kind=${kflag ? 'union' : 'struct'}`;
    case Kind.Func:
      return `${head} type_id=${third} linkage=${FUNC_LINKAGE[vlen] ?? '(unknown)'}`;
    case Kind.FuncProto: {
      let s = `${head} ret_type_id=${third} vlen=${vlen}`;
      for (let i = 0; i < vlen; i++) s += `\n\t${quoted(btf.str(w(2 * i)))} type_id=${w(2 * i + 1)}`;
      return s;
    }
    case Kind.Var:
      return `${head} type_id=${third}, linkage=${VAR_LINKAGE[w(0)] ?? '(unknown)'}`;
    case Kind.Datasec: {
      let s = `${head} size=${third} vlen=${vlen}`;
      for (let i = 0; i < vlen; i++) {
        const t = w(3 * i);
        s += `\n\ttype_id=${t} offset=${w(3 * i + 1)} size=${w(3 * i + 2)} (${KIND_NAMES[btf.kind(t)]} ${quoted(btf.name(t))})`;
      }
      return s;
    }
    case Kind.Float:
      return `${head} size=${third}`;
    case Kind.DeclTag:
      return `${head} type_id=${third} component_idx=${w(0) | 0}`;
    default:
      return head;
  }
}

/**
 * The whole dump in chunks of about `chunkLines` types each, so a CLI can stream 300k lines without
 * building one giant string. Split BTF dumps only its own types, numbered after the base's, as bpftool does.
 */
export function* rawDump(btf: Btf, chunkLines = 4096): Generator<string> {
  let lines: string[] = [];
  for (let id = btf.firstId; id < btf.typeCount; id++) {
    lines.push(rawTypeLine(btf, id));
    if (lines.length === chunkLines) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length) yield lines.join('\n') + '\n';
}
