// The ebpf-ls command line: one file per command, registered here.
import { btfCommand } from './btf';
import { checkCommand } from './check';
import { convertBccCommand } from './convert-bcc';
import type { Command } from './command';
import { layoutCommand } from './layout';
import { relocsCommand } from './relocs';
import { buildCommand, skeletonCommand, traceCommand, verifyCommand, vmlinuxCommand } from './toolchain';
import { EXIT_BAD_INPUT, InputError, UsageError } from './usage';
import { verifierLogCommand } from './verifier-log';

const commands: Record<string, Command> = {
  btf: btfCommand,
  check: checkCommand,
  layout: layoutCommand,
  relocs: relocsCommand,
  build: buildCommand,
  'vmlinux-h': vmlinuxCommand,
  skeleton: skeletonCommand,
  verify: verifyCommand,
  trace: traceCommand,
  'verifier-log': verifierLogCommand,
  'convert-bcc': convertBccCommand,
};

function help(): string {
  const lines = ['usage: ebpf-ls COMMAND [ARGS]', '       ebpf-ls --stdio    (run the language server)', '', 'commands:'];
  for (const c of Object.values(commands)) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  return lines.join('\n') + '\n';
}

export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : EXIT_BAD_INPUT;
  }
  const command = commands[name];
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
