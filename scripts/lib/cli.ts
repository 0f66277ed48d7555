// ---------------------------------------------------------------------------
// The command line of every operator script, declared once per script (a CommandSpec) and read
// by one small parser on node:util `parseArgs` (strict). So that each script:
//   - answers `--help` / `-h` (usage, what it does, options, examples) on stdout and exits 0
//     BEFORE doing anything else, wherever the flag stands among the arguments;
//   - refuses an unknown option, an option without its value, a value given to a flag, or an
//     argument it does not take, with ONE line on stderr naming it and pointing at --help, and
//     exits 2, also before doing anything else.
// `parseCommandLine` is pure (tests call it); `readCommandLine` prints and exits.
// ---------------------------------------------------------------------------
import { parseArgs } from 'node:util';

/** A flag: present or not. */
export interface FlagOption {
  readonly type: 'boolean';
  readonly short?: string;
  readonly description: string;
}

/** An option with a value: `--calls 500` or `--calls=500`. */
export interface ValueOption {
  readonly type: 'string';
  readonly short?: string;
  /** Shown in help: `--calls <n>`. */
  readonly valueName: string;
  readonly description: string;
  readonly default?: string;
  /** May be given more than once (`--function a --function b`); its value is then a list. */
  readonly multiple?: true;
}

export type OptionSpec = FlagOption | ValueOption;

/** The arguments a command takes besides its options (a list of one kind). */
export interface ArgumentsSpec {
  /** Shown in help, e.g. `stack`. */
  readonly name: string;
  readonly description: string;
  /** At most this many. @default unlimited */
  readonly max?: number;
}

export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** The script's name in messages, e.g. `destroy:local`. */
  readonly name: string;
  /** Usage lines, e.g. `npm run destroy:local [-- --auto-approve]`. */
  readonly usage: readonly string[];
  /** What it does, in one line (for lists of commands). */
  readonly summary: string;
  /** What it does, at length (already wrapped). @default the summary */
  readonly description?: string;
  readonly options: O;
  /** Omit for a command that takes no arguments. */
  readonly arguments?: ArgumentsSpec;
  readonly examples: readonly { readonly command: string; readonly says: string }[];
  /** How to ask for this help, for the error line. @default `npm run <name> -- --help` */
  readonly helpCommand?: string;
}

export type OptionValues<O extends Record<string, OptionSpec>> = {
  -readonly [K in keyof O]: O[K] extends FlagOption ? boolean : O[K] extends { multiple: true } ? string[] : O[K] extends { default: string } ? string : string | undefined;
};

export type CommandLine<O extends Record<string, OptionSpec>> =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'run'; readonly values: OptionValues<O>; readonly args: readonly string[] };

/** A command line the script does not accept; the message names what was wrong. */
export class UsageError extends Error {
  readonly code = 'UsageError';
  /** The exit code for a usage error (as most Unix tools use). */
  static readonly EXIT_CODE = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const HELP_FLAGS = new Set(['--help', '-h']);

/** Whether the arguments ask for help (before a `--` terminator, where an option can be). */
export function asksForHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (HELP_FLAGS.has(arg)) return true;
  }
  return false;
}

/** Read `argv` against `spec`: help, or the values and arguments; throws UsageError. Pure. */
export function parseCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: readonly string[]): CommandLine<O> {
  if (asksForHelp(argv)) return { kind: 'help', text: helpText(spec) };
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, {
    type: o.type,
    ...(o.short ? { short: o.short } : {}),
    ...(o.type === 'string' && o.default !== undefined ? { default: o.default } : {}),
    ...(o.type === 'string' && o.multiple ? { multiple: true } : {}),
  }]));
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: spec.arguments !== undefined });
  } catch (e) {
    throw new UsageError(describeRefusal(spec, argv) ?? firstLine((e as Error).message));
  }
  const max = spec.arguments?.max;
  if (max !== undefined && parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[max]}' (takes at most ${max} ${spec.arguments!.name}${max === 1 ? '' : 's'})`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    values[name] = o.type === 'boolean' ? parsed.values[name] === true : o.multiple ? [...((parsed.values[name] as string[] | undefined) ?? [])] : parsed.values[name];
  }
  return { kind: 'run', values: values as OptionValues<O>, args: parsed.positionals };
}

