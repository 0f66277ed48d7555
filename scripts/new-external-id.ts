// ---------------------------------------------------------------------------
// `npm run external-id`: a fresh, random, unguessable external ID for a new customer (or for a
// rotation), and where it goes. The vendor generates it; a customer never chooses one.
// ---------------------------------------------------------------------------
import { externalIdProblem, generateExternalId } from '../rules/external-id';
import { readCommandLine } from './lib/cli';

readCommandLine({
  name: 'external-id',
  usage: ['npm run external-id'],
  summary: 'print a fresh external ID for a new customer or a rotation',
  description: [
    'Print a fresh, random, unguessable external ID (256 random bits, in the characters STS accepts) on',
    'stdout, and on stderr where it goes in the config. The vendor generates it; a customer never',
    'chooses one. Treat it as a secret of that tenant.',
  ].join('\n'),
  options: {},
  examples: [
    { command: 'npm run external-id', says: 'print one, with where it goes' },
    { command: 'ID=$(npm run -s external-id 2>/dev/null)', says: 'keep just the ID' },
  ],
});

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
