// Generate vmlinux.h and Generate skeleton: bpftool, as `ebpf-ls vmlinux-h` and `ebpf-ls skeleton` run it.
// Generated files carry a marker; any other file is overwritten only after the user confirms.
import { dirname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { generateSkeleton, generateVmlinuxHeader, MARKER, skeletonName } from '../../../server/src/host/generate';
import { RUNNING_KERNEL_BTF } from '../../../server/src/host/load-btf';
import { readConfig } from '../config';
import { builtObject } from './build';
import { command, CommandContext, confirmOverwrite, signalOf, sourceFile } from './command-runner';

export function registerGenerateCommands(ctx: CommandContext): void {
  ctx.extension.subscriptions.push(
    command('ebpf.generateVmlinuxH', 'Generate vmlinux.h', true, async (token, uri) => {
      const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
      if (!folder) return void vscode.window.showWarningMessage('eBPF: open a folder first');
      const cfg = readConfig();
      const out = join(folder.uri.fsPath, 'vmlinux.h');
      const force = await confirmOverwrite(out);
      await generateVmlinuxHeader(cfg.kernelBtf || RUNNING_KERNEL_BTF, out, { bpftool: cfg.bpftoolPath, force, log: ctx.log, signal: signalOf(token) });
      vscode.window.showInformationMessage(`eBPF: wrote ${relative(folder.uri.fsPath, out)} (${MARKER})`);
    }),
    command('ebpf.generateSkeleton', 'Generate skeleton', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (!file) return;
      const obj = await builtObject(ctx, file, token);
      if (!obj) return;
      const cfg = readConfig();
      const name = skeletonName(obj);
      const out = join(cfg.skeletonDir ? join(vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? dirname(file), cfg.skeletonDir) : dirname(file), `${name}.skel.h`);
      const force = await confirmOverwrite(out);
      await generateSkeleton(obj, out, { name, bpftool: cfg.bpftoolPath, force, log: ctx.log, signal: signalOf(token) });
      vscode.window.showInformationMessage(`eBPF: wrote ${name}.skel.h`);
    }),
  );
}
