// Load and verify: each program loaded on its own in the running kernel (as `ebpf-ls verify`), verdicts in
// Problems at the source lines the verifier named, and the verifier log view.
import * as vscode from 'vscode';
import { ProgramVerdict, verifyObject } from '../../../server/src/host/verify';
import { readConfig } from '../config';
import { showVerifierLog } from '../verifier-view';
import { builtObject } from './build';
import { command, CommandContext, signalOf, sourceFile } from './command-runner';

export function registerVerifyCommands(ctx: CommandContext): void {
  ctx.extension.subscriptions.push(
    command('ebpf.loadAndVerify', 'Load and verify', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (!file) return;
      const obj = await builtObject(ctx, file, token);
      if (!obj) return;
      const cfg = readConfig();
      const verdicts = await verifyObject(obj, { logLevel: cfg.verifyLogLevel, sudo: cfg.verifySudo, log: ctx.log, signal: signalOf(token) });
      reportVerdicts(ctx, file, verdicts);
      showVerifierLog(ctx.extension, obj, verdicts);
    }),
  );
}

/** Rejections become diagnostics on the source lines the verifier named. */
function reportVerdicts(ctx: CommandContext, file: string, verdicts: ProgramVerdict[]): void {
  const diags: vscode.Diagnostic[] = [];
  for (const v of verdicts) {
    if (v.accepted || !v.error?.line) continue;
    const line = v.error.line - 1;
    const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), `verifier rejected ${v.name}: ${v.error.message}${v.error.explanation ? ` — ${v.error.explanation}` : ''}`, vscode.DiagnosticSeverity.Error);
    d.source = 'verifier';
    diags.push(d);
  }
  ctx.problems.set(vscode.Uri.file(file), diags);
  const rejected = verdicts.filter((v) => !v.accepted).length;
  const msg = `eBPF: ${verdicts.length - rejected} of ${verdicts.length} program(s) accepted by the kernel verifier`;
  if (rejected) vscode.window.showWarningMessage(msg);
  else vscode.window.showInformationMessage(msg);
}
