// What every `ebpf-ls` command file shares: the Command shape, the argument parser and `--jobs`.
// main.ts imports the commands; the commands import only this file and usage.ts.
import { parseArgs } from 'node:util';
import { UsageError } from './usage';

export interface Command {
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** node:util parseArgs with the options every BTF-reading command shares. */
export function parseCommandArgs<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(argv: string[], options: T) {
  return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
}

/** `--jobs N` of the commands that run folders of kernels on worker threads: undefined for one per core. */
export function jobsOption(value: string | undefined): number | undefined {
  const jobs = value === undefined ? undefined : Number(value);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs takes a whole number of worker threads, not '${value}'`);
  return jobs;
}
