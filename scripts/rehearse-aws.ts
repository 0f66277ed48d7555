// ---------------------------------------------------------------------------
// npm run rehearse:aws [-- --propagation-ms <ms>]: the aws target, rehearsed end to end against
// a local cloud of its own (free port, state in a temp folder, IAM propagation delay on). The
// real-account path runs unchanged: an aws.json-shaped config with a profile per account, AWS
// shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE) whose
// profiles carry the local cloud's root keys and `endpoint_url`, `deploy:aws --auto-approve` for
// the vendor then the customers, then `SIDECAR_TARGET=aws` e2e suite on the outputs. Prints each
// skipped test's reason and a summary; stops the cloud and removes the temp folder at the end,
// on failure and on Ctrl-C too.
// ---------------------------------------------------------------------------
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VENDOR_STACK_NAME } from '../rules/naming';
import { PROJECT_ROOT } from './lib/deploy';
import { deployAwsCommand, startRehearsal, type Rehearsal } from './lib/rehearsal';

const HELP = `Usage: npm run rehearse:aws [-- options]

Rehearses the aws target (config with profiles, deploy:aws, the e2e suite with
SIDECAR_TARGET=aws) against a local cloud of its own, with IAM propagation delayed as on
AWS. Nothing of yours is read or written: config, AWS profiles, Terraform state and outputs
live in a temp folder that is removed at the end.

Options:
  --propagation-ms <ms>  IAM propagation delay of the local cloud (default 3000; 0 = none)
  -h, --help             this text
`;

/** A command-line problem. Exit 2. */
export class UsageError extends Error {
  readonly code = 'Usage';
  constructor(message: string) {
    super(`${message}\nRun npm run rehearse:aws -- --help for the options.`);
    this.name = 'UsageError';
  }
}

export function parseRehearseArgs(argv: readonly string[]): { help: boolean; propagationMs: number } {
  let values: { help?: boolean; 'propagation-ms'?: string };
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: { help: { type: 'boolean', short: 'h' }, 'propagation-ms': { type: 'string' } } }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const raw = values['propagation-ms'] ?? '3000';
  if (!/^\d+$/.test(raw)) throw new UsageError(`--propagation-ms must be a whole number of milliseconds, 0 or more (got "${raw}")`);
  return { help: values.help === true, propagationMs: Number(raw) };
}

interface JestSummary { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTotalTests: number; success: boolean }

async function main(argv: readonly string[]): Promise<void> {
  const args = parseRehearseArgs(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const phases: [string, number][] = [];
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    process.stderr.write(`\n[rehearse] ${name}\n`);
    try {
      return await work();
    } finally {
      phases.push([name, (Date.now() - t) / 1000]);
    }
  };

  let rehearsal: Rehearsal | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n[rehearse] ${signal}: stopping the children and the local cloud, removing the temp folder\n`);
    void (rehearsal?.close() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    rehearsal = await timed(`local cloud (IAM propagation ${args.propagationMs} ms), aws.json and AWS profiles`, () => startRehearsal({ propagationMs: args.propagationMs }));
    const r = rehearsal;
    process.stderr.write(`[rehearse] local cloud ${r.cloud.url}; temp folder ${r.dir}\n[rehearse] AWS_CONFIG_FILE=${r.awsConfigFile} AWS_SHARED_CREDENTIALS_FILE=${r.awsCredentialsFile}\n`);
    // Terraform gets the profiles alone: endpoint_url from the profile is the only way it finds the cloud.
    await timed('deploy:aws vendor', () => r.run('deploy:aws vendor', deployAwsCommand([VENDOR_STACK_NAME]), r.env));
    await timed(`deploy:aws ${r.customerStacks.join(' ')}`, () => r.run('deploy:aws customers', deployAwsCommand(r.customerStacks), r.env));

    const jestJson = join(r.dir, 'jest.json');
    const skipLog = join(r.dir, 'skipped.jsonl');
    // The SDK reads endpoint_url only from the profile in AWS_PROFILE; the suite uses one profile
    // per account, so it gets the endpoint from AWS_ENDPOINT_URL, as the SDK documents.
    const e2eFailure = await timed('e2e suite, SIDECAR_TARGET=aws', () => r.run('e2e (aws)', [
      join(PROJECT_ROOT, 'node_modules', '.bin', 'jest'), '--selectProjects', 'e2e', '--runInBand', '--json', '--outputFile', jestJson,
    ], { ...r.sdkEnv, SIDECAR_E2E_SKIP_LOG: skipLog, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }).then(() => undefined, (e: Error) => e));

    const jest: JestSummary | undefined = existsSync(jestJson) ? JSON.parse(readFileSync(jestJson, 'utf8')) : undefined;
    const skipped = existsSync(skipLog)
      ? readFileSync(skipLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; test: string; reason: string })
      : [];
    const out: string[] = ['', 'Rehearsal of the aws target', '---------------------------'];
    out.push(`stacks deployed      ${[VENDOR_STACK_NAME, ...r.customerStacks].join(', ')} (through profiles ${Object.values(r.config.accounts).map((a) => ('profile' in a ? a.profile : '')).join(', ')})`);
    out.push(`IAM propagation      ${args.propagationMs} ms`);
    for (const [name, s] of phases) out.push(`${name.padEnd(60)} ${s.toFixed(1).padStart(7)} s`);
    if (jest) out.push(`tests                ${jest.numPassedTests} passed, ${jest.numPendingTests} skipped, ${jest.numFailedTests} failed (of ${jest.numTotalTests})`);
    out.push(`skipped on aws (${skipped.length}):`);
    for (const s of skipped) out.push(`  - ${s.file}: ${s.test}\n      because ${s.reason}`);
    process.stdout.write(`${out.join('\n')}\n`);
    if (e2eFailure || !jest?.success) throw new Error(`the e2e suite failed on the aws target: ${e2eFailure?.message.split('\n')[0] ?? 'see above'}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!stopping) await rehearsal?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    const err = e as Error & { code?: string };
    process.stderr.write(`rehearse:aws failed${err.code ? ` (${err.code})` : ''}: ${err.message}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  });
}
