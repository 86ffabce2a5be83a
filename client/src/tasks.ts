// `ebpf` tasks: one clang build per .bpf.c, with a problem matcher for clang's messages. A project without
// vmlinux.h builds with the one Build generated for the described kernel, when there is one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { clangArgs, findVmlinuxDir, objectPath } from '../../server/src/host/build';
import { findTool } from '../../server/src/host/tools';
import { readConfig } from './config';
import { describedKernelFile, existingVmlinuxDir } from './kernel-files';

export function registerTasks(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.tasks.registerTaskProvider('ebpf', {
      async provideTasks() {
        if (!vscode.workspace.isTrusted) return [];
        const cfg = readConfig();
        let clang: string;
        try {
          clang = findTool(['clang-19', 'clang'], cfg.clangPath, 'install clang-19');
        } catch {
          return [];
        }
        const files = await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**');
        const generated = cfg.vmlinuxFallback && !cfg.includePaths.some((d) => existsSync(join(d, 'vmlinux.h'))) ? existingVmlinuxDir(context, describedKernelFile(context, cfg.kernelBtf)) : undefined;
        return files.map((f) => {
          const folder = vscode.workspace.getWorkspaceFolder(f);
          const includeDirs = generated && !findVmlinuxDir(f.fsPath, folder?.uri.fsPath) ? [...cfg.includePaths, generated] : cfg.includePaths;
          const task = new vscode.Task(
            { type: 'ebpf', file: vscode.workspace.asRelativePath(f) },
            folder ?? vscode.TaskScope.Workspace,
            `build ${vscode.workspace.asRelativePath(f)}`,
            'ebpf',
            new vscode.ProcessExecution(clang, clangArgs(f.fsPath, objectPath(f.fsPath), { extraFlags: cfg.buildFlags, includeDirs, root: folder?.uri.fsPath })),
            '$ebpf-clang',
          );
          task.group = vscode.TaskGroup.Build;
          return task;
        });
      },
      resolveTask: () => undefined,
    }),
  );
}
