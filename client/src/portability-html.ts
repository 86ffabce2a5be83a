// The portability view's HTML, a pure function (no vscode import, unit-tested with hostile names): one
// row per CO-RE relocation, one column per group of kernels whose answers are identical, the relocations
// that differ between groups first; every text through escapeHtml; strict CSP.
import { escapeHtml as escape, scriptJson } from './html';
import { summarizeKernels } from '../../server/src/kernels/fleet';
import type { MatrixRow, PortabilityColumn, PortabilityMatrix } from '../../server/src/relocs/portability';

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function columnHead(c: PortabilityColumn, i: number): string {
  const status = c.failing ? `${c.failing} failing` : 'all resolve';
  return `<th class="group" title="${escape(c.kernels.join('\n'))}">group ${i + 1} · ${plural(c.kernels.length, 'kernel')}<br><small class="members">${escape(summarizeKernels(c.kernels, 4))}</small><br><small>${status}</small></th>`;
}

function row(r: MatrixRow, differs: boolean): string {
  const where = r.file ? `${escape(r.file.replace(/^.*\//, ''))}:${r.line}` : '?';
  const cells = r.cells.map((c) => `<td class="${c.state}">${escape(c.text)}</td>`).join('');
  return `<tr class="${differs ? 'differs' : 'plain'}" data-file="${escape(r.file ?? '')}" data-line="${r.line ?? 0}"><td class="src">${where}</td><td><code>${escape(r.access)}</code></td><td>${escape(r.kind)}</td>${cells}<td>${escape(r.section)} #${r.index}</td></tr>`;
}

function body(m: PortabilityMatrix): string {
  const span = m.columns.length + 4;
  const heading = (cls: string, text: string) => `<tr class="heading ${cls}"><td colspan="${span}">${text}</td></tr>`;
  const out: string[] = [];
  if (m.differing) out.push(heading('differs', `differ between groups (${m.differing})`), ...m.rows.slice(0, m.differing).map((r) => row(r, true)));
  const rest = m.rows.slice(m.differing);
  if (rest.length) out.push(heading('plain', m.columns.length > 1 ? `the same in every group (${rest.length})` : `${plural(rest.length, 'relocation')}`), ...rest.map((r) => row(r, false)));
  return out.join('');
}

/** `object`: the object's path (kept for a window reload); `title`: how the view names it (its path in the workspace). */
export function renderPortabilityHtml(object: string, m: PortabilityMatrix, nonce: string, title = object): string {
  const kernels = m.columns.reduce((n, c) => n + c.kernels.length, 0);
  const notes = m.notes.map((n) => `<p class="note">${escape(n)}</p>`).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<title>CO-RE portability</title>
<style nonce="${nonce}">
body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}
table{border-collapse:collapse;font-size:var(--vscode-editor-font-size)}
th,td{border:1px solid var(--vscode-panel-border);padding:2px 6px;text-align:left;vertical-align:top;white-space:nowrap}
th.group small.members{font-weight:normal}
tr[data-line]{cursor:pointer} tr[data-line]:hover{background:var(--vscode-list-hoverBackground)}
tr.heading td{font-weight:bold;background:var(--vscode-editorWidget-background)}
.changed{color:var(--vscode-charts-blue)} .absent{color:var(--vscode-descriptionForeground)}
.guarded{color:var(--vscode-disabledForeground,var(--vscode-descriptionForeground));font-style:italic}
.poisoned,.error{background:var(--vscode-inputValidation-errorBackground);font-weight:bold}
body.only-differs tr.plain{display:none}
</style></head><body>
<h3>CO-RE relocations of ${escape(title)}</h3>
<p>${plural(m.rows.length, 'relocation')} against ${plural(kernels, 'kernel')} in ${plural(m.columns.length, 'group')}: kernels whose answers are identical for every relocation form one group.
<b>missing</b>: no match, libbpf poisons the instruction (the verifier rejects the program if it reaches it). <span class="guarded">guarded</span>: it fails only behind a guard (<code>bpf_core_field_exists</code>...) that is false there, so the program never runs it. Blue: the value differs from the one compiled in.
<label><input type="checkbox" id="only"> only relocations that differ between groups</label></p>${notes}
<table><thead><tr><th>source</th><th>access</th><th>kind</th>${m.columns.map(columnHead).join('')}<th>section, relo #</th></tr></thead><tbody>${body(m)}</tbody></table>
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
vscode.setState({ object: ${scriptJson(object)} });
document.getElementById('only').addEventListener('change', (e) => document.body.classList.toggle('only-differs', e.target.checked));
document.querySelectorAll('tr[data-line]').forEach(r => r.addEventListener('click', () => vscode.postMessage({ file: r.dataset.file, line: Number(r.dataset.line) })));
</script></body></html>`;
}
