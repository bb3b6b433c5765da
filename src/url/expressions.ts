/**
 * User-defined variables, arithmetic expressions and conditions (Cloudinary's `$name_value`,
 * `w_$a_mul_2_add_10`, `if_w_gt_300/…/if_else/…/if_end`): the grammar only, pure. Tokenised on
 * `_`, parsed into a small AST (bounded: characters, tokens, variables), printed canonically for
 * the cache key. Evaluation against the image's sizes is the planner's (plan/evaluate.ts).
 *
 * Precedence (Cloudinary documents mul/div before add/sub and and before or; the rest is ours):
 * pow > mul, div, mod > add, sub > comparisons > and > or, all left to right. No parentheses.
 */
import { CldError } from './errors';

export const ARITHMETIC = ['add', 'sub', 'mul', 'div', 'mod', 'pow'] as const;
export type ArithOp = (typeof ARITHMETIC)[number];
export const COMPARISONS = ['eq', 'ne', 'lt', 'gt', 'lte', 'gte'] as const;
export type CmpOp = (typeof COMPARISONS)[number];

/** The characteristics dprox computes from the header and the chain: current and initial size, aspect ratios. */
export const CHARACTERISTICS = ['w', 'h', 'iw', 'ih', 'ar', 'iar'] as const;
export type Characteristic = (typeof CHARACTERISTICS)[number];

/** Cloudinary's other characteristics: refused by name (dprox has no face detection, pages, metadata, ...). */
const UNSUPPORTED_CHARACTERISTICS: Record<string, string> = {
  fc: 'face_count',
  pc: 'page_count',
  cp: 'current_page',
  tar: 'trimmed_aspect_ratio',
  ccc: 'custom_coordinates_count',
  rc: 'regions_count',
  rn: 'region_names',
  px: 'page_x',
  py: 'page_y',
  idn: 'initial_density',
  ils: 'illustration_score',
  pgnames: 'page_names',
  tags: 'tags',
  ctx: 'context',
  md: 'metadata',
  cpi: 'current_public_id',
  du: 'duration',
  idu: 'initial_duration',
};

/** SDK spellings that never reach a URL (the SDKs turn them into the words). */
const SYMBOLS: Record<string, string> = {
  '=': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '>': 'gt',
  '<=': 'lte',
  '>=': 'gte',
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '%': 'mod',
  '^': 'pow',
  '&&': 'and',
  '||': 'or',
};

export type Expr =
  | { kind: 'num'; value: number; text: string }
  | { kind: 'str'; value: string }
  | { kind: 'var'; name: string }
  | { kind: 'char'; name: Characteristic }
  | { kind: 'bin'; op: ArithOp; left: Expr; right: Expr };

export type Cond =
  | { kind: 'cmp'; op: CmpOp; left: Expr; right: Expr }
  | { kind: 'and' | 'or'; left: Cond; right: Cond }
  | { kind: 'isdef' | 'isndef'; name: string };

/** The `if_` parameter: a condition opening a block (or the single-component form), `if_else`, `if_end`. */
export type IfParam = { kind: 'cond'; cond: Cond } | { kind: 'else' } | { kind: 'end' };

/** `$name_value`, in the order written. */
export interface VarDef {
  name: string;
  value: Expr;
}

/** A parameter whose value is computed: the text before the expression (`blur:` of `e_blur:$s`) and the expression. */
export interface Template {
  prefix: string;
  expr: Expr;
}

export const MAX_EXPRESSION_LENGTH = 256;
export const MAX_EXPRESSION_TOKENS = 64;
/** Distinct variables in one chain (layers' included). */
export const MAX_VARIABLES = 32;
export const MAX_VARIABLE_NAME = 32;

const NAME = /^\$[a-zA-Z][a-zA-Z0-9]*$/;
const NUMBER = /^-?(\d+(\.\d+)?|\.\d+)$/;
const RATIO = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/;

export function isVariableName(key: string): boolean {
  return NAME.test(key);
}

