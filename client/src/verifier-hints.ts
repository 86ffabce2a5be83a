// Inline hints on the rejected path: at each source line the verifier walked to the error, what it knew
// about the registers and stack slots that line touched (`R0: map_value_or_null, R1: scalar(0..15)`),
// as after-text decorations. Cleared by eBPF: Clear Verifier Hints, and as soon as the file is edited.
import * as vscode from 'vscode';
import { parseVerifierLog } from '../../server/src/verifier/parse';
import { lineHints, rejectedPath } from '../../server/src/verifier/path';

const MAX_HINT = 160;

/** Per resolved file path, per 1-based line, the hint text, for the rejected programs' logs. */
export function verifierHints(logs: readonly string[], resolve: (file: string | null) => string | undefined): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  for (const text of logs) {
    const log = parseVerifierLog(text);
    for (const h of lineHints(log, rejectedPath(log))) {
      const path = resolve(h.file);
      if (!path || !h.hints.length) continue;
      const lines = out.get(path) ?? new Map<number, string>();
      const hint = h.hints.join(', ');
      lines.set(h.line, hint.length > MAX_HINT ? `${hint.slice(0, MAX_HINT - 1)}…` : hint);
      out.set(path, lines);
    }
  }
  return out;
}

export class VerifierHints implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorInlayHint.foreground'), backgroundColor: new vscode.ThemeColor('editorInlayHint.background') },
    isWholeLine: true,
  });
  private hints = new Map<string, Map<number, string>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [vscode.window.onDidChangeVisibleTextEditors(() => this.paint())];
  }

  set(hints: Map<string, Map<number, string>>): void {
    this.hints = hints;
    this.paint();
  }

  has(path: string): boolean {
    return this.hints.has(path);
  }

  clear(path?: string): void {
    if (path === undefined) this.hints.clear();
    else this.hints.delete(path);
    this.paint();
  }

  private paint(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const lines = this.hints.get(editor.document.uri.fsPath);
      const decorations: vscode.DecorationOptions[] = [];
      for (const [line, text] of lines ?? []) {
        if (line < 1 || line > editor.document.lineCount) continue;
        const range = editor.document.lineAt(line - 1).range;
        decorations.push({ range, renderOptions: { after: { contentText: `verifier: ${text}` } } });
      }
      editor.setDecorations(this.type, decorations);
    }
  }

  dispose(): void {
    this.type.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
