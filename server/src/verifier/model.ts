// The verifier log as data: what the kernel's verifier printed while it walked a program, read by
// ./parse. Level 1 prints the instructions of the path it is on (rewinding the log when a path ends
// safely, so a rejected program's level-1 log is the rejected path); level 2 prints every path, each
// popped branch after a `from X to Y:` header, and the register state before branches.

/** A `; code @ file.bpf.c:42` annotation (libbpf's line_info); file and line are null when the kernel printed only the code. */
export interface SourceRef {
  file: string | null;
  line: number | null;
  text: string;
}

export interface Subprogram {
  /** func#N. */
  index: number;
  /** Its first instruction. */
  start: number;
  /** Known for global functions (`Validating name() func#N...`) and from the 7.3 report. */
  name: string | null;
  /** From `stack depth A+B+C` (log level 4, which verify adds), in subprogram order. */
  stackDepth: number | null;
}

/**
 * The processed instructions in log order, one row per visit (an instruction the verifier walked over
 * more than once has a row per visit), in columns.
 */
export interface Steps {
  count: number;
  /** Instruction index. */
  insn: Int32Array;
  /** 0-based line of the log. */
  logLine: Int32Array;
  /** Index into `VerifierLog.sources`, or -1. */
  source: Int32Array;
  /** The step before this one on the same path (through `from X to Y` to the branch it came from), or -1. */
  prev: Int32Array;
  /** Call depth (0 for the main program). */
  frame: Uint8Array;
  /** The registers and stack slots the instruction touched, as printed after it (`R0=map_value(...) R10=fp0`), or ''. */
  state: string[];
}

/** A `from X to Y:` header: the verifier took a branch it had put aside. */
export interface BranchState {
  logLine: number;
  from: number;
  to: number;
  /** `from X to Y: safe`: pruned at once, the state matched one already verified. */
  safe: boolean;
  speculative: boolean;
  /** The first step after the header (when not safe). */
  step: number;
}

export interface LogStats {
  processedInsns: number | null;
  insnLimit: number | null;
  maxStatesPerInsn: number | null;
  totalStates: number | null;
  peakStates: number | null;
  markRead: number | null;
  verificationTimeUsec: number | null;
  /** Per subprogram, from `stack depth 8+0+16`. */
  stackDepth: number[];
}

/** Linux 7.3's report: `Verification failed: <Category>: <Title>` and its sections. */
export interface StructuredReport {
  category: string;
  title: string;
  reason: string | null;
  at: ReportLocation | null;
  causalPath: ReportLocation[];
  /** Lines such as `no retained diagnostic events on this path` or `12 intermediate causal-history events omitted`. */
  causalNotes: string[];
  suggestion: string | null;
  /** Any other section (`Active lock:`...), by title, as its lines. */
  other: Record<string, string[]>;
}

/** One `At:`-style block: where (function, file:line:col, instruction) and what (`error: ...`, `update: ...`). */
export interface ReportLocation {
  func: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  insn: number | null;
  /** The label before the colon on the `^--` line: error, update, spilled, invalidated, branch, acquired... */
  label: string | null;
  message: string | null;
  /** The source line marked `>>>` (tabs expanded as the kernel prints them). */
  sourceText: string | null;
  /** The instruction marked `>>>`. */
  insnText: string | null;
}

export interface LogError {
  /** The verifier's last word (`R0 max value is outside of the allowed memory range`). */
  message: string;
  /** Every error line, in order: the informative one may come first (`invalid access to map value, value_size=64 off=120 size=8`). */
  lines: string[];
  /** The instruction it stopped at, and its step. */
  insn: number | null;
  step: number | null;
  logLine: number;
  file: string | null;
  line: number | null;
  sourceText: string | null;
}

export interface VerifierLog {
  lineCount: number;
  /** 2 when the log shows level-2 detail (branch states, backtracking, liveness), else 1. */
  level: 1 | 2;
  format: 'classic' | 'structured';
  /** Lines before or between instructions that are not errors (`arg#0 reference type('UNKNOWN ') ...`, `func#0 @0`). */
  notes: string[];
  subprograms: Subprogram[];
  /** `Live regs before insn:` (recent kernels, level 2): per instruction, the live registers column (`.12...6...`). */
  liveRegs: Map<number, string>;
  sources: SourceRef[];
  /** Per instruction index: its disassembly and source (index into `sources`, or -1). */
  insns: Map<number, { text: string; source: number }>;
  steps: Steps;
  branches: BranchState[];
  /** Full states printed before a step (`12: R0=scalar() R6=ctx() ...` or a `from X to Y:` state), by step. */
  fullStates: Map<number, string>;
  /** Per step where the verifier found a path safe by pruning (`N: safe`), the step. */
  prunedSteps: number[];
  /** `mark_precise:` lines (level-2 backtracking), counted. */
  backtrackingLines: number;
  error: LogError | null;
  stats: LogStats;
  /** The log was cut: it ends before `processed N insns` ('tail'), or starts mid-way ('head', the kernel keeps the end of a rotating log). */
  truncated: boolean;
  truncation: 'head' | 'tail' | null;
  report: StructuredReport | null;
}
