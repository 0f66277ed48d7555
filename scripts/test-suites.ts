// ---------------------------------------------------------------------------
// `npm test`: the unit and local-cloud suites and the e2e suite, run AT THE SAME TIME as two jest
// processes, each line of their output prefixed with its lane. Why two lanes: the two halves use a
// 2-core machine in opposite ways. The unit + local-cloud suites are CPU (TypeScript, esbuild,
// Terraform's provider starting); the e2e suite spends most of its wall time waiting (IAM
// propagation polls, the registry's 30 s TTL, the dry-run rate limit, Terraform applies of a local
// cloud that answers in milliseconds), in band, because its files share one deployed world. One
// after the other they took ~28 min in CI; side by side, the waits of one lane are the other's CPU.
// They share nothing: every cloud listens on a free port of its own, each deploy has its own temp
// folder, and the bundles under .gen/ are content-addressed and written by rename.
// `--serial` runs them one after the other instead (the old `npm test`), e.g. to time each half.
// ---------------------------------------------------------------------------
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { readCommandLine } from './lib/cli';

const PROJECT_ROOT = resolve(__dirname, '..');

const { values } = readCommandLine({
  name: 'test',
  usage: ['npm test [-- --serial]'],
  summary: 'run every test suite: unit and local cloud beside e2e',
  description: [
    'Run the unit and local-cloud suites (jest --selectProjects unit localcloud) and the e2e suite',
    '(jest --selectProjects e2e --runInBand: it starts a local cloud and deploys the stacks into it) at',
    'the same time, each output line prefixed with [unit] or [e2e]; a summary of both at the end.',
    'Exit 0 only when both pass. Each suite alone: npm run test:unit, test:localcloud, test:e2e.',
  ].join('\n'),
  options: {
    serial: { type: 'boolean', description: 'run the two lanes one after the other instead of side by side' },
  },
  examples: [
    { command: 'npm test', says: 'both lanes side by side (what CI runs)' },
    { command: 'npm test -- --serial', says: 'unit + local cloud first, then e2e' },
  ],
});

interface Lane {
  readonly label: string;
  readonly args: readonly string[];
}

const LANES: readonly Lane[] = [
  { label: 'unit', args: ['--selectProjects', 'unit', 'localcloud'] },
  { label: 'e2e', args: ['--selectProjects', 'e2e', '--runInBand'] },
];

interface LaneResult {
  readonly label: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly seconds: number;
}

/** SIDECAR_TEST_JEST: another jest entry point (the runner's own test gives it a fake one). */
const JEST = process.env.SIDECAR_TEST_JEST ?? join(PROJECT_ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const running = new Set<ChildProcess>();

/** Copy a stream to `out` a whole line at a time, each prefixed, so the lanes' lines never mix. */
function prefixLines(stream: NodeJS.ReadableStream, out: NodeJS.WriteStream, prefix: string): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    if (lines.length > 0) out.write(lines.map((line) => `${prefix}${line}\n`).join(''));
  });
  stream.on('end', () => { if (pending !== '') out.write(`${prefix}${pending}\n`); });
}

function runLane(lane: Lane): Promise<LaneResult> {
  const started = Date.now();
  const prefix = `[${lane.label}] `;
  const child = spawn(process.execPath, [JEST, ...lane.args], { cwd: PROJECT_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  prefixLines(child.stdout!, process.stdout, prefix);
  prefixLines(child.stderr!, process.stderr, prefix);
  return new Promise((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      running.delete(child);
      resolve({ label: lane.label, code, signal, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (e) => {
      process.stderr.write(`${prefix}could not start jest (${JEST}): ${e.message}; run npm ci first\n`);
      done(1, null);
    });
    child.on('close', done);
  });
}

// Ctrl-C or CI's cancel: pass it on, so each jest runs its own teardown (the e2e cloud stops).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`[test] ${signal}: stopping ${running.size} lane(s)\n`);
    for (const child of running) child.kill(signal);
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  let results: LaneResult[];
  if (values.serial) {
    results = [];
    for (const lane of LANES) results.push(await runLane(lane));
  } else {
    results = await Promise.all(LANES.map(runLane));
  }
  const outcome = (r: LaneResult) => (r.code === 0 ? 'passed' : r.signal ? `stopped by ${r.signal}` : `FAILED (exit ${r.code})`);
  process.stderr.write(`\n[test] ${results.map((r) => `${r.label}: ${outcome(r)} in ${r.seconds.toFixed(0)} s`).join('; ')}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s${values.serial ? ' (serial)' : ''}\n`);
  process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
}

void main();
