// What every `ebpf-ls` command file shares: the Command shape and the argument parser.
// main.ts imports the commands; the commands import only this file and usage.ts.
import { parseArgs } from 'node:util';

export interface Command {
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** node:util parseArgs with the options every BTF-reading command shares. */
export function parseCommandArgs<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(argv: string[], options: T) {
  return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
}
