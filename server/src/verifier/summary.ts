// One log, summarised the way `ebpf-ls verifier-log --format json` and `verify --format json` print it:
// { accepted, processedInsns, truncated, error, lines, causalChain }, nulls where the log does not say.
import { causalChain, ChainLink } from './causal';
import { explain, explanationText, informativeLine } from './explanations';
import { VerifierLog } from './model';
import { hottestLine, lineStats } from './stats';

export interface LogSummary {
  accepted: boolean;
  processedInsns: number | null;
  truncated: boolean;
  error: {
    message: string;
    /** Every error line the verifier printed, and the one that explains it best (highlight it). */
    lines: string[];
    informative: string | null;
    insn: number | null;
    file: string | null;
    line: number | null;
    explanation: string | null;
    /** Linux 7.3's report: its category and title, reason and suggestion. */
    category: string | null;
    reason: string | null;
    suggestion: string | null;
  } | null;
  lines: { file: string | null; line: number | null; visits: number; states: number }[];
  hottest: { file: string | null; line: number | null; visits: number } | null;
  causalChain: { insn: number | null; file: string | null; line: number | null; text: string; role: ChainLink['role'] }[];
  stats: VerifierLog['stats'];
  level: 1 | 2;
  format: VerifierLog['format'];
}

export function summarizeLog(log: VerifierLog): LogSummary {
  const e = log.error;
  const ex = e ? explain(e.lines) : null;
  const report = log.report;
  const stats = lineStats(log);
  const hot = hottestLine(stats);
  return {
    accepted: !e && log.stats.processedInsns !== null && !log.truncated,
    processedInsns: log.stats.processedInsns,
    truncated: log.truncated,
    error: e && {
      message: e.message,
      lines: e.lines,
      informative: informativeLine(e.lines, ex),
      insn: e.insn,
      file: e.file,
      line: e.line,
      explanation: ex ? explanationText(ex) : null,
      category: report ? [report.category, report.title].filter(Boolean).join(': ') : null,
      reason: report?.reason ?? null,
      suggestion: report?.suggestion ?? null,
    },
    lines: stats.map((s) => ({ file: s.file, line: s.line, visits: s.visits, states: s.states })),
    hottest: hot && { file: hot.file, line: hot.line, visits: hot.visits },
    causalChain: causalChain(log).map((c) => ({ insn: c.insn, file: c.file, line: c.line, text: c.text, role: c.role })),
    stats: log.stats,
    level: log.level,
    format: log.format,
  };
}
