// Inactive #if branches faded, as clangd's inactive regions: the server sends their lines after each parse
// (`ebpf/inactiveRegions`); each visible editor of that document gets them as a reduced-opacity
// decoration, kept when the editor is shown again. A decoration, not diagnostics: Problems stays clean.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { INACTIVE_REGIONS_NOTIFICATION, InactiveRegionsParams } from '../../server/src/lsp/protocol';

/** How faded an inactive line is (clangd's default for its inactive regions). */
const INACTIVE_OPACITY = '0.55';

export function registerInactiveRegions(context: vscode.ExtensionContext, client: LanguageClient): void {
  const decoration = vscode.window.createTextEditorDecorationType({ opacity: INACTIVE_OPACITY, rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed });
  /** The latest regions per document URI, as the server spells it. */
  const regions = new Map<string, vscode.Range[]>();
  const uriOf = (doc: vscode.TextDocument) => client.code2ProtocolConverter.asUri(doc.uri);
  const apply = (editor: vscode.TextEditor) => {
    const ranges = regions.get(uriOf(editor.document));
    if (ranges) editor.setDecorations(decoration, ranges);
  };
  context.subscriptions.push(
    decoration,
    client.onNotification(INACTIVE_REGIONS_NOTIFICATION, (p: InactiveRegionsParams) => {
      regions.set(p.uri, p.regions.map((r) => client.protocol2CodeConverter.asRange(r)));
      for (const editor of vscode.window.visibleTextEditors) if (uriOf(editor.document) === p.uri) apply(editor);
    }),
    vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach(apply)),
    vscode.workspace.onDidCloseTextDocument((doc) => regions.delete(uriOf(doc))),
  );
}
