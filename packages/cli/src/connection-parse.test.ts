import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-error';
import { parseConnectionString } from './connection-parse';
import { redactText, redactUrl } from './url-redact';

describe('parseConnectionString', () => {
  it('reads every form the CLI documents', () => {
    expect(parseConnectionString('sqlite:./app.db')).toEqual({ kind: 'sqlite', path: './app.db' });
    expect(parseConnectionString('sqlite:///var/data/app.db')).toEqual({ kind: 'sqlite', path: '/var/data/app.db' });
    expect(parseConnectionString('data/app.sqlite')).toEqual({ kind: 'sqlite', path: 'data/app.sqlite' });
    expect(parseConnectionString('./app.db')).toEqual({ kind: 'sqlite', path: './app.db' });
    expect(parseConnectionString('postgresql://u:p@h:5432/db')).toEqual({ kind: 'postgres', url: 'postgresql://u:p@h:5432/db' });
    expect(parseConnectionString('d1://acc123/0000-db')).toEqual({ kind: 'd1', accountId: 'acc123', databaseId: '0000-db' });
    expect(parseConnectionString('d1-local:./worker')).toEqual({ kind: 'd1-local', projectDir: './worker' });
  });

  it('says which argument was wrong and what it should look like, without the password', () => {
    const attempt = () => parseConnectionString('mysql://root:hunter22@db/app', '<target>');
    expect(attempt).toThrow(CliUsageError);
    expect(attempt).toThrow(/<target>.*mysql:\/\/root:\*\*\*@db\/app.*sqlite:\.\/app\.db/s);
    expect(() => parseConnectionString('d1://only-account')).toThrow(/d1:\/\/<account-id>\/<database-id>/);
    expect(() => parseConnectionString('sqlite:')).toThrow(/names no file/);
  });
});

describe('redactUrl', () => {
  it('hides passwords and secret query parameters', () => {
    expect(redactUrl('postgres://app:s3cret@db.example.com:5432/prod')).toBe('postgres://app:***@db.example.com:5432/prod');
    expect(redactUrl('postgres://db/prod?password=x&sslmode=require')).toBe('postgres://db/prod?password=***&sslmode=require');
    expect(redactUrl('./app.db')).toBe('./app.db');
  });

  it('hides URL passwords and known secrets inside any text', () => {
    expect(redactText('connect postgres://a:b@h/d failed; token tok_12345', ['tok_12345'])).toBe(
      'connect postgres://a:***@h/d failed; token ***',
    );
  });
});
