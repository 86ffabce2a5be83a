// Load and verify: each program loaded on its own in the running kernel (as `ebpf-ls verify`), verdicts in
// Problems at the source lines the verifier named, and the verifier log view.
import * as vscode from 'vscode';
import { ProgramVerdict, verifyObject } from '../../../server/src/host/verify';
import { readConfig } from '../config';
import { registerVerifierLogSerializer, showVerifierLog } from '../verifier-view';
import { builtObject } from './build';
import { CommandContext, fileCommand, signalOf } from './command-runner';
import { notify, showProblemsAction } from './notify';

export function registerVerifyCommands(ctx: CommandContext): void {
  ctx.extension.subscriptions.push(
    fileCommand('ebpf.loadAndVerify', 'Load and verify', async (file, token) => {
      const obj = await builtObject(ctx, file, token);
      if (!obj) return;
      const cfg = readConfig();
      const verdicts = await verifyObject(obj, { logLevel: cfg.verifyLogLevel, sudo: cfg.verifySudo, log: ctx.log, signal: signalOf(token) });
      const reveal = () => showVerifierLog(ctx.extension, obj, verdicts);
      reportVerdicts(ctx, file, verdicts, reveal);
      reveal();
    }),
  );
  registerVerifierLogSerializer(ctx.extension);
}

/** Rejections become diagnostics on the source lines the verifier named. */
function reportVerdicts(ctx: CommandContext, file: string, verdicts: ProgramVerdict[], reveal: () => void): void {
  const diags: vscode.Diagnostic[] = [];
  for (const v of verdicts) {
    if (v.accepted || !v.error?.line) continue;
    const line = v.error.line - 1;
    const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), `verifier rejected ${v.name}: ${v.error.message}${v.error.explanation ? ` — ${v.error.explanation}` : ''}`, vscode.DiagnosticSeverity.Error);
    d.source = 'verifier';
    diags.push(d);
  }
  ctx.problems.set(vscode.Uri.file(file), diags);
  const rejected = verdicts.filter((v) => !v.accepted);
  const msg = `eBPF: ${verdicts.length - rejected.length} of ${verdicts.length} program(s) of ${vscode.workspace.asRelativePath(file)} accepted by the kernel verifier${rejected.length ? `; rejected: ${rejected.map((v) => v.name).join(', ')}` : ''}`;
  const log = { title: 'Show verifier log', run: reveal };
  if (rejected.length) notify('warning', msg, log, diags.length ? showProblemsAction : undefined);
  else notify('info', msg, log);
}
