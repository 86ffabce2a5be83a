// The causal chain of a rejection: from the instruction the verifier stopped at, back along the rejected
// path to the instructions that produced the failing register's (or stack slot's) value and state:
// copies are followed to their source, spills and fills through the stack slot, arithmetic adds its other
// operand (the index of an out-of-bounds access), comparisons are where bounds were set, and the walk
// stops at the origin (a constant, a load, a helper call). Nearest first. Linux 7.3 prints its own
// causal path; when it does, that is the chain.
import { explain } from './explanations';
import { decodeInsn, DecodedInsn, stackSlot } from './insn';
import { ReportLocation, VerifierLog } from './model';
import { parseState, valueType } from './state';

export type LinkRole = 'error' | 'origin' | 'copy' | 'modify' | 'check' | 'spill' | 'fill' | 'clobber' | 'kernel';

export interface ChainLink {
  role: LinkRole;
  step: number | null;
  insn: number | null;
  file: string | null;
  line: number | null;
  /** What the instruction did to the value, with the instruction and the state the verifier printed. */
  text: string;
}

const MAX_LINKS = 24;
const MAX_WALK = 200_000;

/** A place in a frame: `0:R1`, `1:fp-8`. */
type Key = string;
const regKey = (frame: number, reg: number): Key => `${frame}:R${reg}`;
const slotKey = (frame: number, off: number): Key => `${frame}:fp${off}`;

/** The register or stack slot the error is about, from the verifier's words or the failing instruction. */
export function failingPlace(lines: readonly string[], d: DecodedInsn | null): { reg?: number; slot?: number } {
  for (const l of lines) {
    let m = /invalid (?:indirect )?read from stack(?: R\d+)? off (-?\d+)\+(\d+)/.exec(l);
    if (m) return { slot: stackSlot(Number(m[1]) + Number(m[2])) };
    m = /invalid access to packet, off=-?\d+ size=\d+, R(\d+)/.exec(l) ?? /\bR(\d+)(?:_w)? (?:invalid mem access|!read_ok|(?:min|max) value is|unbounded memory access|offset is outside|type=|min value is negative|pointer arithmetic)/.exec(l);
    if (m) return { reg: Number(m[1]) };
    m = /dereference of modified \S+ ptr R(\d+)/.exec(l);
    if (m) return { reg: Number(m[1]) };
    if (/At (?:program exit|[\w ]*callback return) the register R0/.test(l)) return { reg: 0 };
    if (/math between \S+ pointer and register with unbounded min value/.test(l) && d?.srcs.length === 2) return { reg: d.srcs[1] };
  }
  if (d?.mem && lines.some((l) => /invalid access to (?:map value|memory)|invalid bpf_context access/.test(l))) return { reg: d.mem.base };
  return {};
}

/** The causal chain of the log's error, nearest first (empty when the program was accepted). */
export function causalChain(log: VerifierLog): ChainLink[] {
  const err = log.error;
  if (!err) return [];
  const where = (insn: number | null) => sourceOf(log, insn);
  const errorLink: ChainLink = { role: 'error', step: err.step, insn: err.insn, ...where(err.insn), text: `${insnLabel(log, err.insn)}: ${err.message}` };
  if (err.line !== null) [errorLink.file, errorLink.line] = [err.file, err.line];
  const kernel = log.report?.causalPath ?? [];
  if (kernel.length) return [errorLink, ...kernel.map((e) => kernelLink(e)).reverse()];
  const leak = err.lines.map((l) => /alloc_insn=(\d+)/.exec(l)).find((m) => m);
  if (leak) {
    const insn = Number(leak[1]);
    return [errorLink, { role: 'origin', step: null, insn, ...where(insn), text: `${insnLabel(log, insn)}: acquired the reference that is never released` }];
  }
  if (err.step === null) return [errorLink];
  return walk(log, err.step, errorLink);
}

