// Build, Build all, the CO-RE portability check after a build (and on demand; against the folders of
// ebpf.kernel.targetDirs too, also after a save), and compile_commands.json: the same host code as
// `ebpf-ls build` (argument arrays, no shell).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { buildObject, findVmlinuxDir, objectIsStale, objectPath } from '../../../server/src/host/build';
import { writeCompileCommands } from '../../../server/src/host/compile-commands';
import { findTool, ToolError } from '../../../server/src/host/tools';
import { OBJECT_RELOCATIONS_REQUEST, ObjectRelocationsParams, ObjectRelocationsResult } from '../../../server/src/lsp/protocol';
import { ClientConfig, readConfig } from '../config';
import { FleetCheck, checkTargetDirs, targetDirs } from '../fleet-relocations';
import { cachedVmlinuxDir, describedKernelFile, kernelRelease } from '../kernel-files';
import { registerPortabilitySerializer, showPortability } from '../portability-view';
import { command, CommandContext, confirmOverwrite, fileCommand, signalOf } from './command-runner';
import { commandAction, notify, showLogAction, showProblemsAction } from './notify';

export function registerBuildCommands(ctx: CommandContext): void {
  ctx.extension.subscriptions.push(
    fileCommand('ebpf.build', 'Build', async (file, token) => void (await build(ctx, file, token))),
    fileCommand('ebpf.showPortability', 'CO-RE portability', async (file, token) => {
      // A stale object is built first, and the build's own check opens the view (the kernels are checked once).
      const obj = objectOf(file);
      if (objectIsStale(file, obj)) await build(ctx, file, token, { openView: true });
      else await checkRelocations(ctx, obj, new Map(), true);
    }),
    command('ebpf.buildWorkspace', 'Build all .bpf.c files', true, async (token) => {
      const files = await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**');
      for (const f of files) if (!token.isCancellationRequested) await build(ctx, f.fsPath, token);
    }),
    command('ebpf.generateCompileCommands', 'Generate compile_commands.json', true, generateCompileCommands),
    buildOnSaveForTargetDirs(ctx),
  );
  registerPortabilitySerializer(ctx.extension, async (object) => {
    if (!existsSync(object)) return `${object} no longer exists`;
    const fleet = await fleetCheck(ctx, object);
    if (fleet) return fleet.matrix;
    await ctx.client.start();
    const res = await ctx.client.sendRequest<ObjectRelocationsResult>(OBJECT_RELOCATIONS_REQUEST, { object } satisfies ObjectRelocationsParams);
    return res.matrix ?? res.error ?? 'no relocations were read';
  });
}

/** Files being built: the save a build makes does not start another. */
const building = new Set<string>();

/** With ebpf.kernel.targetDirs set (trusted workspaces only), a saved .bpf.c is built in the background, which checks it against the folders. */
function buildOnSaveForTargetDirs(ctx: CommandContext): vscode.Disposable {
  const timers = new Map<string, NodeJS.Timeout>();
  const save = vscode.workspace.onDidSaveTextDocument((doc) => {
    const file = doc.uri.fsPath;
    if (doc.uri.scheme !== 'file' || !file.endsWith('.bpf.c') || !vscode.workspace.isTrusted || !readConfig().kernelTargetDirs.length || building.has(file)) return;
    clearTimeout(timers.get(file));
    timers.set(file, setTimeout(() => {
      timers.delete(file);
      const cts = new vscode.CancellationTokenSource();
      build(ctx, file, cts.token, { background: true }).catch((e: Error) => ctx.output.appendLine(`build on save of ${file}: ${e.message}`)).finally(() => cts.dispose());
    }, 1000));
  });
  return { dispose: () => { save.dispose(); for (const t of timers.values()) clearTimeout(t); } };
}

export interface BuildOptions {
  /** Open the portability view after the CO-RE check. */
  openView?: boolean;
  /** A build the user did not ask for (after a save): a compile error goes to Problems and the status bar, not a notification on every save. */
  background?: boolean;
}

/**
 * Saves and builds the file: clang's messages in Problems, then the CO-RE check; the object, or undefined
 * when it does not compile.
 */
