// ---------------------------------------------------------------------------
// Part 3, cold start, for each deployed Lambda (connector, vend, sample):
//  - first response of a fresh sandbox: UpdateFunctionConfiguration with a changed variable
//    retires the function's sandboxes (as on AWS), so the next Invoke starts a new one; timed at
//    the client, with the Init Duration of its REPORT log line (LogType Tail) beside it;
//  - warm latency right after, on the same sandbox (the comparator);
//  - size of the deployed zip, and the time to `require` the unpacked bundle in a fresh Node
//    process (and, as a floor, the time to start an empty Node process);
//  - what dominates: the largest of those parts, named in the figure's note.
// ---------------------------------------------------------------------------
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFunctionCommand, InvokeCommand, UpdateFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import yauzl from 'yauzl';
import type { Results } from './report';
import { median, timed } from './stats';
import { benchTenant } from './warm-path';
import type { BenchWorld, Progress } from './world';
import { vendCallerProof } from '../scripts/lib/vend-proof';

export const PART = '3. cold start';

interface Subject {
  readonly label: 'connector' | 'vend' | 'sample';
  readonly functionName: string;
  readonly client: LambdaClient;
  readonly event: unknown;
  /** Adds what must be fresh on every call (vend's caller proof), outside the timed part. */
  readonly freshen?: (event: unknown) => Promise<unknown>;
}

/** Unpack a zip into `dir` (the bench's own packages, read from the local cloud's store). */
export function unzipTo(zip: Buffer, dir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, archive) => {
      if (err || !archive) return reject(err);
      archive.on('error', reject);
      archive.on('end', () => resolvePromise());
      archive.on('entry', (entry: yauzl.Entry) => {
        const target = resolve(dir, entry.fileName);
        if (!target.startsWith(resolve(dir) + '/')) return reject(new Error(`zip entry escapes its folder: ${entry.fileName}`));
        if (entry.fileName.endsWith('/')) {
          mkdirSync(target, { recursive: true });
          return archive.readEntry();
        }
        mkdirSync(dirname(target), { recursive: true });
        archive.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          stream.pipe(createWriteStream(target)).on('finish', () => archive.readEntry()).on('error', reject);
        });
      });
      archive.readEntry();
    });
  });
}

/** Median wall time of a fresh `node` running `script`, and the median of what it prints (ms). */
function freshNode(script: string, runs: number, env: NodeJS.ProcessEnv): { wallMs: number; reportedMs: number } {
  const walls: number[] = [];
  const reported: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 30_000 });
    walls.push(performance.now() - started);
    if (r.status !== 0) throw new Error(`fresh node process failed (exit ${r.status}): ${r.stderr.slice(0, 500)}`);
    reported.push(Number(r.stdout.trim() || '0'));
  }
  return { wallMs: median(walls), reportedMs: median(reported) };
}

function initDurationOf(logResult: string | undefined): number | undefined {
  const text = Buffer.from(logResult ?? '', 'base64').toString('utf8');
  const m = /Init Duration: ([\d.]+) ms/.exec(text);
  return m ? Number(m[1]) : undefined;
}

async function invokeTimed(subject: Subject): Promise<{ ms: number; initMs?: number; payload: unknown }> {
  const event = subject.freshen ? await subject.freshen(subject.event) : subject.event;
  const { ms, value } = await timed(() => subject.client.send(new InvokeCommand({ FunctionName: subject.functionName, LogType: 'Tail', Payload: Buffer.from(JSON.stringify(event)) })));
  const text = Buffer.from(value.Payload ?? []).toString('utf8');
  if (value.FunctionError) throw new Error(`${subject.functionName} failed during the cold-start run: ${text.slice(0, 500)}`);
  return { ms, initMs: initDurationOf(value.LogResult), payload: JSON.parse(text) };
}

/** Retire the function's sandboxes by changing one variable; wait for the update to land. */
async function recycle(subject: Subject, round: string): Promise<Record<string, string>> {
  const config = await subject.client.send(new GetFunctionCommand({ FunctionName: subject.functionName }));
  const original = config.Configuration?.Environment?.Variables ?? {};
  await subject.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: subject.functionName, Environment: { Variables: { ...original, BENCH_COLD_START_ROUND: round } } }));
  for (let i = 0; i < 100; i++) {
    const c = (await subject.client.send(new GetFunctionCommand({ FunctionName: subject.functionName }))).Configuration;
    if (c?.LastUpdateStatus !== 'InProgress') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return original;
}

