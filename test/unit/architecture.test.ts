// Tidy tests (in the style of rust-analyzer's): the architecture of ARCHITECTURE.md, checked over every
// .ts file under server/src and client/src. One pure core, thin edges:
//   1. no import cycles (type-only imports count: they couple modules too);
//   2. the core is pure: no edge modules, no VS Code / LSP runtime, no Node built-in that does IO;
//   3. edges stay edges: lsp/ and cli/ do not import each other, server/src never imports client/;
//   4. functions fit on a screen.
// No allowlists: a rule that fails lists the real offenders. ARCH_ROOT points the test at another tree
// (a copy with planted violations, say); it defaults to the repository root.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/** Core folders under server/src. Add new core folders here; any other folder that is not an edge counts as core too. */
const CORE_FOLDERS = ['btf', 'elf', 'layout', 'relocs', 'csource', 'sections', 'features', 'container', 'verifier', 'helpers', 'kernels', 'clang'];
/** Core files directly under server/src. */
const CORE_FILES = ['server/src/result.ts'];
/** The edges under server/src: they may do IO and know LSP, and may import the core. */
const EDGE_FOLDERS = ['host', 'lsp', 'cli'];
/** Entry points directly under server/src: edges (launch.ts runs main.ts's bundle with its code cached; main.ts picks the LSP or the CLI). Other top-level files are core. */
const ENTRY_FILES = ['server/src/launch.ts', 'server/src/main.ts'];

/** Bare modules the core must not import: the editor and LSP runtimes. (vscode-languageserver-types and
 * vscode-languageserver-textdocument are plain data shapes and allowed.) */
const FORBIDDEN_CORE_PACKAGES = ['vscode', 'vscode-languageserver', 'vscode-languageclient'];
/** Node built-ins that do IO, with or without `node:`. (zlib is allowed: the core only uses it on bytes.) */
const IO_BUILTINS = ['fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'os'];
/** Folders of server/src (relative to it) that may not import each other. */
const SEPARATED_EDGES: [string, string][] = [['lsp', 'cli'], ['cli', 'lsp']];

const MAX_FUNCTION_LINES = 120;

const root = resolve(process.env.ARCH_ROOT ?? join(__dirname, '../..'));
const SOURCE_DIRS = ['server/src', 'client/src'];

/** A path relative to root, with forward slashes. */
function rel(abs: string): string {
  return relative(root, abs).split(sep).join('/');
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') walk(path, out);
    } else if (/\.(ts|tsx|mts|cts)$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

interface Import {
  specifier: string;
  /** Root-relative path of the resolved file for a relative specifier; undefined for a bare module. */
  target?: string;
  line: number;
}

interface Module {
  file: string;
  source: ts.SourceFile;
  imports: Import[];
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.json'];

/** `./x` as x.ts or x/index.ts (or `./x.js` written for x.ts); the unresolved path when nothing exists. */
function resolveRelative(fromFile: string, specifier: string): string {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => join(base, 'index' + e))];
  if (/\.[mc]?js$/.test(base)) candidates.push(base.replace(/\.([mc]?)js$/, '.$1ts'));
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) return rel(c);
  }
  return rel(base);
}