function walk(log: VerifierLog, errStep: number, errorLink: ChainLink): ChainLink[] {
  const { insn, prev, frame, state } = log.steps;
  const decoded = new Map<number, DecodedInsn>();
  const decode = (i: number) => {
    let d = decoded.get(i);
    if (!d) decoded.set(i, (d = decodeInsn(log.insns.get(i)?.text ?? '', i)));
    return d;
  };
  const err = log.error!;
  const place = failingPlace(err.lines, decode(insn[errStep]));
  const targets = new Set<Key>();
  const f0 = frame[errStep];
  if (place.reg !== undefined) targets.add(regKey(f0, place.reg));
  if (place.slot !== undefined) targets.add(slotKey(f0, place.slot));
  const links: ChainLink[] = [errorLink];
  const explanation = explain(err.lines);
  const packet = explanation?.id === 'packet-bounds';
  let nullChecked = false;
  let cur = errStep;
  for (let s = prev[errStep], walked = 0; s >= 0 && targets.size > 0 && links.length < MAX_LINKS && walked < MAX_WALK; cur = s, s = prev[s], walked++) {
    crossFrames(targets, frame[cur], frame[s]);
    const f = frame[s];
    const d = decode(insn[s]);
    const link = (role: LinkRole, what: string, key?: Key) => {
      const printed = key && state[s] ? parseState(state[s]).get(key.replace(/^\d+:/, f ? `frame${f}.` : '')) : undefined;
      links.push({ role, step: s, insn: insn[s], ...sourceOf(log, insn[s]), text: `${insnLabel(log, insn[s])}: ${what}${printed ? ` (${key!.replace(/^\d+:/, '')}=${printed})` : ''}` });
    };
    const dst = d.dst !== undefined ? regKey(f, d.dst) : undefined;
    if (dst && targets.has(dst) && d.kind !== 'subcall') {
      targets.delete(dst);
      const name = `R${d.dst}`;
      if (d.kind === 'mov') {
        targets.add(regKey(f, d.srcs[0]));
        link('copy', `${name} is a copy of R${d.srcs[0]}`, dst);
      } else if (d.kind === 'alu') {
        targets.add(dst);
        for (const r of d.srcs) if (r !== d.dst) targets.add(regKey(f, r));
        link('modify', `${name} changes here${d.srcs.length > 1 ? ` (with R${d.srcs[1]})` : ''}`, dst);
      } else if (d.kind === 'load' && d.mem?.base === 10) {
        targets.add(slotKey(f, stackSlot(d.mem.off)));
        link('fill', `${name} is filled from the stack slot fp${stackSlot(d.mem.off)}`, dst);
      } else if (d.kind === 'call') {
        link('origin', originOfCall(name, d.callee ?? 'the call', state[s], f, nullChecked), dst);
      } else link('origin', `${name} gets its value here${d.kind === 'load' ? ` (read from memory through R${d.mem!.base})` : ''}`, dst);
      continue;
    }
    if (d.kind === 'store' && d.mem?.base === 10 && targets.has(slotKey(f, stackSlot(d.mem.off)))) {
      const slot = slotKey(f, stackSlot(d.mem.off));
      targets.delete(slot);
      if (d.srcs.length > 1) targets.add(regKey(f, d.srcs[1]));
      link(d.srcs.length > 1 ? 'spill' : 'origin', d.srcs.length > 1 ? `R${d.srcs[1]} is spilled to fp${stackSlot(d.mem.off)}` : `fp${stackSlot(d.mem.off)} is written here`, slot);
      continue;
    }
    if (d.kind === 'cond' && (d.srcs.some((r) => targets.has(regKey(f, r))) || (packet && /pkt/.test(state[s] ?? '')))) {
      const regs = d.srcs.map((r) => `R${r}`).join(' and ');
      if (/ [!=]= 0x0 goto/.test(log.insns.get(insn[s])?.text ?? '')) nullChecked = true;
      link('check', `${regs} compared here: the verifier sets bounds on each side of the branch`, d.srcs.map((r) => regKey(f, r)).find((k) => targets.has(k)));
      continue;
    }
    if (d.kind === 'call' && d.srcs.some((r) => targets.has(regKey(f, r)))) {
      for (const r of d.srcs) targets.delete(regKey(f, r));
      link('clobber', 'the call leaves R1-R5 uninitialised afterwards');
    }
  }
  if (place.reg !== undefined && links.length === 1 && /!read_ok/.test(err.message)) {
    errorLink.text += `; nothing on this path writes R${place.reg} (a program starts with only R1, the context, and R10, the frame pointer)`;
  }
  return links;
}

/** Walking back across a BPF-to-BPF call: R0 comes out of the callee's exit, R1-R5 go into its entry. */
function crossFrames(targets: Set<Key>, from: number, to: number): void {
  if (from === to) return;
  const move = (regs: number[]) => {
    for (const r of regs) if (targets.delete(regKey(from, r))) targets.add(regKey(to, r));
  };
  if (to === from + 1) move([0]);
  else if (to === from - 1) move([1, 2, 3, 4, 5]);
  for (const k of [...targets]) if (!k.startsWith(`${to}:`) && Number(k.split(':')[0]) > Math.max(from, to)) targets.delete(k);
}

function originOfCall(name: string, callee: string, printed: string | undefined, frame: number, nullChecked: boolean): string {
  const helper = callee.replace(/#-?\d+$/, '');
  const value = printed ? parseState(printed).get(frame ? `frame${frame}.R0` : 'R0') : undefined;
  const orNull = value ? valueType(value).endsWith('_or_null') : false;
  const base = `${name} is the result of ${helper}()`;
  if (orNull && !nullChecked) return `${base}, which may be NULL; nothing on this path compares it with 0 before the use`;
  return base;
}

function kernelLink(e: ReportLocation): ChainLink {
  const what = [e.label, e.message].filter(Boolean).join(': ');
  return { role: 'kernel', step: null, insn: e.insn, file: e.file, line: e.line, text: e.insnText ? `${e.insn}: ${e.insnText}: ${what}` : what };
}

function insnLabel(log: VerifierLog, insn: number | null): string {
  if (insn === null) return 'the program';
  const t = log.insns.get(insn)?.text;
  return t ? `${insn}: ${t}` : `insn ${insn}`;
}

function sourceOf(log: VerifierLog, insn: number | null): { file: string | null; line: number | null } {
  const src = insn === null ? -1 : (log.insns.get(insn)?.source ?? -1);
  const s = src >= 0 ? log.sources[src] : undefined;
  return { file: s?.file ?? null, line: s?.line ?? null };
}