export async function runColdStart(world: BenchWorld, results: Results, options: { quick: boolean; progress: Progress }): Promise<void> {
  const rounds = options.quick ? 2 : 4;
  const loadRuns = options.quick ? 5 : 15;
  const tenant = benchTenant(world);
  const vendor = world.lambda(world.cloud.credentialsFor('vendor'));
  const customer = world.lambda(world.cloud.credentialsFor(tenant.customer));
  const subjects: Subject[] = [
    { label: 'connector', functionName: world.connectorFor(tenant.id), client: vendor, event: { tenant: tenant.id, payload: { bench: 'cold' } } },
    {
      label: 'vend', functionName: world.outputs.vendor.vend_function_name, client: vendor, event: { tenant: tenant.id, functions: [tenant.functionArn] },
      // Vend serves only a configured caller that proves who it is: the vendor root, in config/local.json.
      freshen: async (event) => ({ ...(event as object), callerProof: await vendCallerProof(world.config, world.cloud.credentialsFor('vendor'), { audience: world.outputs.vendor.vend_function_arn, endpoint: world.cloud.url }) }),
    },
    { label: 'sample', functionName: tenant.functionArn, client: customer, event: { bench: 'cold' } },
  ];
  const unpackRoot = mkdtempSync(join(tmpdir(), 'sidecar-bench-bundles-'));
  // The floor under any sandbox: starting an empty Node process.
  const spawnFloor = freshNode('0', loadRuns, { PATH: process.env.PATH }).wallMs;
  results.add(PART, { name: 'node_spawn_ms', value: spawnFloor, unit: 'ms', note: `median of ${loadRuns} empty node processes (the floor of any cold start)` });

  for (const subject of subjects) {
    const firsts: number[] = [];
    const inits: number[] = [];
    const warms: number[] = [];
    const firstAssumeMs: number[] = [];
    let original: Record<string, string> = {};
    for (let r = 0; r < rounds; r++) {
      original = await recycle(subject, `${Date.now()}-${r}`);
      const first = await invokeTimed(subject);
      firsts.push(first.ms);
      if (first.initMs !== undefined) inits.push(first.initMs);
      if (subject.label === 'connector') {
        const t = (first.payload as { timings?: { assumeRoleMs: number; credentialsCached: boolean } }).timings;
        if (!t || t.credentialsCached) throw new Error('a fresh connector sandbox answered with cached credentials: the sandbox was not recycled');
        firstAssumeMs.push(t.assumeRoleMs);
      }
      for (let i = 0; i < 10; i++) warms.push((await invokeTimed(subject)).ms);
    }
    // Leave the function as deployed (its sandboxes restart once more; nothing else depends on it).
    await subject.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: subject.functionName, Environment: { Variables: original } }));

    const got = await subject.client.send(new GetFunctionCommand({ FunctionName: subject.functionName }));
    const zipBytes = got.Configuration!.CodeSize!;
    const dir = join(unpackRoot, subject.label);
    await unzipTo(readFileSync(fileURLToPath(got.Code!.Location!)), dir);
    const handlerFile = join(dir, `${got.Configuration!.Handler!.split('.')[0]}.js`);
    const load = freshNode(
      `const t=process.hrtime.bigint();require(${JSON.stringify(handlerFile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`,
      loadRuns,
      { PATH: process.env.PATH, AWS_REGION: world.config.region, ...(got.Configuration!.Environment?.Variables ?? {}), POWERTOOLS_LOG_LEVEL: 'SILENT' },
    );

    const cold = median(firsts);
    const warm = median(warms);
    const init = inits.length > 0 ? median(inits) : undefined;
    const parts: [string, number][] = [
      ['process spawn', spawnFloor],
      ['bundle load (require)', load.reportedMs],
      ...(subject.label === 'connector' ? [['first AssumeRole', median(firstAssumeMs)] as [string, number]] : []),
      ['the call itself (warm latency)', warm],
    ];
    const accounted = parts.reduce((s, [, v]) => s + v, 0);
    parts.push(['rest (runtime bootstrap, execution-role session, first connections)', Math.max(0, cold - accounted)]);
    const [dominant, dominantMs] = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
    results.add(PART, { name: `warm_ms_${subject.label}`, value: warm, unit: 'ms', note: `median of ${warms.length} calls right after a cold start` });
    results.add(PART, {
      name: `cold_start_ms_${subject.label}`, value: cold, unit: 'ms', comparator: `warm_ms_${subject.label}`,
      note: `median of ${rounds} fresh sandboxes; dominated by ${dominant} (${dominantMs.toFixed(0)} ms)`,
    });
    if (init !== undefined) results.add(PART, { name: `init_duration_ms_${subject.label}`, value: init, unit: 'ms', note: 'REPORT Init Duration: sandbox process start to handler loaded' });
    if (subject.label === 'connector') results.add(PART, { name: 'cold_first_assume_role_ms_connector', value: median(firstAssumeMs), unit: 'ms', note: 'AssumeRole inside the first call (empty cache)' });
    results.add(PART, { name: `zip_bytes_${subject.label}`, value: zipBytes, unit: 'bytes' });
    results.add(PART, {
      name: `bundle_load_ms_${subject.label}`, value: load.reportedMs, unit: 'ms', comparator: 'node_spawn_ms',
      note: `require() in a fresh node (the function's own environment), median of ${loadRuns}; ${Math.round(zipBytes / 1024)} KB zip`,
    });
    results.add(PART, { name: `bundle_process_ms_${subject.label}`, value: load.wallMs, unit: 'ms', comparator: 'node_spawn_ms', note: 'whole fresh process: spawn + require + exit' });
    options.progress(`[bench] part 3: ${subject.label}: cold ${cold.toFixed(0)} ms vs warm ${warm.toFixed(1)} ms; dominated by ${dominant}`);
  }
}