function stringArgument(node: ts.CallExpression): string | undefined {
  const arg = node.arguments[0];
  return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

/** Every module specifier of a file: imports (type-only too), re-exports, `import x = require()`,
 * `require()`, `import()` and `import('./x').T` types. */
function specifiers(source: ts.SourceFile): { specifier: string; pos: number }[] {
  const found: { specifier: string; pos: number }[] = [];
  const visit = (node: ts.Node): void => {
    let specifier: string | undefined;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteralLike(node.moduleSpecifier)) {
      specifier = node.moduleSpecifier.text;
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteralLike(node.moduleReference.expression)) {
      specifier = node.moduleReference.expression.text;
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      specifier = stringArgument(node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteralLike(node.argument.literal)) {
      specifier = node.argument.literal.text;
    }
    if (specifier !== undefined) found.push({ specifier, pos: node.getStart(source) });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function loadModules(): Module[] {
  const files = SOURCE_DIRS.flatMap((d) => walk(join(root, d))).sort();
  return files.map((abs) => {
    const source = ts.createSourceFile(abs, readFileSync(abs, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const imports = specifiers(source).map(({ specifier, pos }) => ({
      specifier,
      target: specifier.startsWith('.') ? resolveRelative(abs, specifier) : undefined,
      line: source.getLineAndCharacterOfPosition(pos).line + 1,
    }));
    return { file: rel(abs), source, imports };
  });
}

const modules = loadModules();
const moduleFiles = new Set(modules.map((m) => m.file));

const isUnder = (file: string, folder: string): boolean => file === folder || file.startsWith(folder + '/');

/** The folders of server/src treated as core: the listed ones that exist, and every other non-edge folder. */
function coreFolders(): { core: string[]; missing: string[]; unlisted: string[] } {
  const serverSrc = join(root, 'server/src');
  const present = existsSync(serverSrc)
    ? readdirSync(serverSrc, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
    : [];
  const core = present.filter((d) => !EDGE_FOLDERS.includes(d)).sort();
  return {
    core,
    missing: CORE_FOLDERS.filter((d) => !present.includes(d)),
    unlisted: core.filter((d) => !CORE_FOLDERS.includes(d)),
  };
}

function isCoreFile(file: string, core: string[]): boolean {
  if (core.some((d) => isUnder(file, `server/src/${d}`))) return true;
  if (CORE_FILES.includes(file)) return true;
  // Other files directly under server/src, except the entry points, are core too.
  return dirname(file) === 'server/src' && !ENTRY_FILES.includes(file);
}

function forbiddenForCore(imp: Import): boolean {
  if (imp.target !== undefined) {
    return ['server/src/host', 'server/src/lsp', 'server/src/cli', 'client'].some((f) => isUnder(imp.target!, f));
  }
  const name = imp.specifier.replace(/^node:/, '');
  if (IO_BUILTINS.includes(name)) return true;
  return FORBIDDEN_CORE_PACKAGES.some((p) => name === p || name.startsWith(p + '/'));
}

// ---- Import cycles -------------------------------------------------------------------------------------

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const m of modules) {
    const targets = m.imports.map((i) => i.target).filter((t): t is string => t !== undefined && moduleFiles.has(t));
    graph.set(m.file, [...new Set(targets)].sort());
  }
  return graph;
}

/** Tarjan's strongly connected components. */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components;
}

/** The shortest cycle through `start` inside one component, as `start -> ... -> start`. */
function shortestCycle(graph: Map<string, string[]>, component: Set<string>, start: string): string[] | undefined {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i];
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = parent.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return undefined;
}

test('no import cycles between modules of server/src and client/src', () => {
  const graph = importGraph();
  const cyclic = stronglyConnected(graph).filter((c) => c.length > 1 || graph.get(c[0])!.includes(c[0]));
  const lines: string[] = [];
  for (const component of cyclic) {
    const members = new Set(component);
    const seen = new Set<string>();
    lines.push(`component of ${component.length} modules: ${component.join(', ')}`);
    for (const start of component) {
      const cycle = shortestCycle(graph, members, start);
      if (!cycle) continue;
      // One line per distinct cycle, whichever module it is printed from.
      const key = [...cycle.slice(0, -1)].sort().join('|') + '#' + cycle.length;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`  ${cycle.join(' -> ')}`);
    }
  }
  assert.equal(cyclic.length, 0, `${cyclic.length} import cycle(s) (break them by moving the shared part down into a module both import):\n${lines.join('\n')}`);
});

test('the core is pure: no edges, no VS Code or LSP runtime, no Node IO built-ins', (t) => {
  const { core, missing, unlisted } = coreFolders();
  t.diagnostic(`core folders (server/src/…): ${core.join(', ')}`);
  if (unlisted.length) t.diagnostic(`treated as core though not in CORE_FOLDERS: ${unlisted.join(', ')}`);
  if (missing.length) t.diagnostic(`listed in CORE_FOLDERS but absent: ${missing.join(', ')}`);
  const coreModules = modules.filter((m) => isCoreFile(m.file, core));
  t.diagnostic(`core files: ${coreModules.length} (top level: ${coreModules.filter((m) => dirname(m.file) === 'server/src').map((m) => m.file).join(', ') || 'none'})`);
  const violations: string[] = [];
  for (const m of coreModules) {
    for (const imp of m.imports) {
      if (forbiddenForCore(imp)) violations.push(`${m.file}: imports ${imp.target ?? imp.specifier}` + (imp.target ? ` ('${imp.specifier}', line ${imp.line})` : ` (line ${imp.line})`));
    }
  }
  assert.equal(violations.length, 0, `${violations.length} core import(s) of edges, editor/LSP runtimes or IO built-ins (do the IO in host/ and hand the core bytes or text):\n${violations.join('\n')}`);
});

test('edges stay edges: lsp/ and cli/ do not import each other, server/src never imports client/', () => {
  const violations: string[] = [];
  for (const m of modules) {
    for (const imp of m.imports) {
      if (imp.target === undefined) continue;
      for (const [from, to] of SEPARATED_EDGES) {
        if (isUnder(m.file, `server/src/${from}`) && isUnder(imp.target, `server/src/${to}`)) {
          violations.push(`${m.file}: imports ${imp.target} (line ${imp.line}): ${from}/ may not import ${to}/`);
        }
      }
      if (isUnder(m.file, 'server/src') && isUnder(imp.target, 'client')) {
        violations.push(`${m.file}: imports ${imp.target} (line ${imp.line}): the server may not import the client`);
      }
    }
  }
  assert.equal(violations.length, 0, `${violations.length} edge-to-edge import(s):\n${violations.join('\n')}`);
});

// ---- Function length ----------------------------------------------------------------------------------

const FUNCTION_KINDS = new Set([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
]);

function propertyName(name: ts.PropertyName | ts.BindingName, source: ts.SourceFile): string {
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name) ? name.text : name.getText(source);
}

