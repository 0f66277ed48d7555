// npm run verify -- <tenant> [--json]: test the connection for one tenant and say what to change.
import { loadConfig } from '../config/load';
import { verifyTenant } from './verify/diagnose';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const tenants = args.filter((a) => !a.startsWith('--'));
  if (tenants.length === 0) {
    process.stderr.write('usage: npm run verify -- <tenant> [<tenant> ...] [--json]\n');
    return 2;
  }
  const config = loadConfig();
  let failures = 0;
  for (const tenant of tenants) {
    const diagnosis = await verifyTenant(config, tenant);
    if (diagnosis.verdict !== 'ok') failures++;
    if (json) process.stdout.write(`${JSON.stringify(diagnosis)}\n`);
    else process.stdout.write(`${diagnosis.verdict === 'ok' ? 'OK  ' : 'FAIL'} ${tenant}: ${diagnosis.summary}\n     -> ${diagnosis.fix}\n`);
  }
  return failures === 0 ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`verify: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
