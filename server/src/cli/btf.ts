// `ebpf-ls btf summary|dump|extract`: what a BTF blob holds, and the BTF taken out of a kernel package
// or image.
import { writeFileSync } from 'node:fs';
import { parseBtf } from '../btf/parse';
import { rawDump } from '../btf/raw-dump';
import { unpackBtf } from '../container/unpack';
import { readInput } from '../host/read-input';
import { archFromBtf } from '../kernels/arch';
import { formatSummary, summarize } from '../btf/summary';
import { Command, parseCommandArgs } from './command';
import { loadKernels } from './kernels';
import { InputError, UsageError } from './usage';

/** Writes with backpressure, so a 300k-line dump piped into `head` or a slow reader never piles up. */
function write(chunk: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(chunk)) resolve();
    else process.stdout.once('drain', resolve);
  });
}

export const btfCommand: Command = {
  usage: 'btf summary|dump [--btf FILE]... [--base FILE] [--format raw|json] | btf extract FILE -o OUT',
  summary: 'summary: type counts by kind; dump: every type, as `bpftool btf dump file F format raw` prints it; extract: the raw BTF of a linux-image .deb, a bzImage/vmlinuz, an arm64 Image (raw, .gz, EFI zboot) or a vmlinux',
  async run(argv) {
    const { values, positionals } = parseCommandArgs(argv, {
      btf: { type: 'string', multiple: true },
      base: { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
    });
    const [sub] = positionals;
    if (sub === 'extract') return extract(positionals.slice(1), values.output);
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

/** `btf extract FILE -o OUT`: writes the raw BTF found in FILE, and says where it came from on one line. */
async function extract(files: string[], out: string | undefined): Promise<number> {
  if (files.length !== 1) throw new UsageError('name one kernel package, image or vmlinux to extract the BTF of');
  if (!out) throw new UsageError('name the output file with -o OUT');
  const file = files[0];
  const bytes = readInput(file, 'kernel');
  if (!bytes.ok) throw new InputError(bytes.error);
  const u = await unpackBtf(bytes.value, file);
  if (!u.ok) throw new InputError(u.error);
  const btf = parseBtf(u.value.btf, { source: file });
  if (!btf.ok) throw new InputError(btf.error);
  const arch = u.value.arch ?? archFromBtf(btf.value);
  try {
    writeFileSync(out, u.value.btf);
  } catch (e) {
    throw new InputError(`${out}: cannot write the BTF: ${(e as Error).message}`);
  }
  const from = u.value.member ? ` from ${u.value.member}` : ` from ${file}`;
  const mb = (u.value.btf.length / 1e6).toFixed(1);
  process.stdout.write(`${out}: ${mb} MB of BTF, ${(btf.value.typeCount - 1).toLocaleString('en-US')} types, ${arch ?? 'unknown architecture'},${from} (${u.value.formats.join(' > ')})\n`);
  return 0;
}
