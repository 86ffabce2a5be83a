// Which of an object's CO-RE relocations are dead code in a given kernel. libbpf patches each
// existence check (bpf_core_field_exists...) to a constant and poisons what it cannot relocate; the
// verifier then follows only the branches those constants allow, so a poisoned instruction behind a
// false guard never fails the load. This is the same reasoning on the object's bytecode: constants are
// propagated through registers and 8-byte stack slots from every function entry, a conditional jump on
// known values takes one edge, and an instruction no path reaches is dead. Anything not understood is
// an unknown value, so the answer errs towards "reachable" (a failure is never hidden).
import { BpfObject, ObjectRelocation } from '../relocs/object';
import { STT_FUNC } from '../elf/elf';
import { Verdict } from './fleet';

type Value = number | undefined;
interface State {
  regs: Value[];
  stack: Map<number, Value>;
}

const CLASS_LD = 0, CLASS_LDX = 1, CLASS_ST = 2, CLASS_STX = 3, CLASS_ALU = 4, CLASS_JMP = 5, CLASS_JMP32 = 6, CLASS_ALU64 = 7;
const SIZE_DW = 0x18;

function merge(a: State, b: State): State | undefined {
  let changed = false;
  const regs = a.regs.map((v, i) => {
    if (v !== undefined && v !== b.regs[i]) changed = true;
    return v === b.regs[i] ? v : undefined;
  });
  const stack = new Map<number, Value>();
  for (const [k, v] of a.stack) {
    if (b.stack.get(k) === v && v !== undefined) stack.set(k, v);
    else if (v !== undefined) changed = true;
  }
  return changed ? { regs, stack } : undefined;
}

function alu(op: number, a: number, b: number): Value {
  switch (op) {
    case 0x00: return a + b;
    case 0x10: return a - b;
    case 0x20: return a * b;
    case 0x40: return a | b;
    case 0x50: return a & b;
    case 0x60: return b < 32 ? a * 2 ** b : undefined;
    case 0x70: return a >= 0 ? Math.floor(a / 2 ** b) : undefined;
    case 0xa0: return a ^ b;
    case 0xb0: return b;
    default: return undefined;
  }
}

/** A conditional jump on known operands: taken or not; undefined when the operator is not modelled. */
function jumpTaken(op: number, a: number, b: number): boolean | undefined {
  switch (op) {
    case 0x10: return a === b;
    case 0x50: return a !== b;
    case 0x20: case 0x60: return a > b; // unsigned and signed: the guard constants are small and non-negative
    case 0x30: case 0x70: return a >= b;
    case 0xa0: case 0xc0: return a < b;
    case 0xb0: case 0xd0: return a <= b;
    case 0x40: return (a & b) !== 0;
    default: return undefined;
  }
}

interface Code {
  bytes: Uint8Array;
  /** Constants libbpf writes into instructions (by instruction index). */
  patched: Map<number, number>;
  /**
   * Instructions libbpf poisons. The verifier stops at the first one a path reaches, but the path goes on
   * here with an unknown value: every failure not behind a false guard is one to fix, not only the first.
   */
  poisoned: Set<number>;
}

/** The successors of instruction `i` under `s` (mutated into the state after it). */
function step(code: Code, i: number, s: State): number[] {
  const b = code.bytes;
  const at = i * 8;
  const opcode = b[at];
  const dst = b[at + 1] & 0xf;
  if (code.poisoned.has(i)) {
    s.regs[dst] = undefined;
    return [i + (opcode === 0x18 ? 2 : 1)];
  }
  const src = b[at + 1] >> 4;
  const off = (b[at + 2] | (b[at + 3] << 8)) << 16 >> 16;
  const imm = b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24);
  const cls = opcode & 7;
  const k = code.patched.has(i) ? code.patched.get(i)! : imm;
  if (cls === CLASS_LD) {
    const high = b[at + 12] | b[at + 13] | b[at + 14] | b[at + 15];
    s.regs[dst] = opcode === 0x18 && src === 0 ? (code.patched.get(i) ?? (high === 0 ? imm >>> 0 : undefined)) : undefined;
    return [i + (opcode === 0x18 ? 2 : 1)];
  }
  if (cls === CLASS_LDX) {
    s.regs[dst] = src === 10 && (opcode & 0x18) === SIZE_DW ? s.stack.get(off) : undefined;
    return [i + 1];
  }
  if (cls === CLASS_ST || cls === CLASS_STX) {
    if (dst === 10) {
      const value = (opcode & 0x18) === SIZE_DW ? (cls === CLASS_ST ? k : s.regs[src]) : undefined;
      for (let o = off - 7; o < off + 8; o++) s.stack.delete(o);
      if (value !== undefined) s.stack.set(off, value);
    }
    return [i + 1];
  }
  if (cls === CLASS_ALU || cls === CLASS_ALU64) {
    const a = s.regs[dst];
    const bv = opcode & 8 ? s.regs[src] : k;
    const op = opcode & 0xf0;
    const r = op === 0xb0 ? bv : a === undefined || bv === undefined ? undefined : alu(op, a, bv);
    s.regs[dst] = r !== undefined && Number.isSafeInteger(r) && Math.abs(r) < 2 ** 31 ? r : undefined;
    return [i + 1];
  }
  return jump(i, s, { opcode, dst, src, off, k, cls });
}

