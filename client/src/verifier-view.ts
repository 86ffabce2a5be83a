// The verifier explorer: one webview per object (or opened log), one tab per program, its HTML built by
// ./verifier-html (the rejected path, state per step, causal chain, heat); clicking a row reveals the line.
// The verdicts are kept in the extension's storage, so a window reload restores the view.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { makeNonce } from './html';
import { revealSourceLine } from './reveal';
import { renderVerifierHtml, ViewVerdict } from './verifier-html';

const panels = new Map<string, vscode.WebviewPanel>();

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

function render(panel: vscode.WebviewPanel, object: string, verdicts: ViewVerdict[]): void {
  panel.webview.html = renderVerifierHtml(object, verdicts, makeNonce(), panel.webview.cspSource);
}

/** Whether a view of `object` is open (verify on save refreshes it, and opens none). */
export function verifierLogIsOpen(object: string): boolean {
  return panels.has(object);
}

export function showVerifierLog(context: vscode.ExtensionContext, object: string, verdicts: ViewVerdict[], focus = true): void {
  try {
    writeFileSync(savedVerdictsPath(context, object), JSON.stringify({ object, verdicts }));
  } catch {
    // the view still shows; only a reload will not bring it back
  }
  const panel = panels.get(object) ?? adopt(context, object, vscode.window.createWebviewPanel(VIEW_TYPE, `Verifier: ${object.replace(/^.*\//, '')}`, vscode.ViewColumn.Beside, { enableScripts: true }));
  render(panel, object, verdicts);
  if (focus) panel.reveal();
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
          const saved = JSON.parse(readFileSync(savedVerdictsPath(context, object), 'utf8')) as { verdicts: ViewVerdict[] };
          render(panel, object, saved.verdicts);
        } catch {
          render(panel, object, []);
        }
      },
    }),
  );
}
