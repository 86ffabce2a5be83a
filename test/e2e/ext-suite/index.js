'use strict';
// Loaded by the extension host (the payload's extensionTestsPath, or `--extensionTestsPath` through
// @vscode/test-electron): runs the mocha suite inside VS Code. The last two lines it prints are read by
// the runners: the counts, and the editor's own name and version.
const path = require('path');
const Mocha = require('mocha');
const vscode = require('vscode');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', timeout: 90000, color: false, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'extension.test.js'));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats ?? { passes: 0, failures, pending: 0 };
      console.log(`mocha done: ${failures} failures`);
      console.log(`SUITE_RESULT ${JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending })}`);
      console.log(`EDITOR_VERSION ${vscode.env.appName} ${vscode.version}`);
      failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve();
    });
  });
};
