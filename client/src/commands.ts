// The build half of the extension: Build, Generate vmlinux.h, Generate skeleton, Load and verify, Run and
// trace and compile_commands.json, all running the same host code as the `ebpf-ls` CLI (argument arrays, no shell).
// Commands that run tools named in settings refuse in an untrusted workspace.
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { buildObject, clangArgs, objectIsStale, objectPath } from '../../server/src/host/build';
import { checkOverwrite, generateSkeleton, generateVmlinuxHeader, MARKER, skeletonName, WouldOverwrite } from '../../server/src/host/generate';
import { RUNNING_KERNEL_BTF } from '../../server/src/host/load-btf';
import { findTool, ToolError } from '../../server/src/host/tools';
import { startTrace, TraceSession } from '../../server/src/host/trace';
import { ProgramVerdict, verifyObject } from '../../server/src/host/verify';
import { readConfig } from './config';
import { showVerifierLog } from './verifier-view';
import { showPortability } from './portability-view';
import { LanguageClient } from 'vscode-languageclient/node';
import { OBJECT_RELOCATIONS_REQUEST, ObjectRelocationsParams, ObjectRelocationsResult } from '../../server/src/lsp/protocol';

export function registerCommands(context: vscode.ExtensionContext, client: LanguageClient): void {
  const output = vscode.window.createOutputChannel('eBPF');
  const problems = vscode.languages.createDiagnosticCollection('ebpf-build');
  const log = (line: string) => output.appendLine(`$ ${line}`);
  const traceOutput = vscode.window.createOutputChannel('eBPF trace');
  let trace: TraceSession | undefined;
  context.subscriptions.push(output, problems, traceOutput);

  /** Runs a command body with trust gating, progress, cancellation and one clear error message. */
  const command = (id: string, title: string, needsTrust: boolean, body: (token: vscode.CancellationToken, uri?: vscode.Uri) => Promise<void>) =>
    vscode.commands.registerCommand(id, async (uri?: vscode.Uri) => {
      if (needsTrust && !vscode.workspace.isTrusted) {
        vscode.window.showWarningMessage(`eBPF: ${title} runs tools named in workspace settings, so it does not run in an untrusted workspace. Trust the folder to use it.`);
        return;
      }
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `eBPF: ${title}`, cancellable: true }, async (_p, token) => {
        try {
          await body(token, uri);
        } catch (e) {
          if (e instanceof ToolError || e instanceof WouldOverwrite) vscode.window.showErrorMessage(`eBPF: ${e.message}`);
          else throw e;
        }
      });
    });

  const signalOf = (token: vscode.CancellationToken) => {
    const ac = new AbortController();
    token.onCancellationRequested(() => ac.abort());
    return ac.signal;
  };

  function sourceFile(uri?: vscode.Uri): string | undefined {
    const file = uri?.fsPath ?? vscode.window.activeTextEditor?.document.uri.fsPath;
    if (!file || !file.endsWith('.bpf.c')) {
      vscode.window.showWarningMessage('eBPF: open a .bpf.c file first');
      return undefined;
    }
    return file;
  }

  async function build(file: string, token: vscode.CancellationToken): Promise<string | undefined> {
    const cfg = readConfig();
    await vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.save();
    const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
    const r = await buildObject(file, { clang: cfg.clangPath, outDir: cfg.outputDir && root ? join(root, cfg.outputDir) : undefined, extraFlags: cfg.buildFlags, includeDirs: cfg.includePaths, root, log, signal: signalOf(token) });
    output.append(r.stderr);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const d of r.diagnostics) {
      if (d.severity === 'note') continue;
      const pos = new vscode.Position(d.line - 1, d.column - 1);
      const diag = new vscode.Diagnostic(new vscode.Range(pos, pos.translate(0, 1)), d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      diag.source = 'clang';
      if (d.flag) diag.code = d.flag;
      const abs = d.file.startsWith('/') ? d.file : join(dirname(file), d.file);
      byFile.set(abs, [...(byFile.get(abs) ?? []), diag]);
    }
    problems.clear();
    for (const [f, ds] of byFile) problems.set(vscode.Uri.file(f), ds);
    if (!r.ok) {
      vscode.window.showErrorMessage(`eBPF: build failed: ${r.diagnostics.filter((d) => d.severity === 'error').length} error(s), see Problems`);
      return undefined;
    }
    const failing = await checkRelocations(r.object, byFile);
    vscode.window.setStatusBarMessage(`eBPF: built ${relative(dirname(file), r.object)}${failing ? `; ${failing} CO-RE relocation(s) fail on some kernel, see Problems` : ''}`, 8000);
    return r.object;
  }

  /** The object's CO-RE relocations against the configured kernels: problems at their lines, and an open portability view refreshed. */
  async function checkRelocations(object: string, byFile: Map<string, vscode.Diagnostic[]>, open = false): Promise<number> {
    let res: ObjectRelocationsResult;
    try {
      res = await client.sendRequest<ObjectRelocationsResult>(OBJECT_RELOCATIONS_REQUEST, { object } satisfies ObjectRelocationsParams);
    } catch (e) {
      output.appendLine(`CO-RE check of ${object} skipped: ${(e as Error).message}`);
      return 0;
    }
    if (res.error || !res.matrix) {
      output.appendLine(`CO-RE check of ${object}: ${res.error}`);
      if (open) vscode.window.showErrorMessage(`eBPF: ${res.error}`);
      return 0;
    }
    let count = 0;
    for (const { uri, diagnostics } of res.diagnostics ?? []) {
      const target = vscode.Uri.parse(uri);
      // After a build, its clang problems; otherwise the problems already shown, less the previous CO-RE check's.
      const base = byFile.get(target.fsPath) ?? (problems.get(target) ?? []).filter((d) => !/^core-relo-/.test(String(d.code)));
      const all = [...base, ...(await client.protocol2CodeConverter.asDiagnostics(diagnostics))];
      byFile.set(target.fsPath, all);
      problems.set(target, all);
      count += diagnostics.length;
    }
    showPortability(context, object, res.matrix, !open);
    return count;
  }

  async function builtObject(file: string, token: vscode.CancellationToken): Promise<string | undefined> {
    const cfg = readConfig();
    const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
    const obj = objectPath(file, cfg.outputDir && root ? join(root, cfg.outputDir) : undefined);
    return objectIsStale(file, obj) ? build(file, token) : obj;
  }

  async function confirmOverwrite(path: string): Promise<boolean> {
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

  context.subscriptions.push(
    command('ebpf.build', 'Build', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (file) await build(file, token);
    }),
    command('ebpf.showPortability', 'CO-RE portability', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (!file) return;
      const obj = await builtObject(file, token);
      if (obj) await checkRelocations(obj, new Map(), true);
    }),
    command('ebpf.buildWorkspace', 'Build all .bpf.c files', true, async (token) => {
      const files = await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**');
      for (const f of files) if (!token.isCancellationRequested) await build(f.fsPath, token);
    }),
    command('ebpf.generateVmlinuxH', 'Generate vmlinux.h', true, async (token, uri) => {
      const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
      if (!folder) return void vscode.window.showWarningMessage('eBPF: open a folder first');
      const cfg = readConfig();
      const out = join(folder.uri.fsPath, 'vmlinux.h');
      const force = await confirmOverwrite(out);
      await generateVmlinuxHeader(cfg.kernelBtf || RUNNING_KERNEL_BTF, out, { bpftool: cfg.bpftoolPath, force, log, signal: signalOf(token) });
      vscode.window.showInformationMessage(`eBPF: wrote ${relative(folder.uri.fsPath, out)} (${MARKER})`);
    }),
    command('ebpf.generateSkeleton', 'Generate skeleton', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (!file) return;
      const obj = await builtObject(file, token);
      if (!obj) return;
      const cfg = readConfig();
      const name = skeletonName(obj);
      const out = join(cfg.skeletonDir ? join(vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? dirname(file), cfg.skeletonDir) : dirname(file), `${name}.skel.h`);
      const force = await confirmOverwrite(out);
      await generateSkeleton(obj, out, { name, bpftool: cfg.bpftoolPath, force, log, signal: signalOf(token) });
      vscode.window.showInformationMessage(`eBPF: wrote ${name}.skel.h`);
    }),
    command('ebpf.loadAndVerify', 'Load and verify', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (!file) return;
      const obj = await builtObject(file, token);
      if (!obj) return;
      const cfg = readConfig();
      const verdicts = await verifyObject(obj, { logLevel: cfg.verifyLogLevel, sudo: cfg.verifySudo, log, signal: signalOf(token) });
      reportVerdicts(file, verdicts);
      showVerifierLog(context, obj, verdicts);
    }),
    command('ebpf.runAndTrace', 'Run and trace', true, async (token, uri) => {
      const file = sourceFile(uri);
      if (!file) return;
      const obj = await builtObject(file, token);
      if (!obj) return;
      await trace?.stop();
      traceOutput.clear();
      traceOutput.show(true);
      const cfg = readConfig();
      const session = await startTrace(obj, {
        sudo: cfg.verifySudo,
        log,
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
    command('ebpf.generateCompileCommands', 'Generate compile_commands.json', true, async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) return;
      const cfg = readConfig();
      const clang = findTool(['clang-19', 'clang'], cfg.clangPath, 'install clang-19');
      const files = await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**');
      const entries = files.map((f) => ({
        directory: dirname(f.fsPath),
        file: f.fsPath,
        arguments: [clang, ...clangArgs(f.fsPath, objectPath(f.fsPath), { extraFlags: cfg.buildFlags, includeDirs: cfg.includePaths, root: folder.uri.fsPath })],
      }));
      const out = join(folder.uri.fsPath, 'compile_commands.json');
      await confirmOverwrite(out);
      writeFileSync(out, JSON.stringify(entries, null, 2) + '\n');
      vscode.window.showInformationMessage(`eBPF: compile_commands.json lists ${entries.length} .bpf.c file(s) for clangd and the C/C++ extension`);
    }),
  );

  /** Rejections become diagnostics on the source lines the verifier named. */
  function reportVerdicts(file: string, verdicts: ProgramVerdict[]): void {
    const diags: vscode.Diagnostic[] = [];
    for (const v of verdicts) {
      if (v.accepted || !v.error?.line) continue;
      const line = v.error.line - 1;
      const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), `verifier rejected ${v.name}: ${v.error.message}${v.error.explanation ? ` — ${v.error.explanation}` : ''}`, vscode.DiagnosticSeverity.Error);
      d.source = 'verifier';
      diags.push(d);
    }
    problems.set(vscode.Uri.file(file), diags);
    const rejected = verdicts.filter((v) => !v.accepted).length;
    const msg = `eBPF: ${verdicts.length - rejected} of ${verdicts.length} program(s) accepted by the kernel verifier`;
    if (rejected) vscode.window.showWarningMessage(msg);
    else vscode.window.showInformationMessage(msg);
  }
}
