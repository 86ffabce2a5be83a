// The ebpf-ls command line: one file per command, registered here.
import type { Command } from './command';
import { EXIT_BAD_INPUT, InputError, UsageError } from './usage';

/**
 * Each command's module is loaded when that command runs (help loads them all), so that `ebpf-ls layout`
 * does not evaluate every other command's code and load the Node modules they use (~20 ms of its start).
 */
const toolchain = () => require('./toolchain') as typeof import('./toolchain');
const commands: Record<string, () => Command> = {
  btf: () => (require('./btf') as typeof import('./btf')).btfCommand,
  check: () => (require('./check') as typeof import('./check')).checkCommand,
  layout: () => (require('./layout') as typeof import('./layout')).layoutCommand,
  relocs: () => (require('./relocs') as typeof import('./relocs')).relocsCommand,
  build: () => toolchain().buildCommand,
  'vmlinux-h': () => toolchain().vmlinuxCommand,
  skeleton: () => toolchain().skeletonCommand,
  verify: () => toolchain().verifyCommand,
  trace: () => toolchain().traceCommand,
  'verifier-log': () => (require('./verifier-log') as typeof import('./verifier-log')).verifierLogCommand,
  'convert-bcc': () => (require('./convert-bcc') as typeof import('./convert-bcc')).convertBccCommand,
};

function help(): string {
  const lines = ['usage: ebpf-ls COMMAND [ARGS]', '       ebpf-ls --stdio    (run the language server)', '', 'commands:'];
  for (const c of Object.values(commands).map((load) => load())) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  return lines.join('\n') + '\n';
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : EXIT_BAD_INPUT;
  }
  const command = Object.hasOwn(commands, name) ? commands[name]() : undefined;
  if (!command) {
    process.stderr.write(`ebpf-ls: unknown command '${name}'\n${help()}`);
    return EXIT_BAD_INPUT;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`ebpf-ls: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`ebpf-ls ${name}: ${(e as Error).message}\nusage: ebpf-ls ${command.usage}\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`ebpf-ls ${name}: internal error: ${(e as Error).message} (please report this)\n`);
    return 70;
  }
}
