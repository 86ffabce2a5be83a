// `ebpf-ls verifier-log LOG`: any verifier log (one verify wrote, libbpf printed, or a paste from a
// production failure; levels 1 and 2, Linux 7.3 reports) read into the error at its source line, the
// explanation, the causal chain and the per-line statistics.
import { parseLogFile } from '../host/verify';
import { renderSummary } from '../verifier/render';
import { summarizeLog } from '../verifier/summary';
import { Command, parseCommandArgs } from './command';
import { EXIT_FINDINGS, InputError, UsageError } from './usage';

export const verifierLogCommand: Command = {
  usage: 'verifier-log LOG [--format text|json]',
  summary: 'read a verifier log (levels 1 and 2, Linux 7.3 reports, cut logs): the error at its source line, why, the causal chain, visits per line (exit 1 if it shows a rejection)',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, { format: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('name one log file (- for standard input)');
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format is text or json, not ${format}`);
    const parsed = await parseLogFile(positionals[0] === '-' ? '/dev/stdin' : positionals[0]);
    if (!parsed.ok) throw new InputError(parsed.error);
    const s = summarizeLog(parsed.value);
    if (format === 'json') {
      const { accepted, processedInsns, truncated, error, lines, hottest, causalChain, stats, level } = s;
      process.stdout.write(JSON.stringify({ accepted, processedInsns, truncated, error, lines, hottest, causalChain, stats, level, format: s.format }, null, 2) + '\n');
    } else process.stdout.write(renderSummary(s));
    return s.error ? EXIT_FINDINGS : 0;
  },
};
