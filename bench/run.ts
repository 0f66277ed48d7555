// ---------------------------------------------------------------------------
// `npm run bench`: start a local cloud of the bench's own, deploy the stacks into it, run the
// five parts in order (plus the cache bound), print a table per part and a summary, and write
// bench/results.json. Progress goes to stderr, tables to stdout.
//   --quick          a smoke run: fewer calls, smaller scales (figures are still measured)
//   --parts=1,2,...  run only some parts (1 warm, 2 sts, 3 cold, 4 infra, 5 throughput, 6 cache)
//   --out=FILE       where to write the JSON (default bench/results.json)
// ---------------------------------------------------------------------------
import { resolve } from 'node:path';
import { runCacheBound, PART as CACHE_PART } from './cache-bound';
import { runColdStart, PART as COLD_PART } from './cold-start';
import { runInfraScale, PART as INFRA_PART } from './infra-scale';
import { machineInfo, Results, summaryTable } from './report';
import { runStsCalls, PART as STS_PART } from './sts-calls';
import { runThroughput, PART as THROUGHPUT_PART } from './throughput';
import { runWarmPath, PART as WARM_PART } from './warm-path';
import { createBenchWorld, type BenchWorld } from './world';

/** The figures the issue asks for, in its order: the summary table. */
export const REQUIRED_FIGURES = [
  'warm_p50_ms_cached', 'warm_p50_ms_naive', 'warm_p50_ms_direct', 'warm_p99_ms_cached', 'connector_own_p50_ms',
  'sts_calls_per_1000_calls_1_tenant', 'sts_calls_per_1000_calls_10_tenants', 'sts_calls_per_1000_calls_100_tenants',
  'sts_calls_100_concurrent_first_calls', 'cold_start_ms_connector', 'zip_bytes_connector',
  'synth_plan_s_1_customer', 'synth_plan_s_50_customers', 'connector_cache_bytes_10000_tenants', 'localcloud_invokes_per_s',
] as const;

interface Args { quick: boolean; parts: Set<number>; out: string }

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, parts: new Set([1, 2, 3, 4, 5, 6]), out: resolve(__dirname, 'results.json') };
  for (const a of argv) {
    if (a === '--quick') args.quick = true;
    else if (a.startsWith('--parts=')) args.parts = new Set(a.slice(8).split(',').map(Number));
    else if (a.startsWith('--out=')) args.out = resolve(a.slice(6));
    else throw new Error(`unknown argument ${a}: use --quick, --parts=1,2,3,4,5,6, --out=FILE`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const results = new Results(progress);
  const started = Date.now();
  const timings: Record<string, number> = {};
  const part = async (n: number, name: string, fn: () => Promise<void>) => {
    if (!args.parts.has(n)) return;
    progress(`[bench] ${name}`);
    const t = Date.now();
    await fn();
    timings[name] = (Date.now() - t) / 1000;
    progress(`[bench] ${name}: done in ${timings[name].toFixed(0)} s`);
  };

  const needsWorld = [1, 2, 3, 5].some((p) => args.parts.has(p));
  let world: BenchWorld | undefined;
  try {
    if (needsWorld) {
      const t = Date.now();
      world = await createBenchWorld(progress);
      timings.deploy = (Date.now() - t) / 1000;
    }
    await part(1, WARM_PART, () => runWarmPath(world!, results, { calls: args.quick ? 100 : 1000, progress }));
    await part(2, STS_PART, () => runStsCalls(world!, results, { quick: args.quick, progress }));
    await part(3, COLD_PART, () => runColdStart(world!, results, { quick: args.quick, progress }));
    await part(5, THROUGHPUT_PART, () => runThroughput(world!, results, { quick: args.quick, progress }));
  } finally {
    await world?.close();
  }
  await part(6, CACHE_PART, () => runCacheBound(results, { progress, dir: world?.dir }));
  await part(4, INFRA_PART, () => runInfraScale(results, { quick: args.quick, progress, dir: world?.dir }));

  const out = process.stdout;
  for (const name of results.parts()) out.write(`\n${name}\n${results.table(name)}\n`);
  out.write(`\nSummary (the issue's figures)\n${summaryTable(results, REQUIRED_FIGURES)}\n`);
  const totalS = (Date.now() - started) / 1000;
  out.write(`\nmachine: ${JSON.stringify(machineInfo())}\nwhole run: ${totalS.toFixed(0)} s${args.quick ? ' (--quick)' : ''}\n`);
  results.write(args.out, machineInfo(), { quick: args.quick, seconds: { total: Math.round(totalS), ...timings } });
  progress(`[bench] wrote ${args.out}`);
}

main().catch((e: Error) => {
  process.stderr.write(`[bench] failed: ${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
