// ---------------------------------------------------------------------------
// scripts/lib/cli.ts: the one command-line parser of the operator scripts. Help wins wherever it
// stands; every refusal names the argument that was wrong; readCommandLine exits 0 for help and
// 2 for a usage error, printing one line, and returns only for a command line it accepts.
// ---------------------------------------------------------------------------
import {
  asksForHelp, helpText, parseCommandLine, readCommandLine, UsageError, usageErrorLine, wholeNumberOption, type CommandLineIo, type CommandSpec,
} from '../../../scripts/lib/cli';

const spec = {
  name: 'thing',
  usage: ['npm run thing [-- [<stack> ...] [--keep] [--calls <n>]]'],
  summary: 'does the thing',
  description: 'Does the thing, at length.',
  arguments: { name: 'stack', description: 'a stack', max: 2 },
  options: {
    keep: { type: 'boolean', short: 'k', description: 'keep it' },
    calls: { type: 'string', valueName: 'n', default: '10', description: 'how many calls' },
    out: { type: 'string', valueName: 'file', description: 'where to write' },
  },
  examples: [{ command: 'npm run thing -- --keep', says: 'keeps it' }],
} satisfies CommandSpec;

const noArguments = { ...spec, arguments: undefined } satisfies CommandSpec;

const refusal = (s: CommandSpec, argv: string[]) => {
  try {
    parseCommandLine(s, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).code).toBe('UsageError');
    return (e as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
};

describe('parseCommandLine', () => {
  test('reads flags, values (separate and inline), short flags and arguments', () => {
    const line = parseCommandLine(spec, ['customer-a', '--keep', '--calls', '500', '--out=x.json']);
    expect(line).toEqual({ kind: 'run', values: { keep: true, calls: '500', out: 'x.json' }, args: ['customer-a'] });
    expect(parseCommandLine(spec, ['-k'])).toMatchObject({ values: { keep: true } });
  });

  test('fills defaults: an absent flag is false, an absent value its default or undefined', () => {
    expect(parseCommandLine(spec, [])).toEqual({ kind: 'run', values: { keep: false, calls: '10', out: undefined }, args: [] });
  });

  test.each([
    [['--help']], [['-h']], [['--bogus', '--help']], [['--help', 'extra', 'args', 'too', 'many']], [['--calls', '5', '-h']],
  ])('%j is help, whatever else is there (help never does anything else)', (argv) => {
    const line = parseCommandLine(spec, argv);
    expect(line.kind).toBe('help');
  });

  test('a --help after the -- terminator is an argument, not a request for help', () => {
    expect(asksForHelp(['--', '--help'])).toBe(false);
    expect(parseCommandLine(spec, ['--', '--help'])).toMatchObject({ kind: 'run', args: ['--help'] });
  });

  test.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['-x'], "unknown option '-x'"],
    [['--keep', '--auto-aprove'], "unknown option '--auto-aprove'"],
    [['--keep=yes'], "option '--keep' takes no value (got '--keep=yes')"],
    [['--calls'], "option '--calls' needs a value: --calls <n>"],
    [['--calls', '--keep'], "option '--calls' needs a value: --calls <n> (got '--keep', an option; write --calls=--keep if that is the value)"],
  ])('%j is refused: %s', (argv, message) => {
    expect(refusal(spec, argv)).toBe(message);
  });

  test('an argument to a command that takes none is refused, named', () => {
    expect(refusal(noArguments, ['customer-a'])).toBe("unexpected argument 'customer-a' (this command takes no arguments)");
  });

  test('more arguments than the command takes are refused, naming the first one too many', () => {
    expect(refusal(spec, ['a', 'b', 'c'])).toBe("unexpected argument 'c' (takes at most 2 stacks)");
  });
});

