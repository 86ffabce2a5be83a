// The status bar item: the release of the kernel the editor describes and how many targets it checks
// against; clicking it opens the kernel picker.
import { release } from 'node:os';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { RUNNING_KERNEL_LABEL } from '../../server/src/host/load-btf';
import { STATUS_NOTIFICATION, StatusParams } from '../../server/src/lsp/protocol';
import { BUNDLED_RELEASE } from './kernel-files';

/** The described kernel's release as people name it (`6.18.44-fc-v782`, `6.12.117+deb12-amd64 (bundled)`). */
export function describedRelease(s: Pick<StatusParams, 'described' | 'bundled'>): string {
  if (s.bundled) return `${BUNDLED_RELEASE} (bundled)`;
  return s.described === RUNNING_KERNEL_LABEL ? release() : s.described;
}

export function registerStatus(context: vscode.ExtensionContext, client: LanguageClient): void {
  const item = vscode.window.createStatusBarItem('ebpf.kernel', vscode.StatusBarAlignment.Right, 100);
  item.name = 'eBPF kernel';
  item.text = '$(loading~spin) eBPF: loading BTF';
  item.command = { title: 'Choose kernels', command: 'ebpf.pickKernel' };
  item.show();
  context.subscriptions.push(
    item,
    client.onNotification(STATUS_NOTIFICATION, (s: StatusParams) => {
      const name = describedRelease(s);
      item.text = `$(chip) ${name}${s.targets.length ? ` · ${s.targets.length} target${s.targets.length > 1 ? 's' : ''}` : ''}`;
      item.tooltip = [
        `Kernel types from: ${name}${s.described === RUNNING_KERNEL_LABEL ? ' (the running kernel)' : ''}, ${s.types.toLocaleString()} types`,
        s.bundled ? 'No /sys/kernel/btf/vmlinux here: describing the bundled Debian 12 kernel BTF.' : '',
        s.targets.length ? `Also checked against: ${s.targets.map((t) => (t === RUNNING_KERNEL_LABEL ? `${release()} (running)` : t)).join(', ')}` : 'No target kernels: programs are checked against this kernel only.',
        ...s.errors,
        'Click to choose the kernel to describe and the target kernels.',
      ].filter(Boolean).join('\n');
      item.backgroundColor = s.errors.length ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }),
  );
}
