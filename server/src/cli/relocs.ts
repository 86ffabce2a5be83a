// `ebpf-ls relocs OBJ`: a compiled object's CO-RE relocations, resolved against every --btf kernel as
// libbpf would resolve them when loading it there; with --btf-dir, against every kernel of the folders,
// streamed through worker threads and answered in groups of kernels that behave the same.
import { isMainThread } from 'node:worker_threads';
import { loadBpfObject } from '../host/load-object';
import { listKernelDirs } from '../host/kernel-dirs';
import { FLEET_WORKER_FLAG } from '../host/fleet-workers';
import { serveRelocsWorker } from '../host/relocs-workers';
import { describeKernelPath } from '../kernels/fleet';
import { KernelResolution, RelocationReport, objectRelocations, resolveObjectRelocations } from '../relocs/object';
import { loadKernels } from './kernels';
import { Command, jobsOption, parseCommandArgs } from './command';
import { runFleet } from './relocs-fleet';
import { EXIT_FINDINGS, InputError, UsageError } from './usage';
import { CORE_POISON_VALUE } from '../relocs/poison';

export const relocsCommand: Command = {
  usage: 'relocs OBJ [--btf FILE]... [--btf-dir DIR]... [--jobs N] [--format text|json]',
  summary: "a .bpf.o's CO-RE relocations (from .BTF.ext) resolved against every --btf kernel as libbpf does, or every kernel under --btf-dir folders (BTFHub's layout or flat), grouped; exit 1 when one fails where the program reaches it",
  async run(argv) {
    if (!isMainThread && argv[0] === FLEET_WORKER_FLAG) return serveRelocsWorker();
    const { values, positionals } = parseCommandArgs(argv, {
      btf: { type: 'string', multiple: true },
      'btf-dir': { type: 'string', multiple: true },
      jobs: { type: 'string' },
      format: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('name one BPF object (.bpf.o)');
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format '${format}' (text or json)`);
    const jobs = jobsOption(values.jobs);
    const obj = loadBpfObject(positionals[0]);
    if (!obj.ok) throw new InputError(obj.error);
    if (values['btf-dir']?.length) {
      const listed = listKernelDirs(values['btf-dir']);
      if (!listed.ok) throw new InputError(listed.error);
      const singles = (values.btf ?? []).map((p) => describeKernelPath(p, p.replace(/^.*\//, '')));
      return runFleet(positionals[0], obj.value, [...singles, ...listed.value], { format, jobs });
    }
    const kernels = (await loadKernels(values.btf)).all;
    const reports = resolveObjectRelocations(obj.value, objectRelocations(obj.value), kernels);
    if (format === 'json') process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
    else process.stdout.write(reports.map(formatReport).join('') || `${positionals[0]}: no CO-RE relocations\n`);
    return reports.some((r) => r.targets.some((t) => t.error)) ? EXIT_FINDINGS : 0;
  },
};

function formatReport(r: RelocationReport): string {
  const where = r.source ? `${r.source.file}:${r.source.line}` : `${r.section}+${r.insnOffset}`;
  const head = `${where}: ${r.section} relo #${r.index} (insn #${r.insnOffset / 8}) ${r.kind} ${r.access || '?'} [${r.spec}]\n`;
  return head + r.targets.map((t) => `    ${t.kernel}: ${outcome(t)}\n`).join('');
}

function outcome(t: KernelResolution): string {
  if (t.error) return `error: ${t.error}`;
  if (t.poisoned) return t.resolved ? 'poisoned: the load/store size cannot be adjusted' : `missing: instruction poisoned (0x${CORE_POISON_VALUE.toString(16)})`;
  const via = t.target ? ` (${t.target.access}${t.target.spec ? ` ${t.target.spec}` : ''})` : '';
  return `${t.resolved ? '' : 'not found, '}${t.value}${t.value !== t.localValue ? ` (was ${t.localValue})` : ''}${via}`;
}
