// Run and trace / Stop trace: load and attach the programs (as `ebpf-ls trace`), bpf_printk lines in the
// 'eBPF trace' output channel, detached and unloaded on Stop, on a new run, or when the extension stops.
import * as vscode from 'vscode';
import { startTrace, TraceSession } from '../../../server/src/host/trace';
import { readConfig } from '../config';
import { builtObject } from './build';
import { command, CommandContext, sourceFile } from './command-runner';

export function registerTraceCommands(ctx: CommandContext): void {
  const traceOutput = vscode.window.createOutputChannel('eBPF trace');
  let trace: TraceSession | undefined;
  ctx.extension.subscriptions.push(
    traceOutput,
    command('ebpf.runAndTrace', 'Run and trace', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (!file) return;
      const obj = await builtObject(ctx, file, token);
      if (!obj) return;
      await trace?.stop();
      traceOutput.clear();
      traceOutput.show(true);
      const cfg = readConfig();
      const session = await startTrace(obj, {
        sudo: cfg.verifySudo,
        log: ctx.log,
        onProgram: (p) => traceOutput.appendLine(`# ${p.name} (${p.section}): ${p.attached ? 'attached' : `not attached (errno ${p.errno})`}`),
        onLine: (l) => traceOutput.appendLine(l),
      });
      trace = session;
      vscode.commands.executeCommand('setContext', 'ebpf.tracing', true);
      session.done.then((r) => {
        if (trace === session) trace = undefined;
        vscode.commands.executeCommand('setContext', 'ebpf.tracing', false);
        traceOutput.appendLine(`# stopped: programs detached and unloaded${r.code ? ` (${r.stderr.trim().split('\n')[0]})` : ''}`);
      });
    }),
    vscode.commands.registerCommand('ebpf.stopTrace', async () => {
      await trace?.stop();
    }),
    { dispose: () => void trace?.stop() },
  );
}
