// Load and verify: the object loaded in the running kernel (as `ebpf-ls verify`), a rejected program's
// error a diagnostic at its line with the causal chain as related information, inline hints on the
// rejected path (both cleared on edit), and the verifier explorer. Also: open any verifier log, clear the
// hints, and the optional verify on save (trusted workspaces, root or a sudo prefix; debounced).
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { ProgramVerdict, verifyObject } from '../../../server/src/host/verify';
import { readConfig } from '../config';
import { resolverFor, VerifierAnnotations } from '../verifier-diagnostics';
import { pickLog, verdictFromLog } from '../verifier-open-log';
import { registerVerifierLogSerializer, showVerifierLog, verifierLogIsOpen } from '../verifier-view';
import { builtObject } from './build';
import { CommandContext, command, fileCommand, signalOf } from './command-runner';
import { notify, showProblemsAction } from './notify';

const SAVE_DEBOUNCE_MS = 1500;

export function registerVerifyCommands(ctx: CommandContext): void {
  const annotations = new VerifierAnnotations();
  const verify = async (file: string, token: vscode.CancellationToken, background = false) => {
    const obj = await builtObject(ctx, file, token, { background });
    if (!obj) return undefined;
    const cfg = readConfig();
    const verdicts = await verifyObject(obj, { logLevel: cfg.verifyLogLevel, sudo: cfg.verifySudo, log: ctx.log, signal: signalOf(token) });
    const count = annotations.show(file, verdicts, resolverFor(obj, file));
    return { obj, verdicts, count };
  };
  ctx.extension.subscriptions.push(
    annotations,
    fileCommand('ebpf.loadAndVerify', 'Load and verify', async (file, token) => {
      const res = await verify(file, token);
      if (!res) return;
      const reveal = () => showVerifierLog(ctx.extension, res.obj, res.verdicts);
      reportVerdicts(file, res.verdicts, res.count, reveal);
      reveal();
    }),
    vscode.commands.registerCommand('ebpf.clearVerifierHints', () => annotations.clearHints()),
    command('ebpf.openVerifierLog', 'Open verifier log', false, async (_token, uri) => {
      const picked = await pickLog(uri);
      if (!picked) return;
      const verdict = await verdictFromLog(basename(picked.title), picked.text, picked.dir);
      annotations.show(picked.title, [verdict], (f) => f ?? undefined);
      showVerifierLog(ctx.extension, picked.title, [verdict]);
    }),
    verifyOnSave(ctx, verify),
  );
  registerVerifierLogSerializer(ctx.extension);
}

/** `ebpf.verify.onSave`: build and verify a saved .bpf.c in the background, where loading can work. */
function verifyOnSave(ctx: CommandContext, verify: (file: string, token: vscode.CancellationToken, background: boolean) => Promise<{ obj: string; verdicts: ProgramVerdict[] } | undefined>): vscode.Disposable {
  const timers = new Map<string, NodeJS.Timeout>();
  let running: vscode.CancellationTokenSource | undefined;
  const run = async (file: string) => {
    running?.cancel();
    const cts = (running = new vscode.CancellationTokenSource());
    try {
      const res = await verify(file, cts.token, true);
      if (res && verifierLogIsOpen(res.obj)) showVerifierLog(ctx.extension, res.obj, res.verdicts, false);
    } catch (e) {
      ctx.output.appendLine(`verify on save of ${file}: ${(e as Error).message}`);
    } finally {
      cts.dispose();
    }
  };
  const save = vscode.workspace.onDidSaveTextDocument((doc) => {
    const file = doc.uri.fsPath;
    if (doc.uri.scheme !== 'file' || !file.endsWith('.bpf.c') || !canVerifyOnSave()) return;
    clearTimeout(timers.get(file));
    timers.set(file, setTimeout(() => {
      timers.delete(file);
      void run(file);
    }, SAVE_DEBOUNCE_MS));
  });
  return { dispose: () => { save.dispose(); for (const t of timers.values()) clearTimeout(t); running?.cancel(); } };
}

function canVerifyOnSave(): boolean {
  if (!vscode.workspace.getConfiguration('ebpf').get<boolean>('verify.onSave', false)) return false;
  if (!vscode.workspace.isTrusted) return false;
  return process.getuid?.() === 0 || readConfig().verifySudo !== undefined;
}

function reportVerdicts(file: string, verdicts: ProgramVerdict[], diagnostics: number, reveal: () => void): void {
  const rejected = verdicts.filter((v) => !v.accepted);
  const msg = `eBPF: ${verdicts.length - rejected.length} of ${verdicts.length} program(s) of ${vscode.workspace.asRelativePath(file)} accepted by the kernel verifier${rejected.length ? `; rejected: ${rejected.map((v) => v.name).join(', ')}` : ''}`;
  const log = { title: 'Show verifier log', run: reveal };
  if (rejected.length) notify('warning', msg, log, diagnostics ? showProblemsAction : undefined);
  else notify('info', msg, log);
}