describe('parseCommandLine: an option that may repeat', () => {
  const repeating = {
    ...noArguments,
    options: { function: { type: 'string', valueName: 'arn', multiple: true, description: 'a function; repeat for more' } },
  } satisfies CommandSpec;

  test('collects every occurrence, in order, separate and inline', () => {
    expect(parseCommandLine(repeating, ['--function', 'a', '--function=b'])).toEqual({ kind: 'run', values: { function: ['a', 'b'] }, args: [] });
  });

  test('absent: an empty list', () => {
    expect(parseCommandLine(repeating, [])).toEqual({ kind: 'run', values: { function: [] }, args: [] });
  });

  test('an occurrence without its value is refused, named', () => {
    expect(refusal(repeating, ['--function', 'a', '--function'])).toBe("option '--function' needs a value: --function <arn>");
  });

  test('help shows that it repeats', () => {
    expect(helpText(repeating)).toContain('--function <arn>...');
  });
});

describe('helpText', () => {
  const text = helpText(spec);

  test('has the usage, what it does, every option with its value and default, and the examples', () => {
    expect(text.startsWith('Usage: npm run thing [-- [<stack> ...] [--keep] [--calls <n>]]\n')).toBe(true);
    expect(text).toContain('Does the thing, at length.');
    expect(text).toMatch(/Arguments:\n {2}<stack> \.\.\. +a stack/);
    expect(text).toMatch(/-k, --keep +keep it/);
    expect(text).toMatch(/--calls <n> +how many calls \(default 10\)/);
    expect(text).toMatch(/--out <file> +where to write/);
    expect(text).toMatch(/-h, --help +show this help and exit/);
    expect(text).toMatch(/Examples:\n {2}npm run thing -- --keep +keeps it/);
  });

  test('falls back to the summary when there is no description', () => {
    expect(helpText({ ...spec, description: undefined })).toContain('does the thing');
  });
});

describe('readCommandLine', () => {
  class Exit extends Error {
    constructor(readonly code: number) { super(`exit ${code}`); }
  }
  const io = () => {
    const out = { stdout: '', stderr: '' };
    const fake: CommandLineIo = {
      stdout: (t) => { out.stdout += t; },
      stderr: (t) => { out.stderr += t; },
      exit: (code) => { throw new Exit(code); },
    };
    return { out, fake };
  };
  const exitOf = (fn: () => unknown): number => {
    try {
      fn();
    } catch (e) {
      if (e instanceof Exit) return e.code;
      throw e;
    }
    throw new Error('did not exit');
  };

  test('help: the help text on stdout, nothing on stderr, exit 0', () => {
    const { out, fake } = io();
    expect(exitOf(() => readCommandLine(spec, ['--help'], fake))).toBe(0);
    expect(out.stdout).toBe(helpText(spec));
    expect(out.stderr).toBe('');
  });

  test('a usage error: ONE line on stderr naming the argument and pointing at --help, nothing on stdout, exit 2', () => {
    const { out, fake } = io();
    expect(exitOf(() => readCommandLine(spec, ['--bogus'], fake))).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe("thing: unknown option '--bogus'; see --help (npm run thing -- --help)\n");
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('an accepted command line is returned, nothing printed', () => {
    const { out, fake } = io();
    expect(readCommandLine(spec, ['--calls=3'], fake)).toEqual({ values: { keep: false, calls: '3', out: undefined }, args: [] });
    expect(out).toEqual({ stdout: '', stderr: '' });
  });

  test('the error line can name another help command', () => {
    expect(usageErrorLine({ ...spec, helpCommand: 'npx tsx x.ts --help' }, 'boom')).toBe('thing: boom; see --help (npx tsx x.ts --help)');
  });
});

describe('wholeNumberOption', () => {
  test('accepts whole numbers within bounds', () => {
    expect(wholeNumberOption('calls', '500')).toBe(500);
    expect(wholeNumberOption('customers', '99', 1, 99)).toBe(99);
  });

  test.each(['0', '-1', '1.5', '1e3', 'abc', '', ' 5'])('refuses %j, naming the option and the value', (raw) => {
    expect(() => wholeNumberOption('calls', raw)).toThrow(new UsageError(`option '--calls' must be a whole number, 1 or more (got '${raw}')`));
  });

  test('says the range when there is a maximum', () => {
    expect(() => wholeNumberOption('customers', '100', 1, 99)).toThrow("option '--customers' must be a whole number, from 1 to 99 (got '100')");
  });
});
