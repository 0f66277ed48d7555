// ---------------------------------------------------------------------------
// npm run demo [-- --keep] [--verbose]: the project's job on the local cloud, from a fresh clone.
// Deploys the vendor and the customers, calls the connector for every honest tenant and every
// attack, and prints what was allowed and what was refused, with the error code and latency of
// each call. Exits non-zero if an honest call was refused or an attack got through.
// ---------------------------------------------------------------------------
import { loadConfig } from '../config/load';
import { buildScenarios } from './demo/scenarios';
import { runtimeOnboardingScenarios } from './demo/runtime-onboarding';
import { deployLocal, resumeCommand } from './deploy-local';
import { readCommandLine, type CommandSpec } from './lib/cli';
import { DeployInterruptedError, interruptedDeployMessage } from './lib/deploy';
import { exitCodeForSignal, onInterrupt } from './lib/interrupt';
import { formatTable } from './lib/table';
import { ensureLocalCloud, localCloudCli } from './lib/local-cloud';

export const DEMO_COMMAND: CommandSpec<{ keep: { type: 'boolean'; description: string }; verbose: { type: 'boolean'; description: string }; 'terraform-kit': { type: 'boolean'; description: string } }> = {
  name: 'demo',
  usage: ['npm run demo [-- [--keep] [--verbose] [--terraform-kit]]'],
  summary: 'deploy everything into the local cloud and show who gets in',
  description: [
    'Start the local cloud (unless it runs), deploy the vendor and every customer stack with the real',
    'cdktf and Terraform, call the connector for every honest tenant and every attack, and print a',
    'table of what was allowed and what was refused, with each error code and latency. Exits 1 if an',
    'honest call was refused or an attack got through. Then, with no vendor deploy, a tenant is',
    'onboarded at run time, its customer applies the kit\'s Terraform module, it is served, rotated and',
    'offboarded, and a run-time confused deputy is refused. A local cloud it started is stopped at the end.',
  ].join('\n'),
  options: {
    keep: { type: 'boolean', description: 'leave the local cloud running afterwards, to look further' },
    verbose: { type: 'boolean', description: 'stream cdktf\'s and Terraform\'s output while deploying' },
    'terraform-kit': { type: 'boolean', description: 'run-time onboarding: the customer applies the kit\'s Terraform module with terraform (about a minute per apply) instead of the IAM API with the kit\'s policy builders' },
  },
  examples: [
    { command: 'npm run demo', says: 'the whole demo; the local cloud is stopped afterwards' },
    { command: 'npm run demo -- --keep', says: 'then: npm run verify -- acme, cat .localcloud/outputs.json' },
  ],
};

async function main(): Promise<number> {
  const { values } = readCommandLine(DEMO_COMMAND);
  const keep = values.keep;
  const env: NodeJS.ProcessEnv = { ...process.env, SIDECAR_TARGET: 'local' };
  const config = loadConfig(env);
  const ensured = await ensureLocalCloud(env);
  const startedCloud = ensured.started;
  // The calls below (scripts/lib/accounts.ts) reach the cloud on LOCALCLOUD_PORT: the one that runs.
  process.env.LOCALCLOUD_PORT = env.LOCALCLOUD_PORT = String(ensured.cloud.port);
  const interrupts = onInterrupt();
  // The run-time onboarding rows (scripts/demo/runtime-onboarding.ts) come after the others; the
  // customer's `terraform init` for the kit (the slow part) runs meanwhile, during the deploy.
  const runtime = runtimeOnboardingScenarios(config, (line) => process.stderr.write(line), { terraform: values['terraform-kit'] });
  runtime.prepare();
  try {
    try {
      await deployLocal(env, { verbose: values.verbose, signal: interrupts.signal });
    } catch (e) {
      if (!(e instanceof DeployInterruptedError)) throw e;
      process.stderr.write(`\n${interruptedDeployMessage(e, (stacks) => resumeCommand(config, stacks))}`);
      return exitCodeForSignal(e.signal);
    }
    process.stderr.write('Calling the connector for each tenant and each attack...\n');
    const rows: string[][] = [];
    let wrong = 0;
    // Then run-time onboarding on the same stacks, with no vendor deploy: onboard, the customer's
    // Terraform, rotate, offboard, and a run-time confused deputy.
    for (const scenario of [...buildScenarios(config), ...runtime.scenarios]) {
      const t = process.hrtime.bigint();
      const result: { outcome: string; code: string; ms?: number } = await scenario.run().catch((e: Error) => {
        process.stderr.write(`  ${scenario.caller} -> ${scenario.target}: ${e.name}: ${e.message}\n`);
        return { outcome: 'error' as const, code: e.name };
      });
      const { outcome, code } = result;
      const ms = result.ms ?? Number(process.hrtime.bigint() - t) / 1e6;
      const asExpected = outcome === scenario.expect;
      if (!asExpected) wrong++;
      rows.push([scenario.caller, scenario.target, scenario.what, outcome === 'allowed' ? 'allowed' : `${outcome} (${code})`, `${ms.toFixed(0)} ms`, asExpected ? 'yes' : 'NO']);
    }
    process.stdout.write(`\n${formatTable(['caller', 'target', 'what', 'outcome', 'latency', 'as expected'], rows)}\n\n`);
    process.stdout.write(wrong === 0
      ? 'Every honest call was allowed and every attack was refused.\n'
      : `${wrong} call(s) did not end as expected: see the rows marked NO.\n`);
    return wrong === 0 ? 0 : 1;
  } finally {
    runtime.cleanup();
    interrupts.dispose();
    if (keep || !startedCloud) {
      process.stdout.write([
        '',
        'The local cloud is still running. To look further:',
        '  eval "$(npm run -s local:env)"      then your own commands as typed: npx cdktf diff vendor, npm run verify -- acme',
        '  npm run verify -- acme              test the connection for a tenant',
        '  cat .localcloud/outputs.json        the deployed ARNs',
        '  tail .localcloud/server.log         every request, who made it, and the answer',
        '  npm run local:down                  stop it',
        '',
      ].join('\n'));
    } else {
      await localCloudCli('down', env, false);
      process.stdout.write('\nThe local cloud was stopped (its state is kept in .localcloud/). Run `npm run demo -- --keep` to leave it running and look further.\n');
    }
  }
}

main().then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`demo failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