export async function build(ctx: CommandContext, file: string, token: vscode.CancellationToken, options: BuildOptions = {}): Promise<string | undefined> {
  building.add(file);
  try {
    return await buildAndCheck(ctx, file, token, options);
  } finally {
    building.delete(file);
  }
}

async function buildAndCheck(ctx: CommandContext, file: string, token: vscode.CancellationToken, { openView = false, background = false }: BuildOptions): Promise<string | undefined> {
  const cfg = readConfig();
  await vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.save();
  const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
  const fallback = await vmlinuxFallback(ctx, cfg, file, root, token);
  const includeDirs = fallback ? [...cfg.includePaths, fallback] : cfg.includePaths;
  const r = await buildObject(file, { clang: cfg.clangPath, outDir: cfg.outputDir && root ? join(root, cfg.outputDir) : undefined, extraFlags: cfg.buildFlags, includeDirs, root, log: ctx.log, signal: signalOf(token) });
  ctx.output.append(r.stderr);
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
  ctx.problems.clear();
  for (const [f, ds] of byFile) ctx.problems.set(vscode.Uri.file(f), ds);
  if (!r.ok) {
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    const noVmlinux = errors.some((d) => VMLINUX_NOT_FOUND.test(d.message));
    const message = `eBPF: build of ${vscode.workspace.asRelativePath(file)} failed: ${errors.length} error(s)${noVmlinux ? ': there is no vmlinux.h' : ''}`;
    if (background) {
      vscode.window.setStatusBarMessage(`${message}, see Problems`, 8000);
      return undefined;
    }
    notify(
      'error',
      message,
      noVmlinux ? commandAction('Generate vmlinux.h', 'ebpf.generateVmlinuxH', vscode.Uri.file(file)) : undefined,
      showProblemsAction,
      showLogAction(ctx.output),
    );
    return undefined;
  }
  const failing = await checkRelocations(ctx, r.object, byFile, openView);
  vscode.window.setStatusBarMessage(`eBPF: built ${relative(dirname(file), r.object)}${failing ? `; ${failing} CO-RE relocation(s) fail on some kernel, see Problems` : ''}`, 8000);
  return r.object;
}

/** clang's message for a missing vmlinux.h (`'vmlinux.h' file not found`). */
export const VMLINUX_NOT_FOUND = /'vmlinux\.h' file not found/;
const VMLINUX_INCLUDE = /^\s*#\s*include\s*[<"]vmlinux\.h[>"]/m;

