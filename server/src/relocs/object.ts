// A compiled BPF object's CO-RE relocations: read from .BTF/.BTF.ext, mapped to source lines through
// line_info, and resolved against target kernels the way libbpf does when it loads the object.
import { Btf } from '../btf/btf';
import { parseBtf } from '../btf/parse';
import { BtfExt, LineInfo, parseBtfExt } from '../elf/btf-ext';
import { EM_BPF, Elf, STT_FUNC, parseElf } from '../elf/elf';
import { fail, ok, Result } from '../result';
import { RelocationKind, RELO_KINDS } from './kinds';
import { CoreSpec, describeSpec, essentialName, findCandidates, parseSpec, resolveRelocation } from './relo-core';

export interface BpfObject {
  source: string;
  elf: Elf;
  btf: Btf;
  ext: BtfExt;
}

export interface SourceLine {
  file: string;
  line: number;
  column: number;
  text: string;
}

export interface ObjectRelocation {
  /** Code section (`kprobe/do_unlinkat`, `.text`). */
  section: string;
  /** Order within its section, as libbpf numbers `relo #N`. */
  index: number;
  /** Byte offset of the instruction in its section, as .BTF.ext records it. */
  insnOffset: number;
  kind: string;
  kindValue: number;
  typeId: number;
  /** The access string, e.g. `0:12:0`. */
  spec: string;
  /** What it accesses, e.g. `struct task_struct.real_parent`. */
  access: string;
  /** The name its source line shows: the last field, the enumerator or the type, without flavour. */
  name: string;
  source?: SourceLine;
  /** Set when the relocation itself is malformed. */
  error?: string;
}

export type RelocValue = number | string;

export interface KernelResolution {
  kernel: string;
  /** A matching target was found (for existence kinds, unresolved simply means the value 0). */
  resolved: boolean;
  /** libbpf would replace the instruction with a call of the invalid helper `CORE_POISON_VALUE` (./poison). */
  poisoned: boolean;
  /** The value libbpf patches into the instruction (offset, size, 0/1, enum value, type id). */
  value?: RelocValue;
  /** The value the compiler put there, from the object's own BTF. */
  localValue?: RelocValue;
  /** The target type and access, e.g. `struct task_struct.__state`, with its raw spec. */
  target?: { typeId: number; access: string; spec: string; bitOffset: number };
  candidates: number;
  error?: string;
}

export interface RelocationReport extends ObjectRelocation {
  targets: KernelResolution[];
}

export function readBpfObject(bytes: Uint8Array, source: string): Result<BpfObject> {
  const elf = parseElf(bytes, source);
  if (!elf.ok) return elf;
  const e = elf.value;
  if (e.machine !== EM_BPF) return fail(`${source}: not a BPF object (ELF machine ${e.machine}, expected ${EM_BPF}): compile it with clang -target bpf`);
  const btfSec = e.section('.BTF');
  if (!btfSec) return fail(`${source}: the object has no .BTF section: compile it with -g`);
  const btf = parseBtf(e.sectionData(btfSec), { source: `${source} (.BTF)` });
  if (!btf.ok) return btf;
  const extSec = e.section('.BTF.ext');
  let ext: BtfExt = { funcInfo: [], lineInfo: [], coreRelos: [] };
  if (extSec) {
    const parsed = parseBtfExt(e.sectionData(extSec), btf.value, source);
    if (!parsed.ok) return parsed;
    ext = parsed.value;
  }
  for (const s of ext.coreRelos) {
    const code = e.section(s.name);
    if (!code) return fail(`${source}: invalid .BTF.ext: CO-RE relocations name section '${s.name}', which the object does not have`);
    const bad = s.records.find((r) => r.insnOffset % 8 !== 0 || r.insnOffset + 8 > code.size);
    if (bad) return fail(`${source}: invalid .BTF.ext: a CO-RE relocation points at byte ${bad.insnOffset} of '${s.name}' (${code.size} bytes)`);
  }
  return ok({ source, elf: e, btf: btf.value, ext });
}

/**
 * The source line of a relocated instruction. line_info only marks where the line changes, and clang
 * gives the constants it hoists before a statement (the usual CO-RE `r1 = 1280`) no line at all, so
 * such an instruction sits between its statement's record and the previous one's. Between the two,
 * the line whose text names what the relocation accesses wins; failing that, the next line for a
 * hoisted constant and the previous one for a load or store, which carries its own location.
 */
function lineOf(lines: LineInfo[] | undefined, insnOffset: number, needle: string, loadOrStore: boolean): SourceLine | undefined {
  if (!lines?.length) return undefined;
  let next = lines.findIndex((l) => l.insnOffset >= insnOffset);
  if (next < 0) next = lines.length;
  const exact = lines[next]?.insnOffset === insnOffset ? lines[next] : undefined;
  const before = lines[next - 1];
  const after = lines[next];
  const names = (l: LineInfo | undefined) => !!l && !!needle && l.text.includes(needle);
  const pick = exact ?? (names(before) && !names(after) ? before : names(after) && !names(before) ? after : loadOrStore ? before ?? after : after ?? before);
  return pick && { file: pick.file, line: pick.line, column: pick.column, text: pick.text };
}