function jump(i: number, s: State, x: { opcode: number; dst: number; src: number; off: number; k: number; cls: number }): number[] {
  const op = x.opcode & 0xf0;
  if (x.cls !== CLASS_JMP && x.cls !== CLASS_JMP32) return [i + 1];
  if (op === 0x90) return []; // exit
  if (op === 0x80) {
    // A helper, kfunc or subprogram call (subprograms are analysed from their own entries).
    for (let r = 0; r <= 5; r++) s.regs[r] = undefined;
    return [i + 1];
  }
  if (op === 0x00) return [i + 1 + (x.cls === CLASS_JMP32 ? x.k : x.off)];
  const a = s.regs[x.dst];
  const b = x.opcode & 8 ? s.regs[x.src] : x.k;
  const taken = a === undefined || b === undefined ? undefined : jumpTaken(op, a, b);
  if (taken === true) return [i + 1 + x.off];
  if (taken === false) return [i + 1];
  return [i + 1, i + 1 + x.off];
}

/** The instructions of `section` reachable from its functions' entries, given libbpf's patches. */
function reachable(code: Code, entries: number[]): Uint8Array {
  const n = code.bytes.length / 8;
  const seen = new Uint8Array(n);
  const states: (State | undefined)[] = new Array(n);
  const work: number[] = [];
  for (const e of entries) {
    if (e >= n) continue;
    states[e] = { regs: new Array(11).fill(undefined), stack: new Map() };
    work.push(e);
  }
  for (let guard = 0; work.length && guard < 1_000_000; guard++) {
    const i = work.pop()!;
    seen[i] = 1;
    const s = { regs: [...states[i]!.regs], stack: new Map(states[i]!.stack) };
    for (const j of step(code, i, s)) {
      if (j < 0 || j >= n) continue;
      const old = states[j];
      const next = old ? merge(old, s) : { regs: [...s.regs], stack: new Map(s.stack) };
      if (next) {
        states[j] = next;
        work.push(j);
      } else if (!seen[j]) work.push(j);
    }
  }
  return seen;
}

/**
 * `dead[i]`: relocation i sits where no path reaches in the kernel these verdicts are for, because of the
 * constants libbpf patches in (a false guard); a poisoned relocation does not hide the ones after it.
 */
export function deadRelocations(obj: BpfObject, relocs: readonly ObjectRelocation[], verdicts: readonly Verdict[]): boolean[] {
  const dead = relocs.map(() => false);
  if (!obj.elf.littleEndian) return dead;
  const bySection = new Map<string, number[]>();
  relocs.forEach((r, i) => bySection.set(r.section, [...(bySection.get(r.section) ?? []), i]));
  const symbols = obj.elf.symbols().filter((s) => s.type === STT_FUNC);
  for (const [name, indices] of bySection) {
    const sec = obj.elf.section(name);
    if (!sec) continue;
    const code: Code = { bytes: obj.elf.sectionData(sec), patched: new Map(), poisoned: new Set() };
    for (const i of indices) {
      const v = verdicts[i];
      const insn = relocs[i].insnOffset / 8;
      if (v.poisoned || v.error) code.poisoned.add(insn);
      else if (typeof v.value === 'number') code.patched.set(insn, v.value);
    }
    const entries = symbols.filter((s) => obj.elf.sections[s.shndx]?.name === name).map((s) => Number(s.value) / 8);
    const seen = reachable(code, entries.length ? entries : [0]);
    for (const i of indices) dead[i] = !seen[relocs[i].insnOffset / 8];
  }
  return dead;
}
