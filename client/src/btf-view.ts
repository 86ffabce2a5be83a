// Read-only C views of kernel types (`ebpf-btf:` URIs), rendered by the language server from BTF.
import * as vscode from 'vscode';
import { BTF_VIEW_REQUEST } from '../../server/src/lsp/protocol';
import { LanguageClient } from 'vscode-languageclient/node';

export const BTF_SCHEME = 'ebpf-btf';

export function registerBtfView(context: vscode.ExtensionContext, client: LanguageClient): void {
  const provider: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      const text = await client.sendRequest<string | null>(BTF_VIEW_REQUEST, { uri: uri.toString() });
      return text ?? `/* ${uri.path}: no such type in the described kernel */\n`;
    },
  };
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(BTF_SCHEME, provider),
    vscode.commands.registerCommand('ebpf.openBtfView', async (uri?: string) => {
      const target = uri ?? (await askForType());
      if (!target) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(target));
      await vscode.languages.setTextDocumentLanguage(doc, 'c');
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
  );
}

async function askForType(): Promise<string | undefined> {
  const name = await vscode.window.showInputBox({ prompt: 'Kernel struct, union, enum or typedef (e.g. task_struct)' });
  if (!name) return undefined;
  const m = /^(struct|union|enum|typedef)\s+(\w+)$/.exec(name.trim());
  return `${BTF_SCHEME}:/0/${m ? m[1] : 'struct'}/${m ? m[2] : name.trim()}.h`;
}
