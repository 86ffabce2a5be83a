// `ebpf-ls btf summary|dump`: what a BTF blob holds.
import { rawDump } from '../btf/raw-dump';
import { formatSummary, summarize } from '../btf/summary';
import { Command, parseCommandArgs } from './command';
import { loadKernels } from './kernels';
import { UsageError } from './usage';

/** Writes with backpressure, so a 300k-line dump piped into `head` or a slow reader never piles up. */
function write(chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(chunk)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

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
      for (const k of kernels.all) {
        const s = summarize(k.btf);
        process.stdout.write(values.format === 'json' ? JSON.stringify(s) + '\n' : formatSummary(s));
      }
      return 0;
    }
    if (sub === 'dump') {
      if (values.format !== undefined && values.format !== 'raw') throw new UsageError(`unknown dump format '${values.format}' (only raw)`);
      for (const k of kernels.all) for (const chunk of rawDump(k.btf)) await write(chunk);
      return 0;
    }
    throw new UsageError(`unknown subcommand '${sub ?? ''}'`);
  },
};
