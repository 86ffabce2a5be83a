// Runs the extension-host suite (test/e2e/ext-suite) with @vscode/test-electron's runTests(), as an
// extension's `npm test` does. Two routes:
//  - here (the default): `vscodeExecutablePath` is test/vscode/launcher, which runs the suite in
//    code-server 4.139.1 (VS Code 1.139.1, installed by scripts/e2e-setup) driven by Chromium, because
//    desktop VS Code cannot be downloaded on this machine;
//  - `--desktop`: no executable path, so runTests downloads desktop VS Code (stable) and runs the suite in
//    it, where VS Code's download servers are reachable.
// Each run gets a fresh profile (user data and extensions folders) and a fresh copy of examples/.
//
//   node --import tsx test/vscode/run.ts [--desktop]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { prepareWorkspace } from '../e2e/harness';
import { repoRoot } from '../support/kernels';

export const LAUNCHER = join(__dirname, 'launcher');
export const SUITE = join(repoRoot, 'test/e2e/ext-suite/index');

/** The suite's exit code (0 when every test passed). */
export async function runSuite(opts: { desktop?: boolean } = {}): Promise<number> {
  // No vmlinux.h in the workspace: the suite's first Build must work as a new user's does.
  const ws = prepareWorkspace({ vmlinux: false });
  const profile = mkdtempSync(join(tmpdir(), 'ebpf-vscode-profile-'));
  try {
    return await runTests({
      ...(opts.desktop ? {} : { vscodeExecutablePath: LAUNCHER }),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: SUITE,
      launchArgs: [ws, `--user-data-dir=${join(profile, 'user-data')}`, `--extensions-dir=${join(profile, 'extensions')}`],
    });
  } catch (e) {
    if (e instanceof TestRunFailedError) return e.code ?? 1;
    throw e;
  } finally {
    rmSync(ws, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runSuite({ desktop: process.argv.includes('--desktop') }).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
