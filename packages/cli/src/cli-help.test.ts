import { describe, expect, it } from 'vitest';
import { switchyard } from '../test/binary-run';

describe('switchyard --help and usage errors', () => {
  it('lists every command and the connection string forms', async () => {
    const run = await switchyard(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['copy', 'validate', 'schema', 'export', 'status', 'repair', 'rehearse'])
      expect(run.stdout).toContain(`  ${command}`);
    expect(run.stdout).toContain('d1://<account-id>/<database-id>');
    expect(run.stdout).toContain('d1-local:<wrangler-project-dir>');
  });

  it('prints the package version', async () => {
    const run = await switchyard(['--version']);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('shows usage, flags and examples for every command', async () => {
    const commands = ['copy', 'validate', 'schema', 'export', 'status', 'repair', 'rehearse'];
    const runs = await Promise.all(commands.map((command) => switchyard([command, '--help'])));
    runs.forEach((run, i) => {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: switchyard ${commands[i]}`);
      expect(run.stdout).toContain('Examples:');
    });
  });

  it('names an unknown command, an unknown flag and a bad value', async () => {
    const unknown = await switchyard(['copyy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "copyy"');

    const flag = await switchyard(['validate', 'a.db', 'b.db', '--smaple', '10']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('Unknown flag --smaple');
    expect(flag.stderr).toContain('switchyard validate --help');

    const value = await switchyard(['validate', 'a.db', 'b.db', '--sample', 'ten']);
    expect(value.code).toBe(2);
    expect(value.stderr).toContain('--sample must be a whole number');

    const missing = await switchyard(['copy', 'sqlite:./a.db']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing <target>');
  });

  it('explains a bad connection string and never prints a password', async () => {
    const bad = await switchyard(['validate', 'mysql://root:hunter22@db/app', 'sqlite:./x.db']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<source>');
    expect(bad.stderr).not.toContain('hunter22');

    const noFile = await switchyard(['validate', 'sqlite:./does-not-exist.db', 'sqlite:./neither.db']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/<source> sqlite:\.\/does-not-exist\.db does not exist/);

    const token = await switchyard(['validate', 'd1://acc/db', 'sqlite:./x.db'], { env: { CLOUDFLARE_API_TOKEN: '' } });
    expect(token.code).toBe(2);
    expect(token.stderr).toContain('set CLOUDFLARE_API_TOKEN');
  });

  it('keeps the password out of a failed PostgreSQL connection', async () => {
    const url = new URL(process.env.POSTGRES_URL!);
    url.username = 'nobody_here';
    url.password = 'sup3r-secret-pw';
    const run = await switchyard(['validate', url.toString(), url.toString()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/switchyard validate: /);
    expect(run.stderr + run.stdout).not.toContain('sup3r-secret-pw');

    const missing = new URL(process.env.POSTGRES_URL!);
    missing.pathname = '/no_such_database_here';
    const noDb = await switchyard(['validate', missing.toString(), missing.toString()]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('Create the database first');
  });
});
