// The extension-host suite (test/e2e/ext-suite, mocha inside VS Code) through @vscode/test-electron's
// runTests(), the product's named test runner: here its VS Code is test/vscode/launcher (code-server
// and Chromium), since desktop VS Code cannot be downloaded on this machine. This is the one place the
// suite runs in `bash scripts/test`; the page-driven tests are in test/e2e/editor.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { e2eSkip } from '../e2e/harness';
import { repoRoot } from '../support/kernels';
import { REPORT, TestElectronReport } from './launcher';
import { SUITE } from './run';

const skip = e2eSkip();

describe('@vscode/test-electron runs the extension-host suite', { skip }, () => {
  test('runTests through the launcher: every test passes and the report says so', { timeout: 480_000 }, async () => {
    rmSync(REPORT, { force: true });
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', join(__dirname, 'run.ts')], { cwd: repoRoot, maxBuffer: 64 << 20, timeout: 450_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}\n${stderr}` });
      });
    });
    const tail = out.split('\n').filter((l) => /passing|failing|pending|✔|\d+\) |mocha done|HOVER_OK|COMPLETION_OK|Error|launcher:|Exit code/.test(l)).join('\n');
    assert.ok(existsSync(REPORT), `no report was written:\n${tail}`);
    const report = JSON.parse(readFileSync(REPORT, 'utf8')) as TestElectronReport;
    assert.equal(report.runner, '@vscode/test-electron');
    // What runTests passed, as desktop VS Code would receive it.
    for (const want of [`--extensionTestsPath=${SUITE}`, `--extensionDevelopmentPath=${repoRoot}`, '--no-sandbox', '--disable-workspace-trust']) {
      assert.ok(report.argv.includes(want), `${want} in ${JSON.stringify(report.argv)}`);
    }
    assert.ok(report.argv.some((a) => a.startsWith('--user-data-dir=')) && report.argv.some((a) => a.startsWith('--extensions-dir=')), JSON.stringify(report.argv));
    assert.match(report.vscode, /^\S.* \d+\.\d+\.\d+/, 'the editor named itself and its version');
    assert.equal(report.failed, 0, `failed tests:\n${tail}`);
    assert.ok(report.passed > 0, tail);
    assert.equal(code, 0, `runTests exited with ${code}:\n${tail}`);
    // What the suite saw inside the editor (these ran in test/e2e/editor.test.ts before this route existed).
    assert.match(out, /HOVER_OK \d+/, tail);
    assert.match(out, /COMPLETION_OK \d+/, tail);
  });
});
