import { UserError } from '../errors.js';

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | boolean>;
}

export interface ArgSpec {
  /** Options that take a value (`--db PATH`, `--db=PATH`). */
  values?: string[];
  /** Options that are on/off (`--json`). */
  flags?: string[];
}

/**
 * A small parser, because Telegram chat ids are negative numbers (`-1001234567890`) and general-purpose parsers read
 * them as options. Anything that looks like a number is a positional; unknown options are an error, said plainly.
 */
export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const values = new Set([...(spec.values ?? []), 'db']);
  const flags = new Set([...(spec.flags ?? []), 'help']);
  const out: ParsedArgs = { positionals: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || /^-\d/.test(arg) || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const [name, inline] = splitOption(arg);
    if (flags.has(name)) {
      if (inline !== undefined) throw new UserError(`--${name} takes no value`);
      out.options[name] = true;
    } else if (values.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UserError(`--${name} needs a value`);
      out.options[name] = value;
    } else {
      const known = [...values, ...flags].map((o) => `--${o}`).join(', ');
      throw new UserError(`unknown option ${arg} (this command knows ${known})`);
    }
  }
  return out;
}

function splitOption(arg: string): [string, string | undefined] {
  const body = arg.replace(/^--?/, '');
  const eq = body.indexOf('=');
  return eq === -1 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

export function optionString(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function optionInt(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = optionString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`--${name} must be a whole number from ${min} to ${max}, not "${v}"`);
  return n;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}
