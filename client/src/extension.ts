// Activation: start the language server (dist/ebpf-ls.js --stdio) for .bpf.c files and wire the features
// that need the editor: read-only kernel type views, the status bar and kernel picker, build/verify/trace
// commands and tasks, Problems for the whole workspace, restored views, and the Getting Started commands.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { serverEnvironment, serverNodeArguments } from '../../server/src/host/server-process';
import { readServerSettings } from '../../server/src/lsp/settings';
import { BTF_SCHEME, registerBtfView } from './btf-view';
import { registerBuildCommands } from './commands/build';
import { createCommandContext } from './commands/command-runner';
import { registerConvertBccCommand } from './commands/convert-bcc';
import { registerGenerateCommands } from './commands/generate';
import { registerTraceCommands } from './commands/trace';
import { registerVerifyCommands } from './commands/verify';
import { noteHover, registerGettingStarted } from './getting-started';
import { registerInactiveRegions } from './inactive-regions';
import { registerKernelPicker } from './kernel-picker';
import { registerStatus } from './status';
import { registerTasks } from './tasks';
import { registerWorkspaceDiagnostics } from './workspace-diagnostics';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'ebpf-ls.js'));
  // vscode-languageclient adds `env` to the extension host's environment and gives `execArgv` to the
  // Node it forks (the editor's own).
  const options = { env: serverEnvironment(process.env), execArgv: serverNodeArguments() };
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio, options },
    debug: { module: serverModule, transport: TransportKind.stdio, options },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      // Every C file: the server answers only eBPF programs (a .bpf.c, or C with SEC(), libbpf's BPF-side
      // headers, vmlinux.h or BCC's macros), so user-space C beside them is left to clangd.
      { scheme: 'file', language: 'c' },
      // BCC tools: the server diagnoses the C they pass to BPF(text=...) and answers nothing for other Python.
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      { scheme: BTF_SCHEME },
    ],
    // The server reads settings on start (so it can load kernels at once) and again on every change.
    initializationOptions: readServerSettings((key, fallback) => vscode.workspace.getConfiguration('ebpf').get(key, fallback)),
    // compile_commands.json's -D/-U decide #if branches: the server re-parses open files when one changes.
    synchronize: { configurationSection: 'ebpf', fileEvents: vscode.workspace.createFileSystemWatcher('**/compile_commands.json') },
    markdown: { isTrusted: { enabledCommands: ['ebpf.openBtfView'] } },
    middleware: {
      provideHover: async (doc, pos, token, next) => {
        const hover = await next(doc, pos, token);
        if (hover) noteHover(hover.contents);
        return hover;
      },
    },
  };
  client = new LanguageClient('ebpf', 'eBPF Language Server', serverOptions, clientOptions);
  registerBtfView(context, client);
  registerStatus(context, client);
  registerInactiveRegions(context, client);
  registerKernelPicker(context);
  const commands = createCommandContext(context, client);
  registerBuildCommands(commands);
  registerGenerateCommands(commands);
  registerVerifyCommands(commands);
  registerTraceCommands(commands);
  registerConvertBccCommand(commands);
  registerGettingStarted(commands);
  registerTasks(context);
  context.subscriptions.push(
    vscode.commands.registerCommand('ebpf.restartServer', () => client?.restart()),
  );
  const started = client.start();
  registerWorkspaceDiagnostics(context, client, started);
  await started;
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
