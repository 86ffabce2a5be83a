// The status bar item: which kernel the editor describes, how many types, which targets.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { STATUS_NOTIFICATION, StatusParams } from '../../server/src/lsp/protocol';


export function registerStatus(context: vscode.ExtensionContext, client: LanguageClient): void {
  const item = vscode.window.createStatusBarItem('ebpf.kernel', vscode.StatusBarAlignment.Right, 100);
  item.name = 'eBPF kernel';
  item.text = '$(loading~spin) eBPF: loading BTF';
  item.show();
  context.subscriptions.push(
    item,
    client.onNotification(STATUS_NOTIFICATION, (s: StatusParams) => {
      item.text = `$(chip) ${s.bundled ? 'bundled 6.12' : s.described}${s.targets.length ? ` +${s.targets.length}` : ''}`;
      item.tooltip = [
        `Kernel types from: ${s.described} (${s.types.toLocaleString()} types)`,
        s.bundled ? 'No /sys/kernel/btf/vmlinux here: describing the bundled Debian 6.12 kernel BTF.' : '',
        s.targets.length ? `Also checked against: ${s.targets.join(', ')}` : 'Add target kernels with the ebpf.kernel.targets setting.',
        ...s.errors,
      ].filter(Boolean).join('\n');
      item.backgroundColor = s.errors.length ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }),
  );
}
