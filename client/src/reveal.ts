// Reveals a source line named by a view (a verifier log's `@ file:line`, a portability row), relative to the object.
import { dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';

export async function revealSourceLine(object: string, file: string, line: number): Promise<void> {
  if (!file) return;
  const path = isAbsolute(file) ? file : join(dirname(object), file);
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(path), { viewColumn: vscode.ViewColumn.One });
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
}
