'use strict';
// Loaded by the extension host (the payload's extensionTestsPath): runs the mocha suite inside VS Code.
const path = require('path');
const Mocha = require('mocha');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', timeout: 90000, color: false, reporter: 'spec' });
  mocha.addFile(path.join(__dirname, 'extension.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`mocha done: ${failures} failures`);
      failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve();
    });
  });
};
