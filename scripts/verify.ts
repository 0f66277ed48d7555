// npm run verify -- <tenant> ... | --all | --customer <name> ... [--json] | --help
// Test the connection for tenants (as the vendor) or check a customer's own side (with only that
// customer's credentials), and say what to change. Usage: scripts/verify/args.ts.
import { ConfigError, loadConfig } from '../config/load';
import { VERIFY_USAGE, parseVerifyArgs } from './verify/args';
import { verifyCustomer } from './verify/customer-check';
import { verifyTenant } from './verify/diagnose';
import { formatDiagnosis } from './verify/report';
import { LocalCloudNotRunningError, VerifyUsageError, type Diagnosis } from './verify/verdicts';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseVerifyArgs(argv);
  if (command.mode === 'help') {
    process.stdout.write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  const print = (d: Diagnosis) => process.stdout.write(command.json ? `${JSON.stringify(d)}\n` : formatDiagnosis(d));
  const diagnoses: Diagnosis[] = [];
  try {
    if (command.mode === 'customers') {
      for (const name of command.customers) {
        const d = await verifyCustomer(config, name);
        diagnoses.push(d);
        print(d);
      }
    } else {
      const tenants = command.mode === 'all' ? config.tenants.map((t) => t.id) : command.tenants;
      for (const tenant of tenants) {
        const d = await verifyTenant(config, tenant);
        diagnoses.push(d);
        print(d);
      }
    }
  } catch (e) {
    if (!(e instanceof LocalCloudNotRunningError)) throw e;
    const d: Diagnosis = {
      subject: 'local cloud', kind: 'local-cloud', verdict: 'local-cloud-not-running',
      summary: `The local cloud is not running: ${e.reason}. Nothing was checked; the stacks may well be fine.`,
      fix: `Start it: ${e.startCommand}. Then run verify again.`,
    };
    print(d);
    return 1;
  }
  return diagnoses.every((d) => d.verdict === 'ok') ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  if (e instanceof VerifyUsageError) {
    process.stderr.write(`verify: ${e.message}\n\n${VERIFY_USAGE}\n`);
  } else if (e instanceof ConfigError) {
    process.stderr.write(`verify: ${e.message}\n`);
  } else {
    process.stderr.write(`verify: ${(e as Error).stack ?? String(e)}\n`);
  }
  process.exitCode = 2;
});