/** A readable name: the declared one, else what the function is assigned to or passed to. */
function functionName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  const owner = ts.isClassLike(node.parent) && node.parent.name ? node.parent.name.text + '.' : '';
  if (ts.isConstructorDeclaration(node)) return owner + 'constructor';
  const prefix = ts.isGetAccessor(node) ? 'get ' : ts.isSetAccessor(node) ? 'set ' : '';
  if (node.name) return prefix + owner + propertyName(node.name, source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return propertyName(parent.name, source);
  if (ts.isBinaryExpression(parent) && parent.right === node) return parent.left.getText(source);
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(source).slice(0, 60)})`;
  if (ts.isExportAssignment(parent)) return '(default export)';
  return ts.isArrowFunction(node) ? '(arrow function)' : '(function expression)';
}

test(`functions fit on a screen: at most ${MAX_FUNCTION_LINES} lines`, () => {
  const long: { text: string; lines: number }[] = [];
  for (const { file, source } of modules) {
    const visit = (node: ts.Node): void => {
      if (FUNCTION_KINDS.has(node.kind)) {
        const fn = node as ts.FunctionLikeDeclaration;
        const start = source.getLineAndCharacterOfPosition(fn.getStart(source)).line + 1;
        const end = source.getLineAndCharacterOfPosition(fn.getEnd()).line + 1;
        const lines = end - start + 1;
        if (lines > MAX_FUNCTION_LINES) long.push({ text: `${file}:${start} ${functionName(fn, source)} (${lines} lines)`, lines });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  long.sort((a, b) => b.lines - a.lines);
  assert.equal(long.length, 0, `${long.length} function(s) longer than ${MAX_FUNCTION_LINES} lines (split them into named steps):\n${long.map((l) => l.text).join('\n')}`);
});
