// Where the verifier spent its budget: instruction visits, states and pruned paths per source line. The
// loop behind "The sequence of 8193 jumps is too complex." or "BPF program is too large" is the hottest line.
import { VerifierLog } from './model';

export interface LineStat {
  file: string | null;
  line: number | null;
  /** The source text the annotation printed. */
  text: string;
  /** Instruction visits (a step per instruction walked, every path, every iteration). */
  visits: number;
  /** Full states printed at the line's instructions (branch states taken up, checkpoints). */
  states: number;
  /** Paths found safe by pruning at the line. */
  pruned: number;
  /** The instructions the line compiled to (those the log shows), ascending. */
  insns: number[];
}

/** Per source line, in file and line order; instructions with no annotation are left out. */
export function lineStats(log: VerifierLog): LineStat[] {
  const bySource = new Int32Array(log.sources.length);
  const statesBySource = new Int32Array(log.sources.length);
  const prunedBySource = new Int32Array(log.sources.length);
  const { source, count } = log.steps;
  for (let i = 0; i < count; i++) if (source[i] >= 0) bySource[source[i]]++;
  for (const s of log.fullStates.keys()) if (source[s] >= 0) statesBySource[source[s]]++;
  for (const s of log.prunedSteps) if (source[s] >= 0) prunedBySource[source[s]]++;
  const insnsBySource = new Map<number, number[]>();
  for (const [insn, info] of log.insns) {
    if (info.source < 0) continue;
    const list = insnsBySource.get(info.source) ?? [];
    list.push(insn);
    insnsBySource.set(info.source, list);
  }
  // Sources are unique per annotation line; merge those naming the same file:line.
  const merged = new Map<string, LineStat>();
  log.sources.forEach((src, i) => {
    const key = src.line !== null ? `${src.file}:${src.line}` : `text:${src.text}`;
    const m = merged.get(key) ?? { file: src.file, line: src.line, text: src.text, visits: 0, states: 0, pruned: 0, insns: [] };
    m.visits += bySource[i];
    m.states += statesBySource[i];
    m.pruned += prunedBySource[i];
    m.insns.push(...(insnsBySource.get(i) ?? []));
    merged.set(key, m);
  });
  const out = [...merged.values()].filter((m) => m.visits > 0 || m.insns.length > 0);
  for (const m of out) m.insns.sort((a, b) => a - b);
  return out.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0));
}

/** The line with the most visits (the first in source order on a tie), or null. */
export function hottestLine(stats: readonly LineStat[]): LineStat | null {
  let best: LineStat | null = null;
  for (const s of stats) if (!best || s.visits > best.visits) best = s;
  return best && best.visits > 0 ? best : null;
}
