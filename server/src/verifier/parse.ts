// The verifier log, read line by line into ./model's VerifierLog. Streaming: `write()` takes chunks of
// any size, so a log of hundreds of megabytes is read without holding its lines; each instruction line
// costs a few character tests and two substrings, and the steps are kept in typed columns.
//
// What a line is, by its first characters:
//   `12: (bf) r1 = r7          ; R1=ctx() R7=ctx()`  an instruction and the state it touched
//   `12: R0=scalar() R6=ctx()`                       the full state before instruction 12
//   `12: safe`, `from 8 to 11: safe`                 a path pruned (its state matched a verified one)
//   `from 8 to 11: R0=map_value(...) ...`            a branch put aside earlier, taken now (level 2)
//   `; return *v; @ prog.bpf.c:11`                   the source line of the next instructions
//   `mark_precise: ...`                              backtracking for precision (level 2)
//   `func#1 @14`, `Live regs before insn:` + rows    subprograms, liveness (level 2, recent kernels)
//   `processed N insns (limit ...) ...`              the end of the verification, with statistics
//   `Verification failed: ...` and its sections      Linux 7.3's report (./structured)
// Any other line after the last instruction is the verifier's error (there may be two: the
// informative one and the conclusion), unless it is a known harmless note.
import { BranchState, LogError, SourceRef, Subprogram, VerifierLog } from './model';
import { parseReport, REPORT_HEADER } from './structured';

