// The text of nodes without asking WASM for their ends twice. web-tree-sitter reads a node's end with a
// call into WASM and `node.text` reads it again; on a cold start each such call runs in V8's interpreter,
// so the model reads a node's span once and slices its text from the text the tree was parsed from.
import type { Node } from 'web-tree-sitter';
import type { Span } from './preprocessor';

export class TreeText {
  private readonly text: string;
  private readonly offset: number;

  /** The text of `node` and of everything inside it. */
  constructor(node: Node) {
    this.offset = node.startIndex;
    this.text = node.text;
  }

  /** The text of a span inside the node this was made for: `node.text` for the node's span. */
  of(span: Span): string {
    return this.text.slice(span.start - this.offset, span.end - this.offset);
  }
}
