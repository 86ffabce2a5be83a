// The kernel picker (eBPF: Choose Kernels, or a click on the status bar item): the kernel to describe,
// then the target kernels to check against, from the running kernel, the bundled one, the files the
// settings already name and any BTF file of the workspace (or one browsed to); it writes ebpf.kernel.btf
// and ebpf.kernel.targets (the workspace's settings when a folder is open, else the user's).
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { release } from 'node:os';
import * as vscode from 'vscode';
import { RUNNING_KERNEL_BTF } from '../../server/src/host/load-btf';
import { notify } from './commands/notify';
import { BUNDLED_RELEASE, bundledBtfFile, bundledBtfPath, kernelRelease } from './kernel-files';

/** Stands for the bundled kernel until it is chosen (then written out as a file the settings name). */
const BUNDLED = '<bundled>';
const BROWSE = '<browse>';

interface KernelItem extends vscode.QuickPickItem {
  path: string;
}

/** The kernels on offer: running, bundled, configured, and the workspace's BTF files. */
export async function kernelCandidates(context: vscode.ExtensionContext, configured: readonly string[]): Promise<KernelItem[]> {
  const items: KernelItem[] = [];
  const seen = new Set<string>();
  const add = (item: KernelItem) => {
    if (!seen.has(item.path)) (seen.add(item.path), items.push(item));
  };
  if (existsSync(RUNNING_KERNEL_BTF)) add({ label: '$(vm-running) Running kernel', description: release(), detail: RUNNING_KERNEL_BTF, path: RUNNING_KERNEL_BTF });
  add({ label: '$(package) Bundled kernel', description: `${BUNDLED_RELEASE} (Debian 12)`, detail: 'shipped with the extension', path: BUNDLED });
  const bundledFile = bundledBtfPath(context);
  for (const p of configured) if (p && p !== bundledFile) add({ label: `$(file-binary) ${basename(p)}`, description: kernelRelease(p), detail: `${p} (in the settings)`, path: p });
  const files = await vscode.workspace.findFiles('**/*.{btf,btf.xz,btf.gz,btf.tar.xz,btf.zst}', '**/node_modules/**', 200);
  for (const f of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) add({ label: `$(file-binary) ${basename(f.fsPath)}`, description: kernelRelease(f.fsPath), detail: vscode.workspace.asRelativePath(f), path: f.fsPath });
  return items;
}

/** The candidate a setting's value stands for ('' is the running kernel, else the bundled one). */
function candidateOf(context: vscode.ExtensionContext, value: string): string {
  if (!value) return existsSync(RUNNING_KERNEL_BTF) ? RUNNING_KERNEL_BTF : BUNDLED;
  return value === bundledBtfPath(context) ? BUNDLED : value;
}

async function browse(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title: 'Kernel BTF file', canSelectMany: false, openLabel: 'Use this kernel', filters: { 'Kernel BTF': ['btf', 'xz', 'gz', 'tar', 'zst', 'o'], 'All files': ['*'] } });
  return picked?.[0]?.fsPath;
}

async function pickDescribed(items: KernelItem[], current: string): Promise<string | undefined> {
  const list: KernelItem[] = [
    ...items.map((i) => ({ ...i, description: `${i.description ?? ''}${i.path === current ? ' · described now' : ''}` })),
    { label: '$(folder-opened) Browse…', description: 'a BTF file elsewhere (raw, ELF, .xz, .gz, .tar.xz)', path: BROWSE },
  ];
  const picked = await vscode.window.showQuickPick(list, { title: 'eBPF: Kernel to Describe (1/2)', placeHolder: 'The kernel hovers, completion and vmlinux.h describe', matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  return picked.path === BROWSE ? browse() : picked.path;
}

async function pickTargets(items: KernelItem[], described: string, current: readonly string[]): Promise<string[] | undefined> {
  const qp = vscode.window.createQuickPick<KernelItem>();
  qp.title = 'eBPF: Target Kernels (2/2)';
  qp.placeholder = 'Kernels your programs must also run on: CO-RE field paths and program targets are checked in each (none: Enter)';
  qp.canSelectMany = true;
  qp.matchOnDescription = true;
  qp.items = items.filter((i) => i.path !== described && i.path !== BUNDLED);
  qp.selectedItems = qp.items.filter((i) => current.includes(i.path));
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems.map((i) => i.path));
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export async function pickKernels(context: vscode.ExtensionContext): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('ebpf');
  const btf = cfg.get<string>('kernel.btf', '');
  const targets = cfg.get<string[]>('kernel.targets', []);
  const items = await kernelCandidates(context, [btf, ...targets]);
  const current = candidateOf(context, btf);
  const described = await pickDescribed(items, current);
  if (!described) return;
  const chosenTargets = await pickTargets(items, described, targets);
  if (!chosenTargets) return;
  // The setting's default already means the running kernel; the bundled one is written out as a file.
  const btfValue = described === RUNNING_KERNEL_BTF ? '' : described === BUNDLED ? bundledBtfFile(context) : described;
  const where = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await cfg.update('kernel.btf', btfValue || undefined, where);
  await cfg.update('kernel.targets', chosenTargets.length ? chosenTargets : undefined, where);
  const name = (p: string) => (p === BUNDLED ? `${BUNDLED_RELEASE} (bundled)` : kernelRelease(p));
  notify(
    'info',
    `eBPF: describing ${name(described)}${chosenTargets.length ? `; checking against ${chosenTargets.map(name).join(', ')}` : '; no target kernels'} (${where === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} settings)`,
    { title: 'Open Settings', run: () => vscode.commands.executeCommand(where === vscode.ConfigurationTarget.Workspace ? 'workbench.action.openWorkspaceSettings' : 'workbench.action.openSettings', 'ebpf.kernel') },
  );
}

export function registerKernelPicker(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('ebpf.pickKernel', () => pickKernels(context)));
}
