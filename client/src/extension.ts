// Activation: start the language server (dist/ebpf-ls.js --stdio) for .bpf.c files and wire the features
// that need the editor: read-only kernel type views, the status bar, build/verify commands and tasks.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { BTF_SCHEME, registerBtfView } from './btf-view';
import { registerBuildCommands } from './commands/build';
import { createCommandContext } from './commands/command-runner';
import { registerGenerateCommands } from './commands/generate';
import { registerTraceCommands } from './commands/trace';
import { registerVerifyCommands } from './commands/verify';
import { registerStatus } from './status';
import { registerTasks } from './tasks';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'ebpf-ls.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: { module: serverModule, transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c', pattern: '**/*.bpf.c' },
      { scheme: 'file', language: 'c', pattern: '**/*.bpf.h' },
      { scheme: BTF_SCHEME },
    ],
    // The server reads settings on start (so it can load kernels at once) and again on every change.
    initializationOptions: serverSettings(),
    synchronize: { configurationSection: 'ebpf' },
    markdown: { isTrusted: { enabledCommands: ['ebpf.openBtfView'] } },
  };
  client = new LanguageClient('ebpf', 'eBPF Language Server', serverOptions, clientOptions);
  registerBtfView(context, client);
  registerStatus(context, client);
  const commands = createCommandContext(context, client);
  registerBuildCommands(commands);
  registerGenerateCommands(commands);
  registerVerifyCommands(commands);
  registerTraceCommands(commands);
  registerTasks(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('ebpf.restartServer', () => client?.restart()),
  );
  await client.start();
}

/** The `ebpf.*` settings the server reads, as plain data. */
function serverSettings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('ebpf');
  return {
    kernel: { btf: c.get('kernel.btf', ''), targets: c.get('kernel.targets', []) },
    includePaths: c.get('includePaths', []),
    hover: { enable: c.get('hover.enable', true) },
    completion: { enable: c.get('completion.enable', true) },
    diagnostics: { enable: c.get('diagnostics.enable', true) },
  };
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