/** Lines that say something but are not errors. */
const NOTES: RegExp[] = [
  /^arg#\d+ reference type\('.*'\) size cannot be determined/,
  /^Validating \S+ func#\d+/,
  /^Func#\d+ \(.*\) is (?:global|safe for)/,
  /^Func#\d+ is (?:global|safe)/,
  /^SCC (?:enter|exit)/,
  /^btf_vmlinux is malformed/,
  /^Unrecognized arg#\d+ type/,
  /^(?:caller|callee|returning from callee):$/,
  /^to caller at \d+:$/,
  /^libbpf: /,
  /^-- (?:BEGIN|END) PROG LOAD LOG --$/,
  /^\([\d,]+\) /,
  /^last_idx \d+ first_idx \d+/,
  /^regs=\S* stack=\S* before /,
  /^parent (?:didn't have|already had) regs=/,
];

const RE_FROM = /^from (\d+) to (\d+)( \(speculative execution\))?:\s*(.*)$/;
const RE_PROCESSED = /^processed (\d+) insns \(limit (\d+)\) max_states_per_insn (\d+) total_states (\d+) peak_states (\d+) mark_read (\d+)/;
const RE_PROCESSED_OLD = /^processed (\d+) insns/;
const RE_FUNC = /^func#(\d+) @(\d+)$/;
const RE_VALIDATING = /^Validating (\S+)\(\) func#(\d+)/;

/** BPF programs have at most a million instructions (BPF_COMPLEXITY_LIMIT_INSNS); ld_imm64 takes two. */
const MAX_INSN = 2_000_000;

export interface ParseOptions {
  /** Keep the state printed after every step (default true); a huge log can drop them to save memory. */
  keepStates?: boolean;
}

class Columns {
  count = 0;
  insn = new Int32Array(1024);
  logLine = new Int32Array(1024);
  source = new Int32Array(1024);
  prev = new Int32Array(1024);
  frame = new Uint8Array(1024);
  state: string[] = [];

  add(insn: number, logLine: number, source: number, prev: number, frame: number): number {
    if (this.count === this.insn.length) this.grow();
    const i = this.count++;
    this.insn[i] = insn;
    this.logLine[i] = logLine;
    this.source[i] = source;
    this.prev[i] = prev;
    this.frame[i] = frame;
    return i;
  }

  private grow(): void {
    const n = this.insn.length * 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    [this.insn, this.logLine, this.source, this.prev] = [g32(this.insn), g32(this.logLine), g32(this.source), g32(this.prev)];
    const f = new Uint8Array(n);
    f.set(this.frame);
    this.frame = f;
  }
}

/** A growable stack of ints (the branches a level-2 walk may come back to). */
class IntStack {
  data = new Int32Array(256);
  size = 0;
  push(v: number): void {
    if (this.size === this.data.length) {
      const b = new Int32Array(this.size * 2);
      b.set(this.data);
      this.data = b;
    }
    this.data[this.size++] = v;
  }
}

export class VerifierLogParser {
  private readonly keepStates: boolean;
  private rest = '';
  private lineNo = 0;
  private readonly steps = new Columns();
  private readonly sources: SourceRef[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private insnText: (string | undefined)[] = [];
  private insnSource = new Int32Array(256).fill(-1);
  private curSource = -1;
  private justAnnotated = false;
  private lastStep = -1;
  private nextPrev = -1;
  private curFrame = 0;
  private pendingFull: string | undefined;
  private readonly candidates = new IntStack();
  private mode: 'normal' | 'live' | 'report' = 'normal';
  private pendingErr: string[] = [];
  private pendingErrLine = -1;
  private pendingErrStep = -1;
  private frozen: { lines: string[]; logLine: number; step: number } | null = null;
  private reportHeader = '';
  private reportLines: string[] = [];
  private firstKind: 'none' | 'content' | 'other' = 'none';
  private firstStepClean = false;
  private readonly out: Omit<VerifierLog, 'steps' | 'sources' | 'insns' | 'lineCount' | 'level' | 'error' | 'truncated' | 'truncation'>;
  private error: LogError | null = null;
  private sawProcessed = false;
  private sawLevel2 = false;

  constructor(opts: ParseOptions = {}) {
    this.keepStates = opts.keepStates ?? true;
    this.out = {
      format: 'classic', notes: [], subprograms: [], liveRegs: new Map(), branches: [], fullStates: new Map(), prunedSteps: [], backtrackingLines: 0,
      stats: { processedInsns: null, insnLimit: null, maxStatesPerInsn: null, totalStates: null, peakStates: null, markRead: null, verificationTimeUsec: null, stackDepth: [] },
      report: null,
    };
  }

  /** Feeds a chunk of the log (any split, even mid-line). */
  write(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      this.rest += chunk;
      return;
    }
    if (this.rest) {
      this.line(this.rest + chunk.slice(0, nl));
      this.rest = '';
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    while (nl >= 0) {
      // Half of a level-2 log is backtracking; it is counted without making a string of it.
      if (this.mode === 'normal' && chunk.charCodeAt(start) === 109 /* m */ && chunk.startsWith('mark_precise:', start)) {
        this.lineNo++;
        this.out.backtrackingLines++;
        this.sawLevel2 = true;
      } else this.line(chunk.slice(start, nl));
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.rest = chunk.slice(start);
  }

  end(): VerifierLog {
    if (this.rest) this.line(this.rest);
    this.rest = '';
    this.finishReport();
    if (!this.sawProcessed) {
      if (!this.frozen) this.freeze();
      this.setError();
    }
    return this.result();
  }

  private line(raw: string): void {
    const l = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    const n = this.lineNo++;
    if (this.mode === 'report') return this.reportLine(l);
    if (this.mode === 'live') {
      if (this.liveRow(l)) return;
      this.mode = 'normal';
    }
    const c = l.charCodeAt(0);
    if (c >= 48 && c <= 57) return this.numbered(l, n);
    if (c === 59) return this.annotation(l);
    if (l.length === 0) return;
    if (!this.special(l, c)) this.other(l, n);
  }

  /** A `Live regs before insn:` row, `      12: 01....6... (0f) r0 += r1` (with a loop depth before the index on recent kernels). */
  private liveRow(l: string): boolean {
    let i = 0;
    while (l.charCodeAt(i) === 32) i++;
    if (i === 0) return false;
    let insn = -1;
    for (;;) {
      const start = i;
      let v = 0;
      for (let c = l.charCodeAt(i); c >= 48 && c <= 57; c = l.charCodeAt(++i)) v = v * 10 + (c - 48);
      if (i === start) return false;
      if (l.charCodeAt(i) === 58 /* : */) {
        insn = v;
        break;
      }
      while (l.charCodeAt(i) === 32) i++;
    }
    const col = l.indexOf(' ', i + 2);
    if (insn < 0 || col < 0 || l.charCodeAt(col + 1) !== 40) return false;
    this.out.liveRegs.set(insn, l.slice(i + 2, col));
    return true;
  }

  /** `N: ...`: an instruction, a full state, or a pruned path. */
  private numbered(l: string, n: number): void {
    let j = 0;
    let insn = 0;
    for (let c = l.charCodeAt(0); c >= 48 && c <= 57; c = l.charCodeAt(++j)) insn = insn * 10 + (c - 48);
    // An index no program can have (a pasted log is anything): not an instruction.
    if (l.charCodeAt(j) !== 58 || j > 7 || insn > MAX_INSN) return this.other(l, n);
    const k = j + 2;
    const c = l.charCodeAt(k);
    if (c === 40 /* ( */) {
      const close = l.indexOf(') ', k);
      if (close < 0) return this.other(l, n);
      const semi = l.indexOf('; ', close + 2);
      let end = semi < 0 ? l.length : semi;
      while (end > close + 2 && l.charCodeAt(end - 1) === 32) end--;
      return this.step(insn, n, l.slice(close + 2, end), semi < 0 ? '' : l.slice(semi + 2));
    }
    if (c === 60 /* < */) return this.step(insn, n, l.slice(k).trimEnd(), '');
    if (l.startsWith('safe', k)) {
      if (this.lastStep >= 0) this.out.prunedSteps.push(this.lastStep);
      this.nextPrev = -1;
      return;
    }
    if (k >= l.length || c === 82 /* R */ || c === 102 /* f */) {
      this.pendingFull = l.slice(k);
      if (this.firstKind === 'none') this.firstKind = 'content';
      if (insn === 0 && this.steps.count === 0) this.firstStepClean = true;
      return;
    }
    this.other(l, n);
  }

  private step(insn: number, n: number, text: string, state: string): void {
    if (this.firstKind === 'none') this.firstKind = 'content';
    if (this.steps.count === 0 && insn === 0) this.firstStepClean = true;
    if (insn >= this.insnSource.length) this.growInsns(insn);
    let source: number;
    if (this.justAnnotated) {
      source = this.curSource;
      if (this.insnSource[insn] < 0) this.insnSource[insn] = source;
      this.justAnnotated = false;
    } else source = this.insnSource[insn] >= 0 ? this.insnSource[insn] : this.curSource;
    while (this.insnText.length <= insn) this.insnText.push(undefined);
    if (this.insnText[insn] === undefined) this.insnText[insn] = text;
    const prev = this.nextPrev === -2 ? this.lastStep : this.nextPrev;
    const s = this.steps.add(insn, n, source, prev, this.curFrame);
    if (this.keepStates) this.steps.state.push(state);
    if (this.pendingFull !== undefined) {
      this.out.fullStates.set(s, this.pendingFull);
      this.pendingFull = undefined;
    }
    this.lastStep = s;
    this.nextPrev = -2;
    if (this.pendingErr.length) this.pendingErr = [];
    // What the next step inherits: the frame after a call or a return, the branches it may come back to.
    const t0 = text.charCodeAt(0);
    if (t0 === 105 /* i */ || (t0 === 99 /* c */ && text.startsWith('call')) || text.startsWith('may_goto')) this.candidates.push(s);
    if (t0 === 99 && text.startsWith('call pc')) this.curFrame++;
    else if (t0 === 101 /* e */ && text === 'exit' && this.curFrame > 0) this.curFrame--;
  }

  private growInsns(insn: number): void {
    let n = this.insnSource.length;
    while (n <= insn) n *= 2;
    const b = new Int32Array(n).fill(-1);
    b.set(this.insnSource);
    this.insnSource = b;
  }

  private annotation(l: string): void {
    if (this.firstKind === 'none') this.firstKind = 'content';
    let idx = this.sourceIndex.get(l);
    if (idx === undefined) {
      idx = this.sources.length;
      this.sources.push(parseAnnotation(l));
      this.sourceIndex.set(l, idx);
    }
    this.curSource = idx;
    this.justAnnotated = true;
  }

  /** Lines recognised by their first word; false when the line is none of them. */
  private special(l: string, c: number): boolean {
    if (c === 109 /* m */ && l.startsWith('mark_precise:')) {
      this.out.backtrackingLines++;
      this.sawLevel2 = true;
      return true;
    }
    if (c === 102 /* f */) {
      if (l.startsWith('from ')) return this.from(l);
      const m = RE_FUNC.exec(l);
      if (m) {
        this.sawLevel2 = true;
        this.subprogram(Number(m[1]), Number(m[2]), null);
        return this.content();
      }
      return false;
    }
    if (c === 112 /* p */ && l.startsWith('processed ')) return this.processed(l);
    if (c === 118 /* v */ && l.startsWith('verification time ')) {
      this.out.stats.verificationTimeUsec = parseInt(l.slice(18), 10);
      return true;
    }
    if (c === 115 /* s */ && l.startsWith('stack depth ')) {
      this.out.stats.stackDepth = l.slice(12).trim().split('+').map(Number);
      return true;
    }
    if (c === 76 /* L */ && l.startsWith('Live regs before insn:')) {
      this.mode = 'live';
      this.sawLevel2 = true;
      return this.content();
    }
    if (c === 86 /* V */ && l.startsWith(REPORT_HEADER)) {
      this.freeze();
      this.mode = 'report';
      this.reportHeader = l;
      this.reportLines = [];
      this.out.format = 'structured';
      return true;
    }
    if (c === 82 /* R */ && /^R\d+(?:_\w+)?=/.test(l)) {
      this.pendingFull = l;
      return this.content();
    }
    if (c === 32 /* indented: a state printed on its own line (caller:/callee:) */ && this.steps.count > 0) return true;
    return this.note(l);
  }

  private content(): true {
    if (this.firstKind === 'none') this.firstKind = 'content';
    return true;
  }

  private note(l: string): boolean {
    if (!NOTES.some((re) => re.test(l))) return false;
    const v = RE_VALIDATING.exec(l);
    if (v) {
      this.subprogram(Number(v[2]), -1, v[1]);
      this.nextPrev = -1;
    }
    if (this.out.notes.length < 1000) this.out.notes.push(l);
    return this.content();
  }

  private subprogram(index: number, start: number, name: string | null): void {
    const s = this.out.subprograms.find((p) => p.index === index);
    if (s) {
      if (start >= 0) s.start = start;
      if (name) s.name = name;
    } else this.out.subprograms.push({ index, start, name, stackDepth: null } satisfies Subprogram);
  }

  /** `from X to Y: ...`: the walk comes back to the branch X left for later. */
  private from(l: string): boolean {
    const m = RE_FROM.exec(l);
    if (!m) return false;
    const from = Number(m[1]);
    const safe = m[4].trim() === 'safe';
    const cand = this.candidates;
    // `from 14 to 3` right after instruction 14 (a callee's exit): the same path goes on in the caller.
    const continues = this.lastStep >= 0 && this.steps.insn[this.lastStep] === from && this.nextPrev === -2;
    let match = continues ? this.lastStep : -1;
    while (!continues && cand.size > 0) {
      const s = cand.data[--cand.size];
      if (this.steps.insn[s] === from) {
        match = s;
        break;
      }
    }
    if (!safe) this.sawLevel2 = true;
    const b: BranchState = { logLine: this.lineNo - 1, from, to: Number(m[2]), safe, speculative: !!m[3], step: safe ? -1 : this.steps.count };
    this.out.branches.push(b);
    if (match >= 0 && !continues) this.curFrame = this.steps.frame[match];
    this.nextPrev = safe ? -1 : match;
    if (!safe && m[4]) this.pendingFull = m[4];
    return this.content();
  }

  private processed(l: string): boolean {
    const m = RE_PROCESSED.exec(l) ?? RE_PROCESSED_OLD.exec(l);
    if (!m) return false;
    const st = this.out.stats;
    st.processedInsns = Number(m[1]);
    [st.insnLimit, st.maxStatesPerInsn, st.totalStates, st.peakStates, st.markRead] = m.length > 2 ? m.slice(2, 7).map(Number) : [null, null, null, null, null];
    this.finishReport();
    if (!this.frozen) this.freeze();
    this.setError();
    this.sawProcessed = true;
    return this.content();
  }

  private other(l: string, n: number): void {
    if (this.firstKind === 'none') this.firstKind = 'other';
    if (this.pendingErr.length === 0) {
      this.pendingErrLine = n;
      this.pendingErrStep = this.lastStep;
    }
    if (this.pendingErr.length < 64) this.pendingErr.push(l.trim());
  }

  private freeze(): void {
    this.frozen = this.pendingErr.length ? { lines: this.pendingErr, logLine: this.pendingErrLine, step: this.pendingErrStep } : null;
    this.pendingErr = [];
  }

  private setError(): void {
    const report = this.out.report;
    const f = this.frozen ?? (report ? { lines: [[report.category, report.title].filter(Boolean).join(': ')], logLine: -1, step: this.lastStep } : null);
    this.frozen = null;
    if (!f) {
      this.error = null;
      return;
    }
    const insn = f.step >= 0 ? this.steps.insn[f.step] : (report?.at?.insn ?? errorInsnFromMessage(f.lines));
    const src = f.step >= 0 ? this.steps.source[f.step] : insn !== null && insn < this.insnSource.length ? this.insnSource[insn] : -1;
    const s = src >= 0 ? this.sources[src] : undefined;
    this.error = {
      message: f.lines[f.lines.length - 1], lines: f.lines, insn, step: f.step >= 0 ? f.step : null, logLine: f.logLine,
      file: s?.file ?? report?.at?.file ?? null, line: s?.line ?? report?.at?.line ?? null, sourceText: s?.text ?? report?.at?.sourceText?.trim() ?? null,
    };
  }

  private reportLine(l: string): void {
    if (l.startsWith('processed ')) {
      this.mode = 'normal';
      this.processed(l);
      return;
    }
    this.reportLines.push(l);
  }

  private finishReport(): void {
    if (!this.reportHeader) return;
    this.out.report = parseReport(this.reportHeader, this.reportLines);
    this.reportHeader = '';
    this.reportLines = [];
    if (this.mode === 'report') this.mode = 'normal';
  }

  private result(): VerifierLog {
    const st = this.steps;
    // An instruction's source is fixed: the annotation printed right before it, once seen, holds for
    // every visit; else the annotation in effect when it was first walked.
    const auth = this.insnSource;
    const first = new Int32Array(auth.length).fill(-1);
    for (let i = 0; i < st.count; i++) {
      const insn = st.insn[i];
      if (auth[insn] >= 0) st.source[i] = auth[insn];
      else if (first[insn] < 0) first[insn] = st.source[i];
    }
    const insns = new Map<number, { text: string; source: number }>();
    this.insnText.forEach((text, i) => {
      if (text !== undefined) insns.set(i, { text, source: auth[i] >= 0 ? auth[i] : first[i] });
    });
    this.out.stats.stackDepth.forEach((d, i) => {
      const s = this.out.subprograms.find((p) => p.index === i);
      if (s) s.stackDepth = d;
    });
    const walkUnfinished = st.count > 0 || (this.firstKind === 'content' && !this.error);
    const truncation = !this.sawProcessed && walkUnfinished ? 'tail' : this.headCut() ? 'head' : null;
    return {
      ...this.out,
      lineCount: this.lineNo,
      level: this.sawLevel2 ? 2 : 1,
      sources: this.sources,
      insns,
      steps: { count: st.count, insn: st.insn.subarray(0, st.count), logLine: st.logLine.subarray(0, st.count), source: st.source.subarray(0, st.count), prev: st.prev.subarray(0, st.count), frame: st.frame.subarray(0, st.count), state: st.state },
      error: this.error,
      truncated: truncation !== null,
      truncation,
    };
  }

  /** A rotating log the kernel cut keeps its end: it starts mid-line, or at an instruction other than the first. */
  private headCut(): boolean {
    return this.steps.count > 0 && (this.firstKind === 'other' || !this.firstStepClean) && this.out.subprograms.length === 0;
  }
}

/** `; code @ file:line` (or `; code` when the kernel knows no file). */
export function parseAnnotation(l: string): SourceRef {
  const body = l.slice(1).trim();
  const at = body.lastIndexOf(' @ ');
  if (at >= 0) {
    const loc = body.slice(at + 3);
    const colon = loc.lastIndexOf(':');
    const line = colon > 0 ? Number(loc.slice(colon + 1)) : NaN;
    if (Number.isInteger(line)) return { file: loc.slice(0, colon), line, text: body.slice(0, at).trim() };
  }
  return { file: null, line: null, text: body };
}

/** Errors that name their instruction (found before any instruction was walked). */
function errorInsnFromMessage(lines: readonly string[]): number | null {
  for (const l of lines) {
    const m = /(?:back-edge from insn|infinite loop detected at insn|unreachable insn|jump out of range from insn|alloc_insn=) ?(\d+)/.exec(l);
    if (m) return Number(m[1]);
  }
  return null;
}

/** Parses a whole log at once. */
export function parseVerifierLog(text: string, opts: ParseOptions = {}): VerifierLog {
  const p = new VerifierLogParser(opts);
  p.write(text);
  return p.end();
}
