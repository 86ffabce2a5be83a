// The trace output's filter: trace_pipe carries every process's bpf_printk lines (the editor's own
// processes among them), so the output keeps only the lines the user asks for, by process name or text.
//
// A filter is words: a line is shown when its process name or its message contains one of the plain
// words (any line, when there are none), unless it contains a word written with a leading `-` or `!`.
// Case does not matter. Lines that are not trace lines (the `#` notes) are always shown.

export interface TraceLine {
  /** The task's name (`comm`), as trace_pipe prints it. */
  process: string;
  pid: number;
  /** What the program printed (after `bpf_trace_printk:`). */
  message: string;
}

/** `           <...>-1234    [003] d..31  1234.567890: bpf_trace_printk: hello` (with or without the TGID column and flags). */
const TRACE_LINE = /^\s*(.*?)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[\d+\]\s+(?:[^\s:]+\s+)?\d+\.\d+:\s+(?:[\w.]+:\s)?(.*)$/;

export function parseTraceLine(line: string): TraceLine | undefined {
  const m = TRACE_LINE.exec(line);
  return m ? { process: m[1].trim(), pid: Number(m[2]), message: m[3] } : undefined;
}

export class TraceFilter {
  readonly include: string[];
  readonly exclude: string[];

  constructor(readonly text: string) {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    this.include = words.filter((w) => !/^[-!]/.test(w));
    this.exclude = words.filter((w) => /^[-!]./.test(w)).map((w) => w.slice(1));
  }

  get empty(): boolean {
    return !this.include.length && !this.exclude.length;
  }

  accepts(line: string): boolean {
    if (this.empty) return true;
    const t = parseTraceLine(line);
    if (!t) return true;
    const hay = [t.process.toLowerCase(), t.message.toLowerCase()];
    if (this.exclude.some((w) => hay.some((h) => h.includes(w)))) return false;
    return !this.include.length || this.include.some((w) => hay.some((h) => h.includes(w)));
  }
}
