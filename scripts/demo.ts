// ---------------------------------------------------------------------------
// npm run demo [-- --keep]: the project's job on the local cloud, from a fresh clone. Deploys the
// vendor and the customers, calls the connector for every honest tenant and every attack, and
// prints what was allowed and what was refused, with the error code and latency of each call.
// Exits non-zero if an honest call was refused or an attack got through.
// ---------------------------------------------------------------------------
import { loadConfig } from '../config/load';
import { buildScenarios } from './demo/scenarios';
import { deployLocal } from './deploy-local';
import { formatTable } from './lib/table';
import { ensureLocalCloud, localCloudCli } from './lib/local-cloud';

async function main(): Promise<number> {
  const keep = process.argv.includes('--keep');
  const env = { ...process.env, SIDECAR_TARGET: 'local' };
  const config = loadConfig(env);
  const startedCloud = await ensureLocalCloud(env);
  try {
    await deployLocal(env, { verbose: process.argv.includes('--verbose') });
    process.stderr.write('Calling the connector for each tenant and each attack...\n');
    const rows: string[][] = [];
    let wrong = 0;
    for (const scenario of buildScenarios(config)) {
      const t = process.hrtime.bigint();
      const { outcome, code } = await scenario.run().catch((e: Error) => ({ outcome: 'error' as const, code: e.name }));
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
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
    if (keep || !startedCloud) {
      process.stdout.write([
        '',
        'The local cloud is still running. To look further:',
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
