// The verifier explorer: one webview per object (or opened log), one tab per program, its HTML built by
// ./verifier-html (the rejected path, state per step, causal chain, heat); clicking a row reveals the line.
// The verdicts are kept in the extension's storage, so a window reload restores the view.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { makeNonce } from './html';
import { ObjectViews } from './object-views';
import { renderVerifierHtml, ViewVerdict } from './verifier-html';

const views = new ObjectViews('ebpf.verifierLog');

function savedVerdictsPath(context: vscode.ExtensionContext, object: string): string {
  const dir = join((context.storageUri ?? context.globalStorageUri).fsPath, 'verifier');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${createHash('sha256').update(object).digest('hex').slice(0, 16)}.json`);
}

function render(panel: vscode.WebviewPanel, object: string, verdicts: ViewVerdict[]): void {
  panel.webview.html = renderVerifierHtml(object, verdicts, makeNonce(), panel.webview.cspSource);
}

/** Whether a view of `object` is open (verify on save refreshes it, and opens none). */
export function verifierLogIsOpen(object: string): boolean {
  return !!views.get(object);
}

export function showVerifierLog(context: vscode.ExtensionContext, object: string, verdicts: ViewVerdict[], focus = true): void {
  try {
    writeFileSync(savedVerdictsPath(context, object), JSON.stringify({ object, verdicts }));
  } catch {
    // the view still shows; only a reload will not bring it back
  }
  const panel = views.open(context, object, `Verifier: ${object.replace(/^.*\//, '')}`, vscode.ViewColumn.Beside);
  render(panel, object, verdicts);
  if (focus) panel.reveal();
}

/** Brings verifier log views back after a window reload, from the verdicts kept in storage. */
export function registerVerifierLogSerializer(context: vscode.ExtensionContext): void {
  views.registerRestore(context, (panel, object) => {
    try {
      const saved = JSON.parse(readFileSync(savedVerdictsPath(context, object), 'utf8')) as { verdicts: ViewVerdict[] };
      render(panel, object, saved.verdicts);
    } catch {
      render(panel, object, []);
    }
  });
}
