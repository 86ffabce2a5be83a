// Activation: start the language server (dist/ebpf-ls.js --stdio) for C files; commands register here.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'ebpf-ls.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.stdio, args: [] },
    debug: { module: serverModule, transport: TransportKind.stdio, args: [] },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'c', pattern: '**/*.bpf.c' }, { scheme: 'file', language: 'c', pattern: '**/*.bpf.h' }],
  };
  client = new LanguageClient('ebpf', 'eBPF Language Server', serverOptions, clientOptions);
  await client.start();
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
