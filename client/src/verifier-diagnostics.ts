// The verifier's verdicts in the editor: a rejected program's error is a diagnostic at its source line,
// the causal chain as related information (each step's file:line and text), and inline hints on the
// rejected path (./verifier-hints). They describe the text that was verified, so the moment any file they
// point into is edited they are cleared, never stretched over the new text.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { VerifierHints, verifierHints } from './verifier-hints';
import type { ViewVerdict } from './verifier-html';

/** Where a log's file name is, for an object built from `object`: absolute, or relative to the object or the source. */
export function resolverFor(object: string, source: string): (file: string | null) => string | undefined {
  return (file) => {
    if (!file) return undefined;
    if (isAbsolute(file)) return file;
    for (const base of [dirname(source), dirname(object)]) if (existsSync(join(base, file))) return join(base, file);
    return file.replace(/^.*\//, '') === source.replace(/^.*\//, '') ? source : join(dirname(source), file);
  };
}

/** The diagnostics of rejected programs, by resolved file path. */
export function verifierDiagnostics(verdicts: readonly ViewVerdict[], resolve: (file: string | null) => string | undefined, fallback?: string): Map<string, vscode.Diagnostic[]> {
  const out = new Map<string, vscode.Diagnostic[]>();
  for (const v of verdicts) {
    const e = v.error;
    if (v.accepted || !e?.line) continue;
    const path = resolve(e.file) ?? fallback;
    if (!path) continue;
    const line = e.line - 1;
    const informative = e.informative && e.informative !== e.message ? ` (${e.informative})` : '';
    const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), `verifier rejected ${v.name}: ${e.message}${informative}${e.explanation ? ` — ${e.explanation}` : ''}`, vscode.DiagnosticSeverity.Error);
    d.source = 'verifier';
    d.relatedInformation = chain(v, resolve);
    out.set(path, [...(out.get(path) ?? []), d]);
  }
  return out;
}

function chain(v: ViewVerdict, resolve: (file: string | null) => string | undefined): vscode.DiagnosticRelatedInformation[] {
  return (v.causalChain ?? []).flatMap((c) => {
    const path = c.line ? resolve(c.file) : undefined;
    if (!path || !c.line) return [];
    const where = new vscode.Location(vscode.Uri.file(path), new vscode.Position(c.line - 1, 0));
    return [new vscode.DiagnosticRelatedInformation(where, `${c.insn !== null ? `insn ${c.insn}: ` : ''}${c.text}`)];
  });
}

/** The verifier's diagnostics and hints, one set per verified source; cleared on edit. */
export class VerifierAnnotations implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('ebpf-verifier');
  private readonly hints = new VerifierHints();
  /** Per verified source, the files its diagnostics and hints are in. */
  private readonly runs = new Map<string, Set<string>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length) this.stale(e.document.uri.fsPath);
    })];
  }

  show(source: string, verdicts: readonly ViewVerdict[], resolve: (file: string | null) => string | undefined): number {
    this.clearRun(source);
    const diags = verifierDiagnostics(verdicts, resolve, source);
    const hints = verifierHints(verdicts.filter((v) => !v.accepted).map((v) => v.log), resolve);
    const files = new Set([...diags.keys(), ...hints.keys()]);
    for (const [path, ds] of diags) this.collection.set(vscode.Uri.file(path), [...(this.collection.get(vscode.Uri.file(path)) ?? []), ...ds]);
    this.hints.set(hints);
    this.runs.set(source, files);
    return [...diags.values()].reduce((n, ds) => n + ds.length, 0);
  }

  clearHints(): void {
    this.hints.clear();
  }

  /** An edit of `path` makes every run that points into it stale. */
  private stale(path: string): void {
    for (const [source, files] of this.runs) if (files.has(path)) this.clearRun(source);
    if (this.hints.has(path)) this.hints.clear(path);
  }

  private clearRun(source: string): void {
    for (const f of this.runs.get(source) ?? []) {
      this.collection.delete(vscode.Uri.file(f));
      this.hints.clear(f);
    }
    this.runs.delete(source);
  }

  dispose(): void {
    this.collection.dispose();
    this.hints.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
