// The table of diagnostic codes is written once (features/diagnostics/codes.ts); README lists it for users.
// This test renders the README's table from the code table, so the two cannot drift apart.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DIAGNOSTIC_CODES } from '../../server/src/features/diagnostics/codes';
import { BEGIN, END, codesTable } from '../support/codes-table';
import { RULES } from '../../server/src/features/diagnostics/diagnostics';

test("README's table of diagnostic codes is the code table", () => {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  assert.ok(start >= 0 && end > start, 'README.md has no generated table of diagnostic codes');
  assert.equal(readme.slice(start, end + END.length), codesTable(), 'README.md lists other codes or severities than codes.ts: paste the expected table');
});

test('every rule reports only codes of the table, and every code has a rule or the post-build check', () => {
  const ruleCodes = new Set(RULES.flatMap((r) => r.codes));
  for (const code of ruleCodes) assert.ok(code in DIAGNOSTIC_CODES, `${code} is not in codes.ts`);
  const postBuild = new Set(['core-relo-error', 'core-relo-unresolved']);
  for (const code of Object.keys(DIAGNOSTIC_CODES)) assert.ok(ruleCodes.has(code as never) || postBuild.has(code), `${code} has no rule`);
});