export function objectRelocations(obj: BpfObject): ObjectRelocation[] {
  const linesBySection = new Map(obj.ext.lineInfo.map((s) => [s.name, s.records]));
  const out: ObjectRelocation[] = [];
  for (const sec of obj.ext.coreRelos) {
    sec.records.forEach((r, index) => {
      const spec = parseSpec(obj.btf, r);
      const needle = spec.ok ? reloNeedle(spec.value) : '';
      out.push({
        section: sec.name,
        index,
        insnOffset: r.insnOffset,
        kind: RELO_KINDS[r.kind]?.name ?? `unknown(${r.kind})`,
        kindValue: r.kind,
        typeId: r.typeId,
        spec: r.access,
        access: spec.ok ? describeSpec(spec.value) : '',
        name: needle,
        source: lineOf(linesBySection.get(sec.name), r.insnOffset, needle, isLoadOrStore(insnClass(obj, sec.name, r.insnOffset))),
        error: spec.ok ? undefined : spec.error,
      });
    });
  }
  return out;
}

const asValue = (v: bigint): RelocValue => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

const BPF_CLASS_LDX = 1;
const BPF_CLASS_ST = 2;
const BPF_CLASS_STX = 3;

/**
 * Resolves every relocation against each kernel, in libbpf's order and with its per-type candidate
 * cache, which a matching relocation narrows for the relocations after it.
 */
export function resolveObjectRelocations(obj: BpfObject, relocs: readonly ObjectRelocation[], kernels: readonly { label: string; btf: Btf }[]): RelocationReport[] {
  const reports: RelocationReport[] = relocs.map((r) => ({ ...r, targets: [] }));
  // Local specs are the same for every kernel: parsed once.
  const specs = reports.map((r) => (r.error ? undefined : parseSpec(obj.btf, { typeId: r.typeId, access: r.spec, kind: r.kindValue })));
  for (const kernel of kernels) {
    const cache = new Map<number, number[]>();
    reports.forEach((report, i) => {
      const res: KernelResolution = { kernel: kernel.label, resolved: false, poisoned: false, candidates: 0 };
      report.targets.push(res);
      const spec = specs[i];
      if (!spec?.ok) {
        res.error = report.error; // objectRelocations met the same parse error
        return;
      }
      let cands = cache.get(report.typeId);
      if (!cands && report.kindValue !== RelocationKind.TypeIdLocal) cache.set(report.typeId, (cands = findCandidates(obj.btf, report.typeId, kernel.btf)));
      const r = resolveRelocation(spec.value, kernel.btf, cands ?? []);
      if (!r.ok) {
        res.error = r.error;
        return;
      }
      const { matches, result } = r.value;
      if (cands) cache.set(report.typeId, r.value.candidates);
      res.candidates = cands?.length ?? 0;
      res.resolved = matches.length > 0 || report.kindValue === RelocationKind.TypeIdLocal;
      // libbpf poisons a load/store whose size cannot be adjusted safely, only when it patches one.
      res.poisoned = result.poison || (result.failMemszAdjust && isLoadOrStore(insnClass(obj, report.section, report.insnOffset)));
      res.localValue = asValue(result.origVal);
      if (!res.poisoned) res.value = asValue(result.newVal);
      if (matches.length) {
        const s = matches[0].spec;
        res.target = { typeId: s.rootTypeId, access: describeSpec(s), spec: s.raw.join(':'), bitOffset: s.bitOffset };
      }
    });
  }
  return reports;
}

function insnClass(obj: BpfObject, section: string, insnOffset: number): number {
  return obj.elf.sectionData(obj.elf.section(section)!)[insnOffset] & 7;
}

const isLoadOrStore = (cls: number) => cls === BPF_CLASS_LDX || cls === BPF_CLASS_ST || cls === BPF_CLASS_STX;

/** What a source line that causes this relocation names: the last field, the enumerator or the type. */
function reloNeedle(spec: CoreSpec): string {
  const named = spec.accessors.filter((a) => a.name);
  if (named.length) return essentialName(named[named.length - 1].name!);
  return essentialName(spec.btf.name(spec.rootTypeId));
}

/**
 * The relocation behind a verifier's `CORE_POISON_CALL` (./poison) in a program: the poisoned one at
 * the failing instruction (program-relative in the log, so offset by the program's start in its section),
 * else the poisoned one on the source line the log names.
 */
export function poisonedRelocation(obj: BpfObject, reports: RelocationReport[], program: { name: string; section: string }, insn: number | undefined, line: number | undefined): RelocationReport | undefined {
  const poisoned = reports.filter((r) => r.section === program.section && r.targets.some((t) => t.poisoned));
  const sym = obj.elf.symbols().find((s) => s.name === program.name && s.type === STT_FUNC && obj.elf.sections[s.shndx]?.name === program.section);
  const start = sym ? Number(sym.value) / 8 : 0;
  return (insn !== undefined ? poisoned.find((r) => r.insnOffset / 8 === start + insn) : undefined) ?? poisoned.find((r) => line !== undefined && r.source?.line === line);
}
