// Read-only C views of kernel types (`ebpf-btf:` URIs, server/src/features/btf-view-uri.ts), rendered by
// the language server from BTF; and Open Kernel Type, a quick pick of the described kernel's types.
import * as vscode from 'vscode';
import { LanguageClient, SymbolInformation, WorkspaceSymbol, WorkspaceSymbolRequest } from 'vscode-languageclient/node';
import { BTF_VIEW_SCHEME, parseBtfViewUri, ViewKind } from '../../server/src/features/btf-view-uri';
import { BTF_VIEW_REQUEST } from '../../server/src/lsp/protocol';

export const BTF_SCHEME = BTF_VIEW_SCHEME;

export function registerBtfView(context: vscode.ExtensionContext, client: LanguageClient): void {
  const provider: vscode.TextDocumentContentProvider = {
    async provideTextDocumentContent(uri) {
      const text = await client.sendRequest<string | null>(BTF_VIEW_REQUEST, { uri: uri.toString() });
      const a = parseBtfViewUri(uri.toString());
      return text ?? `/* ${a ? `${a.kind} ${a.name}: not in the kernel named ${a.kernel}` : `${uri.path}: no such kernel type view`} */\n`;
    },
  };
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(BTF_SCHEME, provider),
    vscode.commands.registerCommand('ebpf.openBtfView', async (uri?: string) => {
      const target = uri ?? (await pickKernelType(client));
      if (!target) return;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(target));
      await vscode.languages.setTextDocumentLanguage(doc, 'c');
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
  );
}

interface TypeItem extends vscode.QuickPickItem {
  uri: string;
}

const ICONS: Record<ViewKind, string> = { struct: 'symbol-struct', union: 'symbol-struct', enum: 'symbol-enum', typedef: 'symbol-type-parameter' };

/** The kernel types among workspace symbols, as quick pick items (`struct task_struct`, its kernel). */
function typeItems(symbols: (SymbolInformation | WorkspaceSymbol)[] | null): TypeItem[] {
  const out: TypeItem[] = [];
  for (const s of symbols ?? []) {
    const a = parseBtfViewUri(s.location.uri);
    if (a) out.push({ label: `$(${ICONS[a.kind]}) ${a.kind} ${a.name}`, description: a.kernel, uri: s.location.uri });
  }
  return out;
}

/**
 * Open Kernel Type: the described kernel's structs, unions, enums and typedefs whose name contains what
 * is typed. The server searches its ~100k names per keystroke (workspace symbols, the name asked for
 * first) and only the answer to the latest query is shown. Starts from the word at the cursor.
 */
async function pickKernelType(client: LanguageClient): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<TypeItem>();
  qp.title = 'eBPF: Open Kernel Type';
  qp.placeholder = 'A struct, union, enum or typedef of the described kernel, by name (task_struct)';
  let latest = 0;
  const search = async (value: string) => {
    const query = value.trim().replace(/^(struct|union|enum|typedef)\s+/, '');
    const mine = ++latest;
    qp.busy = query !== '';
    const symbols = query ? await client.sendRequest(WorkspaceSymbolRequest.type, { query }).catch(() => null) : [];
    if (mine !== latest) return;
    qp.items = typeItems(symbols);
    qp.busy = false;
  };
  const editor = vscode.window.activeTextEditor;
  const word = editor?.document.languageId === 'c' ? editor.document.getWordRangeAtPosition(editor.selection.active) : undefined;
  qp.value = word ? editor!.document.getText(word) : '';
  return new Promise((resolve) => {
    qp.onDidChangeValue((v) => void search(v));
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.uri);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    void search(qp.value);
    qp.show();
  });
}
