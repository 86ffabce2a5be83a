// `ebpf` tasks: one clang build per .bpf.c, with a problem matcher for clang's messages.
import * as vscode from 'vscode';
import { clangArgs, objectPath } from '../../server/src/host/build';
import { findTool } from '../../server/src/host/tools';
import { readConfig } from './config';

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
        return files.map((f) => {
          const folder = vscode.workspace.getWorkspaceFolder(f);
          const task = new vscode.Task(
            { type: 'ebpf', file: vscode.workspace.asRelativePath(f) },
            folder ?? vscode.TaskScope.Workspace,
            `build ${vscode.workspace.asRelativePath(f)}`,
            'ebpf',
            new vscode.ProcessExecution(clang, clangArgs(f.fsPath, objectPath(f.fsPath), { extraFlags: cfg.buildFlags, includeDirs: cfg.includePaths, root: folder?.uri.fsPath })),
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
