// Generate vmlinux.h and Generate skeleton: bpftool, as `ebpf-ls vmlinux-h` and `ebpf-ls skeleton` run it.
// Generated files carry a marker; any other file is overwritten only after the user confirms. vmlinux.h
// is offered where clang could not find it: a quick fix on the error and a button on the build's failure.
import { dirname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { generateSkeleton, generateVmlinuxHeader, MARKER, skeletonName } from '../../../server/src/host/generate';
import { readConfig } from '../config';
import { bpftoolReadable, describedKernelFile, kernelRelease } from '../kernel-files';
import { builtObject, VMLINUX_NOT_FOUND } from './build';
import { command, CommandContext, confirmOverwrite, fileCommand, signalOf } from './command-runner';
import { commandAction, notify, openFileAction } from './notify';

export function registerGenerateCommands(ctx: CommandContext): void {
  ctx.extension.subscriptions.push(
    command('ebpf.generateVmlinuxH', 'Generate vmlinux.h', true, async (token, uri) => {
      const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
      if (!folder) return void vscode.window.showWarningMessage('eBPF: open a folder first');
      const cfg = readConfig();
      const out = join(folder.uri.fsPath, 'vmlinux.h');
      const force = await confirmOverwrite(out);
      const kernel = describedKernelFile(ctx.extension, cfg.kernelBtf);
      await generateVmlinuxHeader(await bpftoolReadable(ctx.extension, kernel), out, { bpftool: cfg.bpftoolPath, force, log: ctx.log, signal: signalOf(token) });
      const cleared = clearMissingVmlinuxProblems(ctx);
      const source = uri?.fsPath.endsWith('.bpf.c') ? uri : undefined;
      notify(
        'info',
        `eBPF: wrote ${relative(folder.uri.fsPath, out)} for ${kernelRelease(kernel)} (${MARKER})${cleared ? `; the ${cleared} 'vmlinux.h' file not found error(s) are gone` : ''}`,
        source ? commandAction('Build', 'ebpf.build', source) : undefined,
        openFileAction(out),
      );
    }),
    fileCommand('ebpf.generateSkeleton', 'Generate skeleton', async (file, token) => {
      const obj = await builtObject(ctx, file, token);
      if (!obj) return;
      const cfg = readConfig();
      const name = skeletonName(obj);
      const out = join(cfg.skeletonDir ? join(vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? dirname(file), cfg.skeletonDir) : dirname(file), `${name}.skel.h`);
      const force = await confirmOverwrite(out);
      await generateSkeleton(obj, out, { name, bpftool: cfg.bpftoolPath, force, log: ctx.log, signal: signalOf(token) });
      notify('info', `eBPF: wrote ${name}.skel.h`, openFileAction(out));
    }),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file', language: 'c' }, new GenerateVmlinuxFix(), { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
  );
}

/** Removes clang's "'vmlinux.h' file not found" from Problems once there is one; returns how many went. */
function clearMissingVmlinuxProblems(ctx: CommandContext): number {
  let cleared = 0;
  ctx.problems.forEach((uri, diags) => {
    const keep = diags.filter((d) => !VMLINUX_NOT_FOUND.test(d.message));
    cleared += diags.length - keep.length;
    if (keep.length !== diags.length) ctx.problems.set(uri, keep);
  });
  return cleared;
}

/** "Generate vmlinux.h" on clang's error for a missing vmlinux.h. */
class GenerateVmlinuxFix implements vscode.CodeActionProvider {
  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diags = context.diagnostics.filter((d) => VMLINUX_NOT_FOUND.test(d.message));
    if (!diags.length) return [];
    const fix = new vscode.CodeAction('Generate vmlinux.h for the described kernel', vscode.CodeActionKind.QuickFix);
    fix.command = { title: 'Generate vmlinux.h', command: 'ebpf.generateVmlinuxH', arguments: [doc.uri] };
    fix.diagnostics = diags;
    fix.isPreferred = true;
    return [fix];
  }
}
