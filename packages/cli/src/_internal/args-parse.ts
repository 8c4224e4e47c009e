import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from '../cli-error';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What a command receives: its flags and positional arguments. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * `parseArgs` with errors that name the flag and point at the command's `--help`.
 * `--no-<flag>` turns a boolean flag off (`--no-checkpoint`).
 */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpecs): ParsedArgs {
  const negated = new Set<string>();
  const args = argv.filter((arg) => {
    const match = /^--no-([a-z0-9-]+)$/.exec(arg);
    if (match && options[match[1]!]?.type === 'boolean') {
      negated.add(match[1]!);
      return false;
    }
    return true;
  });
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    const out = values as ParsedArgs['values'];
    for (const name of negated) out[name] = false;
    return { values: out, positionals };
  } catch (error) {
    throw new CliUsageError(`${describeParseError(error)} See \`switchyard ${command} --help\`.`, command);
  }
}

function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown flag ${flag ?? ''}.`.replace(' .', '.');
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('argument missing') || message.includes('<value>')
        ? `The flag ${flag ?? ''} needs a value.`
        : `The flag ${flag ?? ''} takes no value.`;
    default:
      return message;
  }
}

/** A whole-number flag, checked: the message names the flag and the accepted range. */
export function intFlag(
  value: unknown,
  flag: string,
  command: string,
  { min = 1, max = Number.MAX_SAFE_INTEGER } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
    throw new CliUsageError(`--${flag} must be ${range}, got "${String(value)}". See \`switchyard ${command} --help\`.`, command);
  }
  return n;
}

/** A comma-separated list flag (`--tables users,orders`), repeatable. */
export function listFlag(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  const list = items.map((s) => s.trim()).filter(Boolean);
  return list.length ? list : undefined;
}

/** A flag that takes one of a few words. */
export function choiceFlag<T extends string>(value: unknown, flag: string, choices: readonly T[], command: string): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) {
    throw new CliUsageError(`--${flag} must be one of ${choices.join(', ')}; got "${String(value)}".`, command);
  }
  return value as T;
}

/** Checks the number of positional arguments, naming the missing one. */
export function expectPositionals(parsed: ParsedArgs, names: readonly string[], command: string, optional = 0): string[] {
  const { positionals } = parsed;
  if (positionals.length < names.length - optional) {
    const missing = names[positionals.length]!;
    throw new CliUsageError(
      `Missing ${missing}. Usage: switchyard ${command} ${names.join(' ')}. See \`switchyard ${command} --help\`.`,
      command,
    );
  }
  if (positionals.length > names.length) {
    throw new CliUsageError(
      `Unexpected argument "${positionals[names.length]}". Usage: switchyard ${command} ${names.join(' ')}.`,
      command,
    );
  }
  return positionals;
}
