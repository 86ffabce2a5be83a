// The portability view: after a build, one row per CO-RE relocation of the object and one column per
// group of kernels that answer alike, each cell what libbpf does there; clicking a row reveals its source
// line. It opens in the active column (full width: a split cuts the group columns off) and names the
// object by its path in the workspace. A window reload restores the view, recomputed from the object.
import * as vscode from 'vscode';
import { escapeHtml as escape, makeNonce } from './html';
import { renderPortabilityHtml } from './portability-html';
import { revealSourceLine } from './reveal';
import type { PortabilityMatrix } from '../../server/src/relocs/portability';

export { renderPortabilityHtml };

const panels = new Map<string, vscode.WebviewPanel>();

const VIEW_TYPE = 'ebpf.portability';

function adopt(context: vscode.ExtensionContext, object: string, panel: vscode.WebviewPanel): vscode.WebviewPanel {
  panels.set(object, panel);
  panel.onDidDispose(() => panels.delete(object), null, context.subscriptions);
  panel.webview.onDidReceiveMessage((m: { file: string; line: number }) => revealSourceLine(object, m.file, m.line), null, context.subscriptions);
  return panel;
}

const nonce = makeNonce;

/** The object's path in the workspace (absolute outside it). */
const shortName = (object: string) => vscode.workspace.asRelativePath(object, false);

/** Shows (or refreshes) the view of an object; `onlyIfOpen` refreshes an open view after a rebuild without opening one. */
export function showPortability(context: vscode.ExtensionContext, object: string, matrix: PortabilityMatrix, onlyIfOpen = false): void {
  let panel = panels.get(object);
  if (!panel && onlyIfOpen) return;
  panel ??= adopt(context, object, vscode.window.createWebviewPanel(VIEW_TYPE, `CO-RE: ${shortName(object)}`, vscode.ViewColumn.Active, { enableScripts: true }));
  panel.webview.html = renderPortabilityHtml(object, matrix, nonce(), shortName(object));
  if (!onlyIfOpen) panel.reveal();
}

/** Brings portability views back after a window reload: `load` recomputes the matrix (or says why it cannot). */
export function registerPortabilitySerializer(context: vscode.ExtensionContext, load: (object: string) => Promise<PortabilityMatrix | string>): void {
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: { object?: string } | undefined) {
        const object = state?.object;
        if (!object) return panel.dispose();
        panel.webview.options = { enableScripts: true };
        adopt(context, object, panel);
        const matrix = await load(object).catch((e: Error) => e.message);
        panel.webview.html = typeof matrix === 'string'
          ? `<!DOCTYPE html><html><body><h3>CO-RE relocations of ${escape(shortName(object))}</h3><p>${escape(matrix)}: build it again to see them.</p></body></html>`
          : renderPortabilityHtml(object, matrix, nonce(), shortName(object));
      },
    }),
  );
}
