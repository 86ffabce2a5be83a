// The portability view's HTML, a pure function (no vscode import, unit-tested with hostile names):
// one row per CO-RE relocation, one column per kernel; every text through escapeHtml; strict CSP.
import { escapeHtml as escape, scriptJson } from './html';
import type { PortabilityMatrix } from '../../server/src/relocs/portability';

export function renderPortabilityHtml(object: string, m: PortabilityMatrix, nonce: string): string {
  const head = m.kernels.map((k, i) => `<th>${escape(k)}<br><small>${m.failing[i] ? `${m.failing[i]} failing` : 'all resolve'}</small></th>`).join('');
  const rows = m.rows.map((r) => {
    const plain = r.cells.every((c) => c.state === 'same');
    const where = r.file ? `${escape(r.file.replace(/^.*\//, ''))}:${r.line}` : '?';
    const cells = r.cells.map((c) => `<td class="${c.state}">${escape(c.text)}</td>`).join('');
    return `<tr class="${plain ? 'plain' : 'differs'}" data-file="${escape(r.file ?? '')}" data-line="${r.line ?? 0}"><td class="src">${where}</td><td><code>${escape(r.access)}</code></td><td>${escape(r.kind)}</td>${cells}<td>${escape(r.section)} #${r.index}</td></tr>`;
  }).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<title>CO-RE portability</title>
<style nonce="${nonce}">
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
vscode.setState({ object: ${scriptJson(object)} });
document.getElementById('only').addEventListener('change', (e) => document.body.classList.toggle('only-differs', e.target.checked));
document.querySelectorAll('tr[data-line]').forEach(r => r.addEventListener('click', () => vscode.postMessage({ file: r.dataset.file, line: Number(r.dataset.line) })));
</script></body></html>`;
}
