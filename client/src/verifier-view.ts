// The verifier log view: one webview per object, one tab per program, the log with its source lines,
// the error line highlighted and explained; clicking a `@ file:line` annotation reveals that line.
// The verdicts are kept in the extension's storage, so a window reload restores the view.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { revealSourceLine } from './reveal';
import { ProgramVerdict } from '../../server/src/host/verify';

const panels = new Map<string, vscode.WebviewPanel>();

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderVerifierHtml(object: string, verdicts: ProgramVerdict[], nonce: string): string {
  const tabs = verdicts
    .map((v, i) => `<button class="tab${i === 0 ? ' on' : ''}" data-i="${i}">${v.accepted ? '✔' : '✘'} ${escape(v.name)}</button>`)
    .join('');
  const bodies = verdicts
    .map((v, i) => {
      const lines = v.log.split('\n').map((l) => {
        const src = /^; .* @ (.+):(\d+)$/.exec(l);
        if (src) return `<div class="src" data-file="${escape(src[1])}" data-line="${src[2]}">${escape(l)}</div>`;
        const isError = !v.accepted && v.error && l.trim() === v.error.message;
        return `<div class="${isError ? 'err' : /^\d+: /.test(l) ? 'insn' : 'other'}">${escape(l) || '&nbsp;'}</div>`;
      });
      const head = v.accepted
        ? `<p class="ok">Accepted: ${v.processedInsns ?? '?'} instructions processed (section <code>${escape(v.section)}</code>).</p>`
        : `<p class="bad">Rejected${v.error?.line ? ` at line ${v.error.line}` : ''}: <b>${escape(v.error?.message ?? '')}</b></p>${v.error?.explanation ? `<p class="why">${escape(v.error.explanation)}</p>` : ''}`;
      return `<section class="prog" data-i="${i}" ${i === 0 ? '' : 'hidden'}>${head}<pre>${lines.join('')}</pre></section>`;
    })
    .join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
<title>Verifier log</title>
<style>
body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)}
.tab{margin:0 4px 8px 0;padding:4px 10px;border:1px solid var(--vscode-panel-border);background:none;color:inherit;cursor:pointer}
.tab.on{background:var(--vscode-list-activeSelectionBackground)}
pre{font-family:var(--vscode-editor-font-family);font-size:var(--vscode-editor-font-size)}
.src{color:var(--vscode-textLink-foreground);cursor:pointer}
.err{background:var(--vscode-inputValidation-errorBackground);font-weight:bold}
.ok{color:var(--vscode-testing-iconPassed)} .bad{color:var(--vscode-errorForeground)} .why{font-style:italic}
</style></head><body>
<h3>Verifier log: ${escape(object)}</h3><div>${tabs}</div>${bodies || '<p>This log is no longer kept: run <b>eBPF: Load and Verify</b> again.</p>'}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
vscode.setState({ object: ${JSON.stringify(object).replace(/</g, '\\u003c')} });
document.querySelectorAll('.tab').forEach(t => t.addEventListener('click', () => {
  document.querySelectorAll('.tab').forEach(x => x.classList.toggle('on', x === t));
  document.querySelectorAll('.prog').forEach(s => s.hidden = s.dataset.i !== t.dataset.i);
}));
document.querySelectorAll('.src').forEach(s => s.addEventListener('click', () => vscode.postMessage({ file: s.dataset.file, line: Number(s.dataset.line) })));
</script></body></html>`;
}

const VIEW_TYPE = 'ebpf.verifierLog';

function savedVerdictsPath(context: vscode.ExtensionContext, object: string): string {
  const dir = join((context.storageUri ?? context.globalStorageUri).fsPath, 'verifier');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${createHash('sha256').update(object).digest('hex').slice(0, 16)}.json`);
}

function adopt(context: vscode.ExtensionContext, object: string, panel: vscode.WebviewPanel): vscode.WebviewPanel {
  panels.set(object, panel);
  panel.onDidDispose(() => panels.delete(object), null, context.subscriptions);
  panel.webview.onDidReceiveMessage((m: { file: string; line: number }) => revealSourceLine(object, m.file, m.line), null, context.subscriptions);
  return panel;
}

function render(panel: vscode.WebviewPanel, object: string, verdicts: ProgramVerdict[]): void {
  const nonce = Math.random().toString(36).slice(2) + Date.now().toString(36);
  panel.webview.html = renderVerifierHtml(object, verdicts, nonce);
}

export function showVerifierLog(context: vscode.ExtensionContext, object: string, verdicts: ProgramVerdict[]): void {
  try {
    writeFileSync(savedVerdictsPath(context, object), JSON.stringify({ object, verdicts }));
  } catch {
    // the view still shows; only a reload will not bring it back
  }
  const panel = panels.get(object) ?? adopt(context, object, vscode.window.createWebviewPanel(VIEW_TYPE, `Verifier: ${object.replace(/^.*\//, '')}`, vscode.ViewColumn.Beside, { enableScripts: true }));
  render(panel, object, verdicts);
  panel.reveal();
}

/** Brings verifier log views back after a window reload, from the verdicts kept in storage. */
export function registerVerifierLogSerializer(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: { object?: string } | undefined) {
        const object = state?.object;
        if (!object) return panel.dispose();
        panel.webview.options = { enableScripts: true };
        adopt(context, object, panel);
        try {
          const saved = JSON.parse(readFileSync(savedVerdictsPath(context, object), 'utf8')) as { verdicts: ProgramVerdict[] };
          render(panel, object, saved.verdicts);
        } catch {
          render(panel, object, []);
        }
      },
    }),
  );
}
