// Webview panels that each show one built object (the verifier explorer, the portability view): one panel
// per object, clicks on a row reveal its source line, and a window reload brings the panel back from the
// object path its page keeps in the webview state.
import * as vscode from 'vscode';
import { revealSourceLine } from './reveal';

export class ObjectViews {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

  constructor(private readonly viewType: string) {}

  /** The open panel of `object`, if any. */
  get(object: string): vscode.WebviewPanel | undefined {
    return this.panels.get(object);
  }

  /** The panel of `object`: the open one, else a new one titled `title` in `column`. */
  open(context: vscode.ExtensionContext, object: string, title: string, column: vscode.ViewColumn): vscode.WebviewPanel {
    return this.panels.get(object) ?? this.adopt(context, object, vscode.window.createWebviewPanel(this.viewType, title, column, { enableScripts: true }));
  }

  /** After a window reload, `restore` fills each panel that comes back for an object. */
  registerRestore(context: vscode.ExtensionContext, restore: (panel: vscode.WebviewPanel, object: string) => Promise<void> | void): void {
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(this.viewType, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: { object?: string } | undefined) => {
          const object = state?.object;
          if (!object) return panel.dispose();
          panel.webview.options = { enableScripts: true };
          await restore(this.adopt(context, object, panel), object);
        },
      }),
    );
  }

  private adopt(context: vscode.ExtensionContext, object: string, panel: vscode.WebviewPanel): vscode.WebviewPanel {
    this.panels.set(object, panel);
    panel.onDidDispose(() => this.panels.delete(object), null, context.subscriptions);
    panel.webview.onDidReceiveMessage((m: { file: string; line: number }) => revealSourceLine(object, m.file, m.line), null, context.subscriptions);
    return panel;
  }
}
