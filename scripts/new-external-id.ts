// ---------------------------------------------------------------------------
// `npm run external-id`: a fresh, random, unguessable external ID for a new customer (or for a
// rotation), and where it goes. The vendor generates it; a customer never chooses one.
// ---------------------------------------------------------------------------
import { externalIdProblem, generateExternalId } from '../rules/external-id';

const externalId = generateExternalId();
// generateExternalId always meets AWS's rule; checking costs nothing and keeps that promise honest.
const problem = externalIdProblem(externalId);
if (problem) {
  console.error(`Generated external ID ${problem}; this is a bug in rules/external-id.ts.`);
  process.exit(1);
}

console.log(externalId);
console.error([
  '',
  'Put it in the config file of the target (config/local.json or config/aws.json) in two places:',
  '  customers[<the customer>].externalIds.current   the customer role\'s trust policy accepts it',
  '  tenants[<the tenant>].externalId                 the connector sends it for that tenant',
  'Rotating? Move the old value to customers[...].externalIds.previous until every connector sends the new one.',
  'Treat it as a secret of that tenant: share it only with that customer.',
].join('\n'));
