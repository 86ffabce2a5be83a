// tree-sitter-c through web-tree-sitter (WASM, so the .vsix stays platform-independent). The edge hands
// in the two WASM files' bytes; this module reads nothing itself.
import { Language, Parser } from 'web-tree-sitter';
import type { Edit, Tree } from 'web-tree-sitter';

export type { Node, Tree } from 'web-tree-sitter';

export interface CParserWasm {
  /** web-tree-sitter's runtime, tree-sitter.wasm */
  runtime: Uint8Array;
  /** the C grammar, tree-sitter-c.wasm */
  language: Uint8Array;
}

export class CParser {
  private constructor(private readonly parser: Parser) {}

  static async create(wasm: CParserWasm): Promise<CParser> {
    await Parser.init({ wasmBinary: wasm.runtime });
    const language = await Language.load(wasm.language);
    const parser = new Parser();
    parser.setLanguage(language);
    return new CParser(parser);
  }

  /** A full parse, or an incremental one when given the previous tree already edited with `edit`. */
  parse(text: string, previous?: Tree): Tree {
    const tree = this.parser.parse(maskAttributeMacros(text), previous ?? null);
    if (!tree) throw new Error('tree-sitter returned no tree');
    return tree;
  }
}

/**
 * Attribute-like macros (`__ksym`, `__kconfig`, `__weak`...) trailing a declaration make tree-sitter,
 * which does not expand macros, misparse everything after them. They are blanked to spaces of the same
 * length before parsing, so every offset still matches the document.
 */
const ATTRIBUTE_MACROS = /\b(?:__ksym|__kconfig|__weak|__hidden|__always_inline|__noinline|__arg_\w+|__percpu_kptr|__kptr_untrusted|__kptr|__rcu|__user|__force|__iomem|__must_check|__uptr)\b/g;

export function maskAttributeMacros(text: string): string {
  return text.replace(ATTRIBUTE_MACROS, (m) => ' '.repeat(m.length));
}

export interface TextPoint {
  /** UTF-16 offset, as TextDocument.offsetAt gives it */
  offset: number;
  line: number;
  character: number;
}

/** The tree-sitter edit for a text change; web-tree-sitter indexes JavaScript strings in UTF-16 code units. */
export function treeEdit(start: TextPoint, oldEnd: TextPoint, newEnd: TextPoint): Edit {
  const p = (x: TextPoint) => ({ row: x.line, column: x.character });
  return {
    startIndex: start.offset, oldEndIndex: oldEnd.offset, newEndIndex: newEnd.offset,
    startPosition: p(start), oldEndPosition: p(oldEnd), newEndPosition: p(newEnd),
  };
}
