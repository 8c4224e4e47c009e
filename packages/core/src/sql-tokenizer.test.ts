import { describe, expect, it } from 'vitest';
import { SqlTokenizer, type SqlTokenizerOptions } from './sql-tokenizer';

function tokens(sql: string, options?: SqlTokenizerOptions): string[] {
  const out: string[] = [];
  const t = new SqlTokenizer(sql, options);
  while (t.next()) out.push(`${t.kind}:${t.text}${t.kind === 'param' ? '#' + t.param : ''}`);
  return out;
}

describe('SqlTokenizer', () => {
  it('reads words, numbers, punctuation and placeholders, skipping space and comments', () => {
    expect(tokens('SELECT a.b, 1.5 -- note ?\nFROM t /* ? */ WHERE x = ?')).toEqual([
      'word:SELECT',
      'word:a',
      'punct:.',
      'word:b',
      'punct:,',
      'number:1.5',
      'word:FROM',
      'word:t',
      'word:WHERE',
      'word:x',
      'punct:=',
      'param:?#1',
    ]);
  });

  it('numbers ?NNN, bare ? after the largest so far, and $N', () => {
    expect(tokens('?, ?5, ?, ?1, $3')).toEqual([
      'param:?#1',
      'punct:,',
      'param:?5#5',
      'punct:,',
      'param:?#6',
      'punct:,',
      'param:?1#1',
      'punct:,',
      'param:$3#3',
    ]);
    expect(tokens('a$1, x')).toEqual(['word:a$1', 'punct:,', 'word:x']);
  });

  it('keeps literals and quoted names whole, doubled quotes and E-string escapes included', () => {
    expect(tokens(`'it''s ?' "a""?" \`b?\` [c?] E'\\'?'`)).toEqual([
      `string:'it''s ?'`,
      'quoted:"a""?"',
      'quoted:`b?`',
      'quoted:[c?]',
      `string:E'\\'?'`,
    ]);
    expect(tokens(`E'\\'?'`, { escapeStrings: false })).toEqual(['word:E', `string:'\\'`, 'param:?#1', `string:'`]);
  });

  it('reads [ as punctuation where brackets do not quote (Postgres arrays)', () => {
    expect(tokens('arr[?]', { brackets: false })).toEqual(['word:arr', 'punct:[', 'param:?#1', 'punct:]']);
  });

  it('nests block comments only where asked', () => {
    expect(tokens('/* a /* b */ ? */ ?')).toEqual(['param:?#1']);
    expect(tokens('/* a /* b */ ? */ ?', { nestedComments: false })).toEqual(['param:?#1', 'punct:*', 'punct:/', 'param:?#2']);
  });

  it('reads dollar-quoted bodies, unless turned off', () => {
    expect(tokens('SELECT $tag$ ? $$ ? $tag$, ?')).toEqual(['word:SELECT', 'dollarQuoted:$tag$ ? $$ ? $tag$', 'punct:,', 'param:?#1']);
    expect(tokens('$$?$$', { dollarQuotes: false })).toEqual(['punct:$', 'punct:$', 'param:?#1', 'punct:$', 'punct:$']);
  });

  it('ends unterminated literals and comments at the end of the text', () => {
    expect(tokens("? 'open ?")).toEqual(['param:?#1', "string:'open ?"]);
    expect(tokens('? /* open ?')).toEqual(['param:?#1']);
    expect(tokens('? $q$ open ?')).toEqual(['param:?#1', 'dollarQuoted:$q$ open ?']);
  });

  it('resumes where position is moved', () => {
    const t = new SqlTokenizer('?? ?');
    t.next();
    t.position = 2;
    t.questionMarkCount = 0;
    t.next();
    expect([t.text, t.param]).toEqual(['?', 1]);
  });
});