export function checkVariableName(key: string, raw: string): string {
  if (!NAME.test(key) || key.length > MAX_VARIABLE_NAME + 1)
    throw new CldError(400, `Invalid variable name '${key}' in ${raw} (expected $ then a letter and up to ${MAX_VARIABLE_NAME - 1} letters or digits)`);
  return key.slice(1);
}

type Token = string;

function tokenize(text: string, where: string): Token[] {
  if (text.length > MAX_EXPRESSION_LENGTH)
    throw new CldError(400, `Expression too long in ${where}: ${text.length} characters, at most ${MAX_EXPRESSION_LENGTH}`);
  const tokens: Token[] = [];
  let i = 0;
  while (i <= text.length) {
    let end: number;
    if (text[i] === '!') {
      // A string runs to the next `!` and may hold underscores.
      const close = text.indexOf('!', i + 1);
      if (close < 0) throw new CldError(400, `Unterminated string in ${where}: ${text.slice(i)}`);
      end = close + 1;
      if (end < text.length && text[end] !== '_') throw new CldError(400, `Invalid expression in ${where}: expected _ after the string ${text.slice(i, end)}`);
    } else {
      end = text.indexOf('_', i);
      if (end < 0) end = text.length;
    }
    const token = text.slice(i, end);
    if (token === '') throw new CldError(400, `Invalid expression in ${where}: empty term`);
    tokens.push(token);
    if (tokens.length > MAX_EXPRESSION_TOKENS) throw new CldError(400, `Expression too complex in ${where}: more than ${MAX_EXPRESSION_TOKENS} terms`);
    i = end + 1;
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly where: string,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  fail(message: string): never {
    throw new CldError(400, `Invalid expression in ${this.where}: ${message}`);
  }

  arith(): Expr {
    let left = this.term();
    while (this.peek() === 'add' || this.peek() === 'sub') {
      const op = this.next() as ArithOp;
      left = { kind: 'bin', op, left, right: this.term() };
    }
    return left;
  }
  term(): Expr {
    let left = this.power();
    while (this.peek() === 'mul' || this.peek() === 'div' || this.peek() === 'mod') {
      const op = this.next() as ArithOp;
      left = { kind: 'bin', op, left, right: this.power() };
    }
    return left;
  }
  power(): Expr {
    let left = this.operand();
    while (this.peek() === 'pow') {
      this.next();
      left = { kind: 'bin', op: 'pow', left, right: this.operand() };
    }
    return left;
  }
  operand(): Expr {
    const t = this.next();
    if (t === undefined) return this.fail('missing a value at the end');
    if (NUMBER.test(t)) return { kind: 'num', value: Number(t), text: String(Number(t)) };
    const ratio = RATIO.exec(t);
    if (ratio) {
      const value = Number(ratio[1]) / Number(ratio[2]);
      if (!Number.isFinite(value)) this.fail(`invalid ratio ${t}`);
      return { kind: 'num', value, text: `${Number(ratio[1])}:${Number(ratio[2])}` };
    }
    if (t.startsWith('!') && t.endsWith('!') && t.length >= 2) {
      // A colon is literal here: lists (`!a:b!`) mean something only to in/nin, which dprox refuses.
      return { kind: 'str', value: t.slice(1, -1) };
    }
    if (t.startsWith('$')) return { kind: 'var', name: checkVariableName(t, this.where) };
    if ((CHARACTERISTICS as readonly string[]).includes(t)) return { kind: 'char', name: t as Characteristic };
    if (Object.hasOwn(UNSUPPORTED_CHARACTERISTICS, t))
      throw new CldError(
        400,
        `Unsupported characteristic '${t}' (${UNSUPPORTED_CHARACTERISTICS[t]}) in ${this.where}: dprox computes only ${CHARACTERISTICS.join(', ')}`,
      );
    if (Object.hasOwn(SYMBOLS, t)) this.fail(`'${t}' is an SDK spelling: write ${SYMBOLS[t]} in a URL`);
    if (t === 'in' || t === 'nin' || t === 'to_i' || t === 'to_f' || t === 'to' || t.startsWith('ctx:') || t.startsWith('md:'))
      throw new CldError(400, `Unsupported in ${this.where}: '${t}' (string sets, context and metadata are not available in dprox)`);
    return this.fail(`unexpected '${t}' (expected a number, $variable, !string! or one of ${CHARACTERISTICS.join(', ')})`);
  }

  or(): Cond {
    let left = this.and();
    while (this.peek() === 'or') {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }
  and(): Cond {
    let left = this.comparison();
    while (this.peek() === 'and') {
      this.next();
      left = { kind: 'and', left, right: this.comparison() };
    }
    return left;
  }
  comparison(): Cond {
    const t = this.peek();
    if (t === 'isdef' || t === 'isndef') {
      this.next();
      const v = this.next();
      if (v === undefined || !v.startsWith('$')) return this.fail(`${t} needs a $variable`);
      return { kind: t, name: checkVariableName(v, this.where) };
    }
    const left = this.arith();
    const op = this.next();
    if (op === undefined) return this.fail('missing a comparison (eq, ne, lt, gt, lte, gte)');
    if (op === 'in' || op === 'nin') throw new CldError(400, `Unsupported in ${this.where}: ${op} (string sets: dprox has no tags, context or metadata)`);
    if (!(COMPARISONS as readonly string[]).includes(op)) {
      if (Object.hasOwn(SYMBOLS, op)) this.fail(`'${op}' is an SDK spelling: write ${SYMBOLS[op]} in a URL`);
      this.fail(`unexpected '${op}' (expected eq, ne, lt, gt, lte or gte)`);
    }
    return { kind: 'cmp', op: op as CmpOp, left, right: this.arith() };
  }
}

/** An arithmetic expression (a variable's value, or a parameter's): `$a_mul_2_add_10`, `iw_div_2`, `!text!`. */
export function parseExpression(text: string, where: string): Expr {
  const p = new Parser(tokenize(text, where), where);
  const e = p.arith();
  if (!p.done()) p.fail(`unexpected '${p.peek()}'`);
  return e;
}

/** The value of `if_`: `else`, `end`, or a condition. */
export function parseIf(text: string): IfParam {
  if (text === 'else') return { kind: 'else' };
  if (text === 'end') return { kind: 'end' };
  const where = `if_${text}`;
  const p = new Parser(tokenize(text, where), where);
  const cond = p.or();
  if (!p.done()) p.fail(`unexpected '${p.peek()}'`);
  return { kind: 'cond', cond };
}

/** True when the text reads as an expression rather than a literal value: it names a variable, an operator or a characteristic. */
export function looksLikeExpression(text: string): boolean {
  if (text.includes('$')) return true;
  return text
    .split('_')
    .some(
      (t) =>
        (ARITHMETIC as readonly string[]).includes(t) || (CHARACTERISTICS as readonly string[]).includes(t) || Object.hasOwn(UNSUPPORTED_CHARACTERISTICS, t),
    );
}

export function formatExpression(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return e.text;
    case 'str':
      return `!${e.value}!`;
    case 'var':
      return `$${e.name}`;
    case 'char':
      return e.name;
    case 'bin':
      // No parentheses exist: the tree was built by precedence from this very sequence of tokens.
      return `${formatExpression(e.left)}_${e.op}_${formatExpression(e.right)}`;
  }
}

export function formatCond(c: Cond): string {
  switch (c.kind) {
    case 'cmp':
      return `${formatExpression(c.left)}_${c.op}_${formatExpression(c.right)}`;
    case 'and':
    case 'or':
      return `${formatCond(c.left)}_${c.kind}_${formatCond(c.right)}`;
    case 'isdef':
    case 'isndef':
      return `${c.kind}_$${c.name}`;
  }
}

export function formatIf(p: IfParam): string {
  return p.kind === 'cond' ? formatCond(p.cond) : p.kind;
}

/** The variables an expression reads. */
export function variablesOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'var') out.add(e.name);
  else if (e.kind === 'bin') {
    variablesOf(e.left, out);
    variablesOf(e.right, out);
  }
  return out;
}
