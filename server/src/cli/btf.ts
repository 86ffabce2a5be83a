// `ebpf-ls btf summary|dump`: what a BTF blob holds.
import { formatSummary, summarize } from '../btf/summary';
import { Command, parseCommandArgs } from './main';
import { loadKernels } from './kernels';
import { UsageError } from './usage';

export const btfCommand: Command = {
  usage: 'btf summary|dump [--btf FILE]... [--base FILE] [--format raw|json]',
  summary: 'summary: type counts by kind; dump: every type, as `bpftool btf dump file F format raw` prints it',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      btf: { type: 'string', multiple: true },
      base: { type: 'string' },
      format: { type: 'string' },
    });
    const [sub] = positionals;
    const kernels = await loadKernels(values.btf, values.base);
    if (sub === 'summary') {
      for (const k of kernels) {
        const s = summarize(k.btf);
        process.stdout.write(values.format === 'json' ? JSON.stringify(s) + '\n' : formatSummary(s));
      }
      return 0;
    }
    throw new UsageError(`unknown subcommand '${sub ?? ''}'`);
  },
};
