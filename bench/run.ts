// ---------------------------------------------------------------------------
// `npm run bench`: start a local cloud of the bench's own, deploy the stacks into it, run the
// five parts in order (plus the cache bound), print a table per part and a summary, and write
// bench/results.json. Progress goes to stderr, tables to stdout. `--help` lists the options:
//   --quick          a smoke run: fewer calls, smaller scales (figures are still measured)
//   --parts=1,2,...  run only some parts (1 warm, 2 sts, 3 cold, 4 infra, 5 throughput, 6 cache, 7 fleet, 8 shards)
//   --out=FILE       where to write the JSON (default bench/results.json)
// ---------------------------------------------------------------------------
import { resolve } from 'node:path';
import { exitWithUsageError, readCommandLine, UsageError, type CommandSpec } from '../scripts/lib/cli';
import { runCacheBound, PART as CACHE_PART } from './cache-bound';
import { runColdStart, PART as COLD_PART } from './cold-start';
import { runFleet, PART as FLEET_PART } from './fleet';
import { runInfraScale, PART as INFRA_PART } from './infra-scale';
import { describeFailure, type PartFailure } from './part-failure';
import { machineInfo, Results, summaryTable } from './report';
import { runRegistryLookups } from './registry-lookup';
import { runStsCalls, PART as STS_PART } from './sts-calls';
import { runShards, PART as SHARDS_PART } from './shards';
import { runThroughput, PART as THROUGHPUT_PART } from './throughput';
import { runWarmPath, PART as WARM_PART } from './warm-path';
import { createBenchWorld, type BenchWorld } from './world';

/** The figures the issue asks for, in its order: the summary table. */
export const REQUIRED_FIGURES = [
  'warm_p50_ms_cached', 'warm_p50_ms_naive', 'warm_p50_ms_direct', 'warm_p99_ms_cached', 'connector_own_p50_ms',
  'sts_calls_per_1000_calls_1_tenant', 'sts_calls_per_1000_calls_10_tenants', 'sts_calls_per_1000_calls_100_tenants',
  'sts_calls_100_concurrent_first_calls', 'cold_start_ms_connector', 'zip_bytes_connector',
  'synth_plan_s_1_customer', 'synth_plan_s_50_customers', 'connector_cache_bytes_10000_tenants', 'localcloud_invokes_per_s',
  // The fleet-scale issue: a cache of bytes, STS budget guards, a smaller cold start.
  'connector_cache_bytes_per_entry', 'sts_calls_refused_tenant_100_retries', 'sts_calls_dry_run_100_calls', 'bundle_load_ms_connector', 'node_spawn_ms',
  // ... the run-time registry, and the fleet model.
  'registry_lookup_p50_ms_cached', 'registry_lookup_p50_ms_miss',
  'fleet_assume_role_per_s_10000_tenants_per_sandbox_cache', 'fleet_assume_role_per_s_10000_tenants_sharded', 'fleet_model_validation_ratio',
  // Connector shards: a noisy tenant exhausts only its own shard.
  'slow_tenant_other_shard_p50_ratio', 'slow_tenant_same_shard_p50_ratio',
] as const;

interface Args { quick: boolean; parts: Set<number>; out: string }

const PART_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8];
/** The parts that run on the deployed bench world. */
const WORLD_PARTS = [1, 2, 3, 5, 7, 8];

export const BENCH_COMMAND = {
  name: 'bench',
  usage: ['npm run bench [-- [--quick] [--parts=1,2,...] [--out=FILE]]'],
  summary: 'performance figures of the connector, the stacks and the local cloud',
  description: [
    'Start a local cloud of the bench\'s own, deploy the stacks into it, run the parts in order, print a',
    'table per part and a summary, and write the figures as JSON. Progress goes to stderr, tables to stdout.',
    'Parts: 1 warm path, 2 STS calls, 3 cold start, 4 infrastructure scale, 5 local cloud throughput,',
    '6 cache bound, 7 fleet model (AssumeRoles per second at 10,000 tenants, validated against the real connector),',
    '8 shards (a noisy tenant against its own shard and the other; the world is deployed with 2 shards, and part 8',
    'reserves their concurrency, so it runs last).',
  ].join('\n'),
  options: {
    quick: { type: 'boolean', description: 'a smoke run: fewer calls, smaller scales (figures are still measured)' },
    parts: { type: 'string', valueName: 'list', default: PART_NUMBERS.join(','), description: 'the parts to run, e.g. 1,2' },
    out: { type: 'string', valueName: 'file', default: 'bench/results.json', description: 'where to write the JSON' },
  },
  examples: [
    { command: 'npm run bench -- --quick', says: 'a smoke run of every part' },
    { command: 'npm run bench -- --parts=6', says: 'only the cache bound' },
  ],
} satisfies CommandSpec;

