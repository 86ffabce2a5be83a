// One BPF instruction as the verifier prints it (the kernel's disasm.c: `(bf) r1 = r7`,
// `(79) r0 = *(u64 *)(r0 +8)`, `(15) if r0 == 0x0 goto pc+5`, `(85) call bpf_map_lookup_elem#1`...),
// decoded into what the causal chain needs: which register or stack slot it writes, which it reads.

/** A place the verifier tracks: a register (0-10) or a stack slot of the current frame (`fp-8`). */
export type Place = { kind: 'reg'; reg: number } | { kind: 'stack'; off: number };

export type InsnKind =
  /** `rD = rS` (also `(s8)rS`): the value moves, lineage continues at the source. */
  | 'mov'
  /** `rD = 0`, `rD = 0xffff...` (ld_imm64), `rD = map[id:..]`: a new value from a constant. */
  | 'const'
  /** `rD = *(u32 *)(rB +off)`: a new value read from memory (a fill when rB is r10). */
  | 'load'
  /** `*(u32 *)(rB +off) = rS` or `= imm` (a spill when rB is r10). */
  | 'store'
  /** `rD op= rS|imm`, `rD = -rD`, `rD = be16 rD`: the value changes in place. */
  | 'alu'
  /** `lock *(u64 *)(rB +off) += rS`, `rD = atomic64_fetch_add(...)`. */
  | 'atomic'
  /** `call helper#N` or a kfunc: R0 is the result, R1-R5 are clobbered. */
  | 'call'
  /** `call pc+N`: a BPF-to-BPF call into a subprogram. */
  | 'subcall'
  | 'exit'
  | 'goto'
  /** `if rA op rB|imm goto pc+N`: both registers get new bounds on each side. */
  | 'cond'
  /** A line libbpf or the kernel wrote in place of an instruction (`<invalid CO-RE relocation>`). */
  | 'poison'
  | 'other';

export interface DecodedInsn {
  kind: InsnKind;
  /** The register written (the destination), if any. */
  dst?: number;
  /** Registers read. */
  srcs: number[];
  /** A memory operand `*(T *)(rB +off)`: its base register, offset and access size in bytes. */
  mem?: { base: number; off: number; size: number };
  /** The called helper or kfunc (`bpf_map_lookup_elem`), or `pc+N` for a subprogram call. */
  callee?: string;
  /** The subprogram's first instruction, for `call pc+N` (needs the instruction's own index). */
  target?: number;
}

const SIZES: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8, s8: 1, s16: 2, s32: 4, s64: 8 };

const REG = String.raw`[rw](\d+)`;
const MEM = String.raw`\*\((\w+) \*\)\(r(\d+) ([+-]\d+)\)`;
const RE_STORE = new RegExp(`^${MEM} = (?:${REG}|(-?\\w+))$`);
const RE_LOCK = new RegExp(`^lock ${MEM} \\S+ ${REG}$`);
const RE_LOAD = new RegExp(`^${REG} = ${MEM}$`);
const RE_ATOMIC = new RegExp(`^${REG} = (?:atomic\\w*|load_acquire)\\(\\((\\w+) \\*\\)\\(r(\\d+) ([+-]\\d+)\\)(?:, ${REG})?(?:, ${REG})?\\)$`);
const RE_MOV = new RegExp(`^${REG} = (?:\\(s\\d+\\))?${REG}$`);
const RE_UNARY = new RegExp(`^${REG} = (?:-|(?:be|le|bswap)\\d+ )${REG}$`);
const RE_CONST = new RegExp(`^${REG} = (.+)$`);
const RE_ALU = new RegExp(`^${REG} (\\S+)= (?:${REG}|(-?\\w+))$`);
const RE_COND = new RegExp(`^if ${REG} \\S+ (?:${REG}|(\\S+)) goto pc([+-]\\d+)$`);
const RE_CALL = /^call (\S+?)(?:#(-?\d+))?$/;
const RE_SUBCALL = /^call pc([+-]\d+)$/;

function mem(type: string, base: string, off: string): DecodedInsn['mem'] {
  return { base: Number(base), off: Number(off), size: SIZES[type] ?? 0 };
}

/** Decodes the text after `N: (op) `; `index` is the instruction's own index (for `call pc+N`). */
export function decodeInsn(text: string, index = -1): DecodedInsn {
  if (text.startsWith('<')) return { kind: 'poison', srcs: [] };
  if (text === 'exit') return { kind: 'exit', srcs: [0] };
  if (text.startsWith('goto') || text.startsWith('may_goto')) return { kind: 'goto', srcs: [] };
  let m: RegExpExecArray | null;
  if (text.startsWith('call ')) {
    if ((m = RE_SUBCALL.exec(text))) return { kind: 'subcall', srcs: [1, 2, 3, 4, 5], dst: 0, callee: `pc${m[1]}`, target: index >= 0 ? index + 1 + Number(m[1]) : undefined };
    m = RE_CALL.exec(text);
    return { kind: 'call', srcs: [1, 2, 3, 4, 5], dst: 0, callee: m ? m[1] : text.slice(5) };
  }
  if (text.startsWith('if ') && (m = RE_COND.exec(text))) {
    return { kind: 'cond', srcs: m[2] !== undefined ? [Number(m[1]), Number(m[2])] : [Number(m[1])] };
  }
  if ((m = RE_STORE.exec(text))) return { kind: 'store', srcs: m[4] !== undefined ? [Number(m[2]), Number(m[4])] : [Number(m[2])], mem: mem(m[1], m[2], m[3]) };
  if ((m = RE_LOCK.exec(text))) return { kind: 'atomic', srcs: [Number(m[2]), Number(m[4])], mem: mem(m[1], m[2], m[3]) };
  if ((m = RE_LOAD.exec(text))) return { kind: 'load', dst: Number(m[1]), srcs: [Number(m[3])], mem: mem(m[2], m[3], m[4]) };
  if ((m = RE_ATOMIC.exec(text))) {
    const srcs = [Number(m[3]), ...(m[5] !== undefined ? [Number(m[5])] : []), ...(m[6] !== undefined ? [Number(m[6])] : [])];
    return { kind: 'atomic', dst: Number(m[1]), srcs, mem: mem(m[2], m[3], m[4]) };
  }
  if ((m = RE_MOV.exec(text))) return { kind: 'mov', dst: Number(m[1]), srcs: [Number(m[2])] };
  if ((m = RE_UNARY.exec(text))) return { kind: 'alu', dst: Number(m[1]), srcs: [Number(m[2])] };
  if ((m = RE_ALU.exec(text))) return { kind: 'alu', dst: Number(m[1]), srcs: m[3] !== undefined ? [Number(m[1]), Number(m[3])] : [Number(m[1])] };
  if ((m = RE_CONST.exec(text))) return { kind: 'const', dst: Number(m[1]), srcs: [] };
  return { kind: 'other', srcs: [] };
}

export function placeName(p: Place): string {
  return p.kind === 'reg' ? `R${p.reg}` : `fp${p.off}`;
}

/** The stack slot (8-byte aligned, as the verifier prints `fp-8`) an access at `off` from r10 falls in. */
export function stackSlot(off: number): number {
  return -Math.ceil(-off / 8) * 8;
}