/** What exactly parseArgs refused, named by its own token (Node's messages carry advice for code, not for people). */
function describeRefusal(spec: CommandSpec<Record<string, OptionSpec>>, argv: readonly string[]): string | undefined {
  const known = new Map<string, OptionSpec>();
  for (const [name, o] of Object.entries(spec.options)) known.set(name, o);
  const shorts = new Map(Object.entries(spec.options).filter(([, o]) => o.short).map(([name, o]) => [o.short!, name]));
  const loose = Object.fromEntries([...known].map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]));
  const { tokens } = parseArgs({ args: [...argv], options: loose, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens ?? []) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (!spec.arguments) return `unexpected argument '${token.value}' (this command takes no arguments)`;
      continue;
    }
    const option = known.get(token.name) ?? (shorts.has(token.name) ? known.get(shorts.get(token.name)!) : undefined);
    if (!option) return `unknown option '${token.rawName}'`;
    if (option.type === 'boolean' && token.value !== undefined) return `option '${token.rawName}' takes no value (got '${token.rawName}=${token.value}')`;
    if (option.type === 'string') {
      if (token.value === undefined) return `option '${token.rawName}' needs a value: ${token.rawName} <${option.valueName}>`;
      if (!token.inlineValue && token.value.startsWith('-')) {
        return `option '${token.rawName}' needs a value: ${token.rawName} <${option.valueName}> (got '${token.value}', an option; write ${token.rawName}=${token.value} if that is the value)`;
      }
    }
  }
  return undefined;
}

const firstLine = (text: string) => text.split('\n')[0];

/** The one line printed for a usage error. */
export function usageErrorLine(spec: CommandSpec<Record<string, OptionSpec>>, message: string): string {
  return `${spec.name}: ${message}; see --help (${spec.helpCommand ?? `npm run ${spec.name} -- --help`})`;
}

/** The --help text: usage, what it does, arguments, options, examples. */
export function helpText(spec: CommandSpec<Record<string, OptionSpec>>): string {
  const argumentRows: [string, string][] = spec.arguments ? [[`<${spec.arguments.name}>${spec.arguments.max === 1 ? '' : ' ...'}`, spec.arguments.description]] : [];
  const rows: [string, string][] = [];
  for (const [name, o] of Object.entries(spec.options)) {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` <${o.valueName}>${o.multiple ? '...' : ''}` : ''}`;
    rows.push([flag, o.type === 'string' && o.default !== undefined ? `${o.description} (default ${o.default})` : o.description]);
  }
  rows.push(['-h, --help', 'show this help and exit']);
  const width = Math.max(...[...argumentRows, ...rows].map(([left]) => left.length));
  const exampleWidth = Math.max(0, ...spec.examples.map((e) => e.command.length));
  return [
    `Usage: ${spec.usage[0]}`,
    ...spec.usage.slice(1).map((line) => `       ${line}`),
    '',
    (spec.description ?? spec.summary).trimEnd(),
    '',
    ...(argumentRows.length > 0 ? ['Arguments:', ...argumentRows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`), ''] : []),
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    ...(spec.examples.length > 0 ? ['', 'Examples:', ...spec.examples.map((e) => `  ${e.command.padEnd(exampleWidth)}  ${e.says}`)] : []),
    '',
  ].join('\n');
}

export interface CommandLineIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly exit: (code: number) => never;
}

const processIo: CommandLineIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** Print the usage error's one line and exit 2. */
export function exitWithUsageError(spec: CommandSpec<Record<string, OptionSpec>>, message: string, io: CommandLineIo = processIo): never {
  io.stderr(`${usageErrorLine(spec, message)}\n`);
  return io.exit(UsageError.EXIT_CODE);
}

/**
 * The script's command line: prints help and exits 0, or prints the usage error and exits 2, or
 * returns the values. Call it first thing, before anything that could change the world.
 */
export function readCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: readonly string[] = process.argv.slice(2), io: CommandLineIo = processIo): { values: OptionValues<O>; args: readonly string[] } {
  let line: CommandLine<O>;
  try {
    line = parseCommandLine(spec, argv);
  } catch (e) {
    if (e instanceof UsageError) return exitWithUsageError(spec as CommandSpec<Record<string, OptionSpec>>, e.message, io);
    throw e;
  }
  if (line.kind === 'help') {
    io.stdout(line.text);
    return io.exit(0);
  }
  return { values: line.values, args: line.args };
}

/** A whole number within bounds from an option's text; UsageError naming the option otherwise. */
export function wholeNumberOption(option: string, raw: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`option '--${option}' must be a whole number, ${range} (got '${raw}')`);
  }
  return n;
}
