// C integer constant expressions as map definitions write them (`256 * 1024`, `1 << 20`, `(PAGE << 4) + 1`),
// evaluated with BigInt: literals (decimal, hex, octal, with u/l suffixes), unary - + ~, * / %, + -, << >>,
// & ^ |, parentheses, and identifiers a caller may resolve (kernel enumerators). Anything else: undefined.

type Tok = { kind: 'num'; value: bigint } | { kind: 'id'; name: string } | { kind: 'op'; op: string };

function tokenize(text: string): Tok[] | undefined {
  const out: Tok[] = [];
  const re = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(<<|>>|[-+*/%&|^~()]))/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[1]) out.push({ kind: 'num', value: /^0\d/.test(m[1]) ? BigInt(`0o${m[1].slice(1)}`) : BigInt(m[1]) });
    else if (m[2]) out.push({ kind: 'id', name: m[2] });
    else out.push({ kind: 'op', op: m[3] });
  }
  return re.lastIndex < text.length && text.slice(re.lastIndex).trim() ? undefined : out;
}

const LEVELS: readonly (readonly string[])[] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

function apply(op: string, a: bigint, b: bigint): bigint | undefined {
  switch (op) {
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '<<': return b < 0n || b > 128n ? undefined : a << b;
    case '>>': return b < 0n || b > 128n ? undefined : a >> b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0n ? undefined : a / b;
    case '%': return b === 0n ? undefined : a % b;
    default: return undefined;
  }
}

/**
 * The value of a constant expression, or undefined when it is not one (or names an identifier `resolve`
 * does not know). A plain literal evaluates too; callers decide whether showing it adds anything.
 */
export function evaluateConstant(text: string, resolve: (name: string) => bigint | undefined = () => undefined): bigint | undefined {
  const toks = tokenize(text);
  if (!toks?.length) return undefined;
  let pos = 0;
  const peekOp = () => (toks[pos]?.kind === 'op' ? (toks[pos] as { op: string }).op : undefined);
  const primary = (): bigint | undefined => {
    const t = toks[pos++];
    if (!t) return undefined;
    if (t.kind === 'num') return t.value;
    if (t.kind === 'id') return resolve(t.name);
    if (t.op === '(') {
      const v = binary(0);
      if (peekOp() !== ')') return undefined;
      pos++;
      return v;
    }
    const v = t.op === '-' || t.op === '+' || t.op === '~' ? primary() : undefined;
    if (v === undefined) return undefined;
    return t.op === '-' ? -v : t.op === '~' ? ~v : v;
  };
  const binary = (level: number): bigint | undefined => {
    if (level === LEVELS.length) return primary();
    let left = binary(level + 1);
    for (let op = peekOp(); left !== undefined && op && LEVELS[level].includes(op); op = peekOp()) {
      pos++;
      const right = binary(level + 1);
      left = right === undefined ? undefined : apply(op, left, right);
    }
    return left;
  };
  const v = binary(0);
  return pos === toks.length ? v : undefined;
}
