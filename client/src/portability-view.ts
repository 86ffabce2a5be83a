// The portability view: after a build, one row per CO-RE relocation of the object and one column per
// target kernel, each cell what libbpf does there; clicking a row reveals its source line. A window
// reload restores the view, recomputed from the object.
import * as vscode from 'vscode';
import { revealSourceLine } from './reveal';
import type { PortabilityMatrix } from '../../server/src/relocs/portability';

const panels = new Map<string, vscode.WebviewPanel>();

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderPortabilityHtml(object: string, m: PortabilityMatrix, nonce: string): string {
  const head = m.kernels.map((k, i) => `<th>${escape(k)}<br><small>${m.failing[i] ? `${m.failing[i]} failing` : 'all resolve'}</small></th>`).join('');
  const rows = m.rows.map((r) => {
    const plain = r.cells.every((c) => c.state === 'same');
    const where = r.file ? `${escape(r.file.replace(/^.*\//, ''))}:${r.line}` : '?';
    const cells = r.cells.map((c) => `<td class="${c.state}">${escape(c.text)}</td>`).join('');
    return `<tr class="${plain ? 'plain' : 'differs'}" data-file="${escape(r.file ?? '')}" data-line="${r.line ?? 0}"><td class="src">${where}</td><td><code>${escape(r.access)}</code></td><td>${escape(r.kind)}</td>${cells}<td>${escape(r.section)} #${r.index}</td></tr>`;
  }).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<title>CO-RE portability</title>
<style>
body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}
table{border-collapse:collapse;font-size:var(--vscode-editor-font-size)}
th,td{border:1px solid var(--vscode-panel-border);padding:2px 6px;text-align:left;vertical-align:top;white-space:nowrap}
tr[data-line]{cursor:pointer} tr:hover{background:var(--vscode-list-hoverBackground)}
.changed{color:var(--vscode-charts-blue)} .absent{color:var(--vscode-descriptionForeground)}
.poisoned,.error{background:var(--vscode-inputValidation-errorBackground);font-weight:bold}
body.only-differs tr.plain{display:none}
</style></head><body>
<h3>CO-RE relocations of ${escape(object)} by kernel</h3>
<p>${m.rows.length} relocation(s). <b>missing</b>: no match, libbpf poisons the instruction (the verifier rejects the program if it reaches it). Blue: the value differs from the one compiled in.
<label><input type="checkbox" id="only"> only relocations whose value differs or fails</label></p>
<table><thead><tr><th>source</th><th>access</th><th>kind</th>${head}<th>section, relo #</th></tr></thead><tbody>${rows}</tbody></table>
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
vscode.setState({ object: ${JSON.stringify(object).replace(/</g, '\\u003c')} });
document.getElementById('only').addEventListener('change', (e) => document.body.classList.toggle('only-differs', e.target.checked));
document.querySelectorAll('tr[data-line]').forEach(r => r.addEventListener('click', () => vscode.postMessage({ file: r.dataset.file, line: Number(r.dataset.line) })));
</script></body></html>`;
}

const VIEW_TYPE = 'ebpf.portability';

function adopt(context: vscode.ExtensionContext, object: string, panel: vscode.WebviewPanel): vscode.WebviewPanel {
  panels.set(object, panel);
  panel.onDidDispose(() => panels.delete(object), null, context.subscriptions);
  panel.webview.onDidReceiveMessage((m: { file: string; line: number }) => revealSourceLine(object, m.file, m.line), null, context.subscriptions);
  return panel;
}

const nonce = () => Math.random().toString(36).slice(2) + Date.now().toString(36);

/** Shows (or refreshes) the view of an object; `onlyIfOpen` refreshes an open view after a rebuild without opening one. */
export function showPortability(context: vscode.ExtensionContext, object: string, matrix: PortabilityMatrix, onlyIfOpen = false): void {
  let panel = panels.get(object);
  if (!panel && onlyIfOpen) return;
  panel ??= adopt(context, object, vscode.window.createWebviewPanel(VIEW_TYPE, `CO-RE: ${object.replace(/^.*\//, '')}`, vscode.ViewColumn.Beside, { enableScripts: true }));
  panel.webview.html = renderPortabilityHtml(object, matrix, nonce());
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
          ? `<!DOCTYPE html><html><body><h3>CO-RE relocations of ${escape(object)}</h3><p>${escape(matrix)}: build it again to see them.</p></body></html>`
          : renderPortabilityHtml(object, matrix, nonce());
      },
    }),
  );
}
