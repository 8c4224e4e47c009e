import { SqlTokenizer } from '../sql-tokenizer';

/**
 * Splits a script into statements at each `;` outside literals, quoted identifiers and
 * comments; empty statements are left out, and each keeps its own text, trimmed.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let start = 0;
  const push = (end: number) => {
    const text = script.slice(start, end).trim();
    if (text !== '') out.push(text);
  };
  const tokens = new SqlTokenizer(script, { brackets: false, escapeStrings: false, dollarQuotes: false });
  while (tokens.next()) {
    if (tokens.kind === 'punct' && script[tokens.start] === ';') {
      push(tokens.start);
      start = tokens.end;
    }
  }
  push(script.length);
  return out;
}
