// The launcher @vscode/test-electron's runTests() spawns in place of VS Code (test/vscode/launcher).
// runTests passes desktop VS Code's command line: `--extensionDevelopmentPath=`, `--extensionTestsPath=`,
// `--extensions-dir=`, `--user-data-dir=`, Electron's and the workbench's switches (`--no-sandbox`,
// `--disable-gpu-sandbox`, `--disable-updates`, `--skip-welcome`, `--skip-release-notes`,
// `--disable-workspace-trust`, which code-server refuses as unknown options) and the folder to open.
// Here they become code-server's terms, as the e2e harness uses them: the profile folders on the
// server's command line, the development and test paths in the page's payload, the suite's exit code
// from the smoke-test driver. Exits with the suite's status and writes test-artifacts/e2e/test-electron.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ARTIFACTS, e2eSkip, runExtensionSuite, startEditor } from '../e2e/harness';

export const REPORT = join(ARTIFACTS, 'test-electron.json');

export interface LaunchRequest {
  devPaths: string[];
  testsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  /** The folder to open (runTests' launchArgs put it first). */
  folder?: string;
  workspaceTrust: boolean;
  /** Switches that mean nothing to code-server in a browser (sandbox, GPU, update and welcome switches). */
  ignored: string[];
  /** Arguments this launcher does not know: reported, not fatal. */
  unknown: string[];
}

/** Switches runTests adds for Electron and the desktop workbench, with no counterpart in a browser. */
const DESKTOP_ONLY = new Set(['no-sandbox', 'disable-gpu-sandbox', 'disable-updates', 'skip-welcome', 'skip-release-notes', 'disable-gpu', 'disable-telemetry', 'disable-chromium-sandbox', 'verbose', 'wait', 'new-window']);

export function parseLaunchArgs(argv: readonly string[]): LaunchRequest {
  const req: LaunchRequest = { devPaths: [], workspaceTrust: true, ignored: [], unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([\w-]+)(?:=(.*))?$/s.exec(a);
    if (!m) {
      if (a.startsWith('-')) req.unknown.push(a);
      else req.folder ??= resolve(a);
      continue;
    }
    const [, name, inline] = m;
    const value = () => inline ?? argv[++i];
    switch (name) {
      case 'extensionDevelopmentPath': req.devPaths.push(resolve(value())); break;
      case 'extensionTestsPath': req.testsPath = resolve(value()); break;
      case 'user-data-dir': req.userDataDir = resolve(value()); break;
      case 'extensions-dir': req.extensionsDir = resolve(value()); break;
      case 'folder-uri': req.folder = new URL(value()).pathname; break;
      case 'disable-workspace-trust': req.workspaceTrust = false; break;
      default: (DESKTOP_ONLY.has(name) ? req.ignored : req.unknown).push(a);
    }
  }
  return req;
}

export interface TestElectronReport {
  runner: '@vscode/test-electron';
  argv: string[];
  /** The product and version the editor reported from inside (vscode.env.appName, vscode.version). */
  vscode: string;
  passed: number;
  failed: number;
  pending: number;
  /** The suite's exit code as the editor reported it; -1 when it did not finish in time. */
  exitCode: number;
  durationMs: number;
}

/** Reads the counts and the editor's version from the lines the suite's entry (ext-suite/index.js) prints. */
export function suiteSummary(lines: readonly string[]): { passed: number; failed: number; pending: number; vscode: string } {
  const result = lines.map((l) => /SUITE_RESULT (\{.*\})/.exec(l)?.[1]).find(Boolean);
  const counts = result ? (JSON.parse(result) as { passed: number; failed: number; pending: number }) : { passed: 0, failed: 0, pending: 0 };
  const version = lines.map((l) => /EDITOR_VERSION (.+)$/.exec(l)?.[1]).find(Boolean);
  return { ...counts, vscode: version?.trim() ?? 'unknown (the suite did not report it)' };
}

export async function main(argv: string[]): Promise<number> {
  const started = Date.now();
  const req = parseLaunchArgs(argv);
  if (req.unknown.length) console.error(`launcher: ignoring arguments it does not know: ${req.unknown.join(' ')}`);
  if (!req.testsPath) {
    console.error('launcher: no --extensionTestsPath: this launcher runs extension test suites only');
    return 2;
  }
  const skip = e2eSkip();
  if (skip) {
    console.error(`launcher: cannot start the editor: ${skip}`);
    return 1;
  }
  const server = await startEditor({ trust: req.workspaceTrust, userDataDir: req.userDataDir, extensionsDir: req.extensionsDir });
  const stopOnSignal = () => void server.stop().then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let run;
  try {
    run = await runExtensionSuite(server, req.folder ?? '', req.testsPath, {
      devPaths: req.devPaths,
      timeoutMs: Number(process.env.EBPF_SUITE_TIMEOUT_MS) || 300_000,
      screenshot: 'test-electron',
      onLine: (l) => process.stdout.write(`${l}\n`),
    });
  } finally {
    await server.stop();
  }
  const summary = suiteSummary(run.lines);
  const report: TestElectronReport = { runner: '@vscode/test-electron', argv, vscode: summary.vscode, passed: summary.passed, failed: summary.failed, pending: summary.pending, exitCode: run.code, durationMs: Date.now() - started };
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(REPORT, JSON.stringify(report, null, 2) + '\n');
  if (run.code === -1) console.error('launcher: the suite did not finish in time');
  return run.code === 0 && summary.failed === 0 ? 0 : 1;
}