/** Whether the file includes vmlinux.h, itself or through a header of its own folder. */
function includesVmlinux(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  if (VMLINUX_INCLUDE.test(text)) return true;
  for (const m of text.matchAll(/^\s*#\s*include\s*"([^"]+)"/gm)) {
    const header = join(dirname(file), m[1]);
    if (existsSync(header) && VMLINUX_INCLUDE.test(readFileSync(header, 'utf8'))) return true;
  }
  return false;
}

/**
 * When the file includes vmlinux.h and the project has none (beside it, above it in the workspace, or in
 * the include paths): the folder of one generated for the described kernel in the extension's storage,
 * said in the output. Undefined when not needed, turned off, or when it cannot be generated (clang's
 * error then says what is missing, with Generate vmlinux.h offered).
 */
async function vmlinuxFallback(ctx: CommandContext, cfg: ClientConfig, file: string, root: string | undefined, token: vscode.CancellationToken): Promise<string | undefined> {
  if (!cfg.vmlinuxFallback || findVmlinuxDir(file, root) || cfg.includePaths.some((d) => existsSync(join(d, 'vmlinux.h'))) || !includesVmlinux(file)) return undefined;
  try {
    const kernel = describedKernelFile(ctx.extension, cfg.kernelBtf);
    const { dir, generated } = await cachedVmlinuxDir(ctx.extension, kernel, { bpftool: cfg.bpftoolPath, log: ctx.log, signal: signalOf(token) });
    ctx.output.appendLine(`No vmlinux.h in the project: building with one ${generated ? 'generated' : 'generated earlier'} for the described kernel, ${kernelRelease(kernel)}, in ${dir} (Generate vmlinux.h puts one in the project).`);
    return dir;
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    ctx.output.appendLine(`No vmlinux.h in the project, and none could be generated for the build: ${e.message}`);
    return undefined;
  }
}

/** Where Build puts the file's object. */
function objectOf(file: string): string {
  const cfg = readConfig();
  const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
  return objectPath(file, cfg.outputDir && root ? join(root, cfg.outputDir) : undefined);
}

/** The file's object, built first when missing or older than its sources. */
export async function builtObject(ctx: CommandContext, file: string, token: vscode.CancellationToken, options: BuildOptions = {}): Promise<string | undefined> {
  const obj = objectOf(file);
  return objectIsStale(file, obj) ? build(ctx, file, token, options) : obj;
}

/** The object's CO-RE relocations against the configured kernels: problems at their lines, and an open portability view refreshed. */
async function checkRelocations(ctx: CommandContext, object: string, byFile: Map<string, vscode.Diagnostic[]>, open = false): Promise<number> {
  const { client, output, problems } = ctx;
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
  const found = new Map<string, vscode.Diagnostic[]>();
  for (const { uri, diagnostics } of res.diagnostics ?? []) found.set(vscode.Uri.parse(uri).fsPath, await client.protocol2CodeConverter.asDiagnostics(diagnostics));
  const fleet = await fleetCheck(ctx, object);
  for (const [file, ds] of fleet?.problems ?? []) found.set(file, [...(found.get(file) ?? []), ...ds]);
  let count = 0;
  for (const [file, ds] of found) {
    const target = vscode.Uri.file(file);
    // After a build, its clang problems; otherwise the problems already shown, less the previous CO-RE check's.
    const base = byFile.get(file) ?? (problems.get(target) ?? []).filter((d) => !/^core-relo-/.test(String(d.code)));
    const all = [...base, ...ds];
    byFile.set(file, all);
    problems.set(target, all);
    count += ds.length;
  }
  // With target folders, the view shows their kernels in groups; otherwise the configured kernels.
  showPortability(ctx.extension, object, fleet?.matrix ?? res.matrix, !open);
  return count;
}

/** The object against the kernels of ebpf.kernel.targetDirs, in trusted workspaces; undefined when none are set or they cannot be read. */
async function fleetCheck(ctx: CommandContext, object: string): Promise<FleetCheck | undefined> {
  const root = (vscode.workspace.getWorkspaceFolder(vscode.Uri.file(object)) ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath;
  const dirs = targetDirs(readConfig().kernelTargetDirs, root);
  if (!dirs.length || !vscode.workspace.isTrusted) return undefined;
  const started = Date.now();
  const title = 'eBPF: CO-RE check against ebpf.kernel.targetDirs';
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => checkTargetDirs(object, dirs, ctx.extension.asAbsolutePath(join('dist', 'ebpf-ls.js'))).catch((e: Error) => `a worker failed: ${e.message}`));
  if (typeof r === 'string') {
    ctx.output.appendLine(`CO-RE check of ${object} against ebpf.kernel.targetDirs: ${r}`);
    notify('warning', `eBPF: ebpf.kernel.targetDirs: ${r}`, showLogAction(ctx.output));
    return undefined;
  }
  const groups = r.matrix.columns.length;
  ctx.output.appendLine(`CO-RE check of ${vscode.workspace.asRelativePath(object)} against ${r.kernels} kernel(s) of ebpf.kernel.targetDirs: ${groups} group(s) of kernels that answer alike, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return r;
}

/** compile_commands.json at the first workspace folder's root, one entry per .bpf.c with the flags Build uses. */
async function generateCompileCommands(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return;
  const cfg = readConfig();
  const clang = findTool(['clang-19', 'clang'], cfg.clangPath, 'install clang-19');
  const files = await vscode.workspace.findFiles('**/*.bpf.c', '**/node_modules/**');
  const out = join(folder.uri.fsPath, 'compile_commands.json');
  await confirmOverwrite(out);
  writeCompileCommands(out, files.map((f) => f.fsPath), clang, { extraFlags: cfg.buildFlags, includeDirs: cfg.includePaths, root: folder.uri.fsPath });
  vscode.window.showInformationMessage(`eBPF: compile_commands.json lists ${files.length} .bpf.c file(s) for clangd and the C/C++ extension`);
}
