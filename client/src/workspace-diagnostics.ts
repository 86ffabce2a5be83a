// Problems for every .bpf.c of the workspace, not only the open ones. The language server diagnoses the
// documents the editor opens to it, so each .bpf.c is opened to it in the background (a document, no
// editor) a few at a time. VS Code closes such documents again after a while, and the server then clears
// their problems: the last ones are kept here for files that are closed, until the file is opened again,
// changes on disk (then it is diagnosed afresh) or is deleted.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

const GLOB = '**/*.bpf.c';
const MAX_FILES = 2000;
const BATCH = 16;

const isSource = (uri: vscode.Uri) => uri.scheme === 'file' && uri.path.endsWith('.bpf.c');
const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());

export function registerWorkspaceDiagnostics(context: vscode.ExtensionContext, client: LanguageClient, started: Promise<void>): void {
  const kept = vscode.languages.createDiagnosticCollection('ebpf-workspace');
  const pending = new Map<string, NodeJS.Timeout>();

  /** Opens files to the server and waits (a while) until it has published their problems. */
  const diagnose = async (uris: vscode.Uri[]) => {
    for (let i = 0; i < uris.length; i += BATCH) {
      const batch = uris.slice(i, i + BATCH).filter((u) => !isOpen(u) && existsSync(u.fsPath));
      const want = new Set(batch.map((u) => u.toString()));
      const published = new Promise<void>((resolve) => {
        const check = () => {
          for (const u of [...want]) if (client.diagnostics?.has(vscode.Uri.parse(u))) want.delete(u);
          if (!want.size) (sub.dispose(), clearTimeout(timer), resolve());
        };
        const sub = vscode.languages.onDidChangeDiagnostics(check);
        const timer = setTimeout(() => (sub.dispose(), resolve()), 20_000);
        setTimeout(check, 0);
      });
      await Promise.all(batch.map((u) => vscode.workspace.openTextDocument(u).then(undefined, () => want.delete(u.toString()))));
      await published;
    }
  };
  /** A closed file changed on disk: diagnose it afresh, once the changes settle. */
  const refresh = (uri: vscode.Uri) => {
    if (!isSource(uri) || isOpen(uri)) return;
    clearTimeout(pending.get(uri.toString()));
    pending.set(uri.toString(), setTimeout(() => {
      pending.delete(uri.toString());
      void diagnose([uri]);
    }, 300));
  };

  const watcher = vscode.workspace.createFileSystemWatcher(GLOB);
  context.subscriptions.push(
    kept,
    watcher,
    watcher.onDidCreate(refresh),
    watcher.onDidChange(refresh),
    watcher.onDidDelete((uri) => kept.delete(uri)),
    vscode.workspace.onDidOpenTextDocument((doc) => kept.delete(doc.uri)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (!isSource(doc.uri) || !existsSync(doc.uri.fsPath)) return;
      // The server clears a closed document's problems in a moment; keep the last ones it published.
      const last = client.diagnostics?.get(doc.uri) ?? [];
      if (last.length) kept.set(doc.uri, [...last]);
      else kept.delete(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // New kernels or settings: the kept problems are stale once the server has reloaded.
      if (e.affectsConfiguration('ebpf')) setTimeout(() => kept.forEach((uri) => refresh(uri)), 2000);
    }),
    { dispose: () => pending.forEach((t) => clearTimeout(t)) },
  );
  void started.then(async () => {
    const files = await vscode.workspace.findFiles(GLOB, '**/node_modules/**', MAX_FILES);
    await diagnose(files);
  }, () => undefined);
}
