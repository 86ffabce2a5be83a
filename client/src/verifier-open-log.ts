// Open any verifier log: a file the user picks (or the active editor's text, such as a pasted log in a
// `.vlog` file), parsed by the core parser, its `@ file:line` annotations mapped onto the workspace's files
// (the path as written when it exists, else relative to a workspace folder or the log, else the first
// workspace file with that base name), then shown in the verifier explorer with its diagnostics and hints.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { parseVerifierLog } from '../../server/src/verifier/parse';
import { summarizeLog } from '../../server/src/verifier/summary';
import type { ViewVerdict } from './verifier-html';

const ANNOTATION = /^(;.* @ )(.+?):(\d+)$/;

/** The file names a log's annotations use. */
export function annotatedFiles(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = ANNOTATION.exec(line.trimEnd());
    if (m) out.add(m[2]);
  }
  return out;
}

/** The log with each annotation's file replaced by where it is in the workspace (names not found stay). */
export function mapAnnotations(text: string, where: ReadonlyMap<string, string>): string {
  return text.split('\n').map((line) => {
    const m = ANNOTATION.exec(line.trimEnd());
    const to = m && where.get(m[2]);
    return to ? `${m[1]}${to}:${m[3]}` : line;
  }).join('\n');
}

async function locate(file: string, logDir: string | undefined): Promise<string | undefined> {
  if (isAbsolute(file) && existsSync(file)) return file;
  const bases = [...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), ...(logDir ? [logDir] : [])];
  for (const b of bases) if (existsSync(join(b, file))) return join(b, file);
  const name = basename(file).replace(/[[\]{}*?,!]/g, '?');
  const found = await vscode.workspace.findFiles(`**/${name}`, '**/node_modules/**', 1);
  return found[0]?.fsPath;
}

/** A log read into one verdict, its annotations mapped onto the workspace. */
export async function verdictFromLog(name: string, text: string, logDir?: string): Promise<ViewVerdict> {
  const where = new Map<string, string>();
  for (const f of annotatedFiles(text)) {
    const to = await locate(f, logDir);
    if (to) where.set(f, to);
  }
  const log = mapAnnotations(text, where);
  const s = summarizeLog(parseVerifierLog(log));
  return {
    name, section: '', accepted: s.accepted, processedInsns: s.processedInsns, truncated: s.truncated, log,
    error: s.error && { ...s.error, errno: 0 },
    causalChain: s.causalChain,
  };
}

/** The log to open: the file given, the active editor's text (not a C source), or a file the user picks. */
export async function pickLog(uri?: vscode.Uri): Promise<{ title: string; text: string; dir?: string } | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!(uri instanceof vscode.Uri) && editor && editor.document.languageId !== 'c' && editor.document.getText().trim()) {
    const doc = editor.document;
    return { title: doc.isUntitled ? doc.uri.path : doc.uri.fsPath, text: doc.getText(), dir: doc.isUntitled ? undefined : dirname(doc.uri.fsPath) };
  }
  const picked = uri instanceof vscode.Uri ? uri : (await vscode.window.showOpenDialog({ title: 'eBPF: Open Verifier Log', canSelectMany: false, filters: { 'Verifier logs': ['vlog', 'log', 'txt'], 'All files': ['*'] } }))?.[0];
  if (!picked) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === picked.toString());
  return { title: picked.fsPath, text: open ? open.getText() : readFileSync(picked.fsPath, 'utf8'), dir: dirname(picked.fsPath) };
}
