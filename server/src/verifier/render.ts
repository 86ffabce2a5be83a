// A log summary as text for a terminal: the error at its line, the line that explains it, why, the
// causal chain nearest first, and where the verifier spent its budget.
import { LogSummary } from './summary';

const where = (file: string | null, line: number | null) => (file || line !== null ? `${file ?? '?'}:${line ?? '?'}` : '');

/** The lines after a verdict's headline, each starting with `indent`. */
export function renderSummaryDetails(s: Pick<LogSummary, 'error' | 'causalChain' | 'hottest' | 'truncated'>, indent = '    ', chainMax = 8): string[] {
  const out: string[] = [];
  const e = s.error;
  if (e) {
    if (e.informative && e.informative !== e.message) out.push(`${indent}${e.informative}`);
    if (e.explanation) out.push(`${indent}${e.explanation}`);
    if (e.reason) out.push(`${indent}kernel's reason: ${e.reason}`);
    if (e.suggestion) out.push(`${indent}kernel's suggestion: ${e.suggestion}`);
  }
  const chain = s.causalChain.slice(e ? 1 : 0, chainMax + 1);
  if (chain.length) {
    out.push(`${indent}causal chain (nearest first):`);
    for (const c of chain) out.push(`${indent}  ${where(c.file, c.line).padEnd(24)} ${c.text}`);
    if (s.causalChain.length > chainMax + 1) out.push(`${indent}  ... ${s.causalChain.length - chainMax - 1} more`);
  }
  // Where the budget went matters when it ran out; a few visits per line say nothing.
  if (s.hottest && s.hottest.visits >= 100) out.push(`${indent}hottest line: ${where(s.hottest.file, s.hottest.line)} (${s.hottest.visits} instruction visits)`);
  if (s.truncated) out.push(`${indent}the log is cut: what it does not hold is not known`);
  return out;
}

/** A whole summary: the verdict, then its details. */
export function renderSummary(s: LogSummary): string {
  const head = s.error
    ? `REJECTED${where(s.error.file, s.error.line) ? ` at ${where(s.error.file, s.error.line)}` : ''}${s.error.insn !== null ? ` (insn ${s.error.insn})` : ''}: ${s.error.message}`
    : s.accepted
      ? `accepted: ${s.processedInsns} instructions processed${s.stats.stackDepth.length ? `, stack depth ${s.stats.stackDepth.join('+')}` : ''}`
      : s.truncated
        ? 'no verdict: the log is cut before the verifier finished'
        : 'no verdict: the log holds no error and no statistics';
  return [head, ...renderSummaryDetails(s)].join('\n') + '\n';
}