/** The parts in `--parts`; UsageError naming a part that does not exist. */
export function parseParts(raw: string): Set<number> {
  const parts = raw.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !/^\d+$/.test(p) || !PART_NUMBERS.includes(Number(p)));
  if (bad !== undefined) throw new UsageError(`option '--parts' takes part numbers from ${PART_NUMBERS.join(',')} (got '${bad}' in '${raw}')`);
  return new Set(parts.map(Number));
}

function parseBenchArgs(argv: readonly string[]): Args {
  const { values } = readCommandLine(BENCH_COMMAND, argv);
  try {
    return { quick: values.quick, parts: parseParts(values.parts), out: values.out === BENCH_COMMAND.options.out.default ? resolve(__dirname, 'results.json') : resolve(values.out) };
  } catch (e) {
    if (e instanceof UsageError) return exitWithUsageError(BENCH_COMMAND, e.message);
    throw e;
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const results = new Results(progress);
  const started = Date.now();
  const timings: Record<string, number> = {};
  // A part that fails (a call timing out on a loaded machine, say) is named with its error and the
  // bench goes on: the figures already measured are kept and written, and the exit code says so.
  const failures: PartFailure[] = [];
  const part = async (n: number, name: string, fn: () => Promise<void>) => {
    if (!args.parts.has(n)) return;
    progress(`[bench] ${name}`);
    const t = Date.now();
    try {
      await fn();
    } catch (e) {
      const failure = describeFailure(name, e);
      failures.push(failure);
      progress(`[bench] ${name}: FAILED after ${((Date.now() - t) / 1000).toFixed(0)} s: ${failure.error}${failure.at ? ` (at ${failure.at})` : ''}; the figures measured so far are kept`);
      return;
    }
    timings[name] = (Date.now() - t) / 1000;
    progress(`[bench] ${name}: done in ${timings[name].toFixed(0)} s`);
  };

  const needsWorld = WORLD_PARTS.some((p) => args.parts.has(p));
  let world: BenchWorld | undefined;
  try {
    if (needsWorld) {
      const t = Date.now();
      world = await createBenchWorld(progress).catch((e: unknown) => {
        failures.push(describeFailure('deploying the bench world', e));
        progress(`[bench] deploying the bench world FAILED: ${(e as Error).message}; parts ${WORLD_PARTS.join(', ')} are skipped`);
        return undefined;
      });
      timings.deploy = (Date.now() - t) / 1000;
    }
    const worldParts = world ? args.parts : new Set([...args.parts].filter((p) => !WORLD_PARTS.includes(p)));
    if (worldParts.has(1)) await part(1, WARM_PART, async () => {
      await runWarmPath(world!, results, { calls: args.quick ? 100 : 1000, progress });
      await runRegistryLookups(world!, results, WARM_PART, { calls: args.quick ? 100 : 1000, progress });
    });
    if (worldParts.has(2)) await part(2, STS_PART, () => runStsCalls(world!, results, { quick: args.quick, progress }));
    if (worldParts.has(3)) await part(3, COLD_PART, () => runColdStart(world!, results, { quick: args.quick, progress }));
    if (worldParts.has(5)) await part(5, THROUGHPUT_PART, () => runThroughput(world!, results, { quick: args.quick, progress }));
    if (worldParts.has(7)) await part(7, FLEET_PART, () => runFleet(world, results, { quick: args.quick, progress }));
    // Last of the world's parts: it reserves the shards' concurrency.
    if (worldParts.has(8)) await part(8, SHARDS_PART, () => runShards(world!, results, { quick: args.quick, progress }));
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
  if (failures.length > 0) out.write(`\nFAILED: ${failures.map((f) => `${f.part}: ${f.error}`).join('; ')}\n`);
  results.write(args.out, machineInfo(), { quick: args.quick, seconds: { total: Math.round(totalS), ...timings }, failures });
  progress(`[bench] wrote ${args.out}${failures.length > 0 ? ` (with ${failures.length} failed part(s): the figures they did not measure are missing)` : ''}`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((e: Error) => {
  process.stderr.write(`[bench] failed: ${e.stack ?? e.message}\n`);
  process.exitCode = 1;
});
