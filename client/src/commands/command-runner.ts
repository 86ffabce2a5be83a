// What every command group shares: the output channel and problems collection (in a small context object),
// the trust-gated `command(...)` wrapper, cancellation as an AbortSignal, the .bpf.c file a command acts on
// (picked from the workspace when no .bpf.c editor is active), and the confirmation before overwriting a
// file eBPF for VS Code did not generate.
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { checkOverwrite, WouldOverwrite } from '../../../server/src/host/generate';
import { ToolError } from '../../../server/src/host/tools';
import { notify, showLogAction } from './notify';

export interface CommandContext {
  extension: vscode.ExtensionContext;
  client: LanguageClient;
  /** The 'eBPF' output channel: tool command lines and their output. */
  output: vscode.OutputChannel;
  /** Build and verifier problems ('ebpf-build'). */
  problems: vscode.DiagnosticCollection;
  /** Writes a tool's command line to the output channel. */
  log: (line: string) => void;
}

let lastSource: string | undefined;
/** The 'eBPF' output channel, for the "Show log" button of a tool's failure. */
let sharedOutput: vscode.OutputChannel | undefined;

export function createCommandContext(extension: vscode.ExtensionContext, client: LanguageClient): CommandContext {
  const output = vscode.window.createOutputChannel('eBPF');
  sharedOutput = output;
  const problems = vscode.languages.createDiagnosticCollection('ebpf-build');
  const remember = (e: vscode.TextEditor | undefined) => {
    if (e?.document.uri.scheme === 'file' && e.document.fileName.endsWith('.bpf.c')) lastSource = e.document.fileName;
  };
  remember(vscode.window.activeTextEditor);
  extension.subscriptions.push(output, problems, vscode.window.onDidChangeActiveTextEditor(remember));
  return { extension, client, output, problems, log: (line) => output.appendLine(`$ ${line}`) };
}

/** Runs a command body with trust gating, progress, cancellation and one clear error message. */
async function gated(title: string, needsTrust: boolean, body: (token: vscode.CancellationToken) => Promise<void>): Promise<void> {
  if (needsTrust && !vscode.workspace.isTrusted) {
    vscode.window.showWarningMessage(`eBPF: ${title} runs tools named in workspace settings, so it does not run in an untrusted workspace. Trust the folder to use it.`);
    return;
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `eBPF: ${title}`, cancellable: true }, async (_p, token) => {
    try {
      await body(token);
    } catch (e) {
      if (!(e instanceof ToolError || e instanceof WouldOverwrite)) throw e;
      notify('error', `eBPF: ${e.message}`, e instanceof ToolError && sharedOutput ? showLogAction(sharedOutput) : undefined);
    }
  });
}

export function command(id: string, title: string, needsTrust: boolean, body: (token: vscode.CancellationToken, uri?: vscode.Uri) => Promise<void>): vscode.Disposable {
  return vscode.commands.registerCommand(id, (uri?: vscode.Uri) => gated(title, needsTrust, (token) => body(token, uri)));
}

/** A command on one .bpf.c file: the one it was invoked on, else the active editor's, else one the user picks. */
export function fileCommand(id: string, title: string, body: (file: string, token: vscode.CancellationToken) => Promise<void>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (uri?: vscode.Uri) => {
    if (!vscode.workspace.isTrusted) return gated(title, true, async () => undefined);
    const file = await pickSourceFile(uri, title);
    if (file) await gated(title, true, (token) => body(file, token));
  });
}

export function signalOf(token: vscode.CancellationToken): AbortSignal {
  const ac = new AbortController();
  token.onCancellationRequested(() => ac.abort());
  return ac.signal;
}

/**
 * The .bpf.c file a command acts on: the one it was invoked on, else the active editor's; else (a view or
 * another file has the focus) the workspace's .bpf.c files in a quick pick, the last one edited first.
 */
export async function pickSourceFile(uri: vscode.Uri | undefined, action: string): Promise<string | undefined> {
  const given = uri instanceof vscode.Uri ? uri.fsPath : vscode.window.activeTextEditor?.document.uri.fsPath;
  if (given?.endsWith('.bpf.c')) return given;
  const files = (await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**', 500)).map((f) => f.fsPath);
  if (!files.length) {
    notify('warning', 'eBPF: this workspace has no .bpf.c file yet', { title: 'New eBPF Program', run: () => vscode.commands.executeCommand('ebpf.newProgram') });
    return undefined;
  }
  files.sort((a, b) => Number(b === lastSource) - Number(a === lastSource) || a.localeCompare(b));
  const picked = await vscode.window.showQuickPick(
    files.map((f) => ({ label: vscode.workspace.asRelativePath(f), description: f === lastSource ? 'last edited' : undefined, file: f })),
    { title: `eBPF: ${action}`, placeHolder: 'Which program?', matchOnDescription: true },
  );
  return picked?.file;
}

/** true when the user agreed to overwrite a file not generated by us, false when there is nothing to overwrite; throws WouldOverwrite on refusal. */
export async function confirmOverwrite(path: string): Promise<boolean> {
  try {
    checkOverwrite(path);
    return false;
  } catch (e) {
    if (!(e instanceof WouldOverwrite)) throw e;
    const choice = await vscode.window.showWarningMessage(`${path} exists and was not generated by eBPF for VS Code. Overwrite it?`, { modal: true }, 'Overwrite');
    if (choice !== 'Overwrite') throw new WouldOverwrite(`${path} left as it is`);
    return true;
  }
}
