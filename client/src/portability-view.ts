// The portability view: after a build, one row per CO-RE relocation of the object and one column per
// group of kernels that answer alike, each cell what libbpf does there; clicking a row reveals its source
// line. It opens in the active column (full width: a split cuts the group columns off) and names the
// object by its path in the workspace. A window reload restores the view, recomputed from the object.
import * as vscode from 'vscode';
import { escapeHtml as escape, makeNonce } from './html';
import { renderPortabilityHtml } from './portability-html';
import { ObjectViews } from './object-views';
import type { PortabilityMatrix } from '../../server/src/relocs/portability';

export { renderPortabilityHtml };

const views = new ObjectViews('ebpf.portability');

const nonce = makeNonce;

/** The object's path in the workspace (absolute outside it). */
const shortName = (object: string) => vscode.workspace.asRelativePath(object, false);

/** Shows (or refreshes) the view of an object; `onlyIfOpen` refreshes an open view after a rebuild without opening one. */
export function showPortability(context: vscode.ExtensionContext, object: string, matrix: PortabilityMatrix, onlyIfOpen = false): void {
  if (onlyIfOpen && !views.get(object)) return;
  const panel = views.open(context, object, `CO-RE: ${shortName(object)}`, vscode.ViewColumn.Active);
  panel.webview.html = renderPortabilityHtml(object, matrix, nonce(), shortName(object));
  if (!onlyIfOpen) panel.reveal();
}

/** Brings portability views back after a window reload: `load` recomputes the matrix (or says why it cannot). */
export function registerPortabilitySerializer(context: vscode.ExtensionContext, load: (object: string) => Promise<PortabilityMatrix | string>): void {
  views.registerRestore(context, async (panel, object) => {
    const matrix = await load(object).catch((e: Error) => e.message);
    panel.webview.html = typeof matrix === 'string'
      ? `<!DOCTYPE html><html><body><h3>CO-RE relocations of ${escape(shortName(object))}</h3><p>${escape(matrix)}: build it again to see them.</p></body></html>`
      : renderPortabilityHtml(object, matrix, nonce(), shortName(object));
  });
}
