// The diagnostics the language server computes a step at a time (diagnosticSteps, yielding between rules
// and between the paths of the CO-RE rule) are the list computeDiagnostics gives at once, in the same order.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { Diagnostic } from 'vscode-languageserver-types';
import { RULES } from '../../server/src/features/diagnostics/diagnostics';
import { LanguageService } from '../../server/src/features/language-service';
import { ParsedFile } from '../../server/src/features/service-context';
import { generatedSource } from '../support/generated-source';
import { repoRoot } from '../support/kernels';
import { parse, serviceFor } from '../support/service';

let service: LanguageService;
before(async () => {
  service = await serviceFor();
});

/** The steps run one by one to the end: the list, and how many steps it took. */
function inSteps(file: ParsedFile): { list: Diagnostic[]; steps: number } {
  const steps = service.diagnosticSteps(file);
  for (let n = 1; ; n++) {
    const r = steps.next();
    if (r.done) return { list: r.value, steps: n };
  }
}

describe('diagnostics in steps', () => {
  test('a generated file: the same list, in many more steps than there are rules', () => {
    const file = parse(generatedSource(1000));
    const { list, steps } = inSteps(file);
    assert.deepEqual(list, service.diagnostics(file));
    // Two CO-RE paths in each of its 78 programs: a step each.
    assert.ok(steps > RULES.length + 150, `${steps} steps`);
  });

  test('every example and program fixture: the same list', () => {
    const dirs = [join(repoRoot, 'examples'), join(repoRoot, 'test/fixtures/programs'), join(repoRoot, 'test/fixtures/trust')];
    let findings = 0;
    for (const dir of dirs) {
      for (const name of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
        const file = parse(readFileSync(join(dir, name), 'utf8'), `file:///test/${name}`);
        const expected = service.diagnostics(file);
        assert.deepEqual(inSteps(file).list, expected, name);
        findings += expected.length;
      }
    }
    assert.ok(findings > 0, 'the files have findings to compare');
  });
});
