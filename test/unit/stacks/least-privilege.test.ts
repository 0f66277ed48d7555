// ---------------------------------------------------------------------------
// Least privilege, checked on the synthesized Terraform of the real app: for config/local.json
// (configured onboarding) and for an aws-like config with dynamic onboarding and both trust modes.
// Every aws_iam_role, aws_iam_role_policy, aws_iam_policy, aws_iam_role_policy_attachment and
// aws_lambda_permission of every stack is read (test/support/least-privilege.ts), and fails on:
//   - a `*` action anywhere;
//   - a `*` resource outside the explicit allow-list below;
//   - a trust policy naming a non-service principal without a StringEquals sts:ExternalId;
//   - a role that could assume a role outside the prefix (decided by the policy evaluator);
//   - a permission no handler uses, or one a handler uses and lacks (from the SDK commands
//     its code constructs: test/support/handler-needs.ts).
// Then the checker itself: each rule catches a deliberately broken copy of the real stacks.
// ---------------------------------------------------------------------------
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, type Target } from '../../../config/load';
import type { SidecarConfig } from '../../../config/schema';
import { evaluate } from '../../../localcloud/iam/policy-evaluator';
import { LAMBDA_SERVICE_LOG_ACTIONS, UnknownCommandError, handlerNeeds, type HandlerNeeds } from '../../support/handler-needs';
import {
  assumeScope, checkLeastPrivilege, grantedActions, inventoryOf, lambdaPermissions, permissionsVsNeeds, trustPolicies, wildcardActions,
  wildcardResources, type AssumeScope, type Inventory, type StackJson, type Violation, type WildcardAllowance,
} from '../../support/least-privilege';
import { awsConfig, localConfig, synthApp, synthJson } from '../../support/synth';

// ---------------------------------------------------------------------------
// What each function runs, and what that code needs
// ---------------------------------------------------------------------------

const HANDLERS = {
  connector: 'lambda/connector/handler.ts',
  vend: 'lambda/vend/handler.ts',
  sample: 'lambda/sample/handler.ts',
} as const;

function readSource(path: string): string | undefined {
  const file = join(PROJECT_ROOT, path);
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
}

const NEEDS: Record<keyof typeof HANDLERS, HandlerNeeds> = {
  connector: handlerNeeds(HANDLERS.connector, readSource),
  vend: handlerNeeds(HANDLERS.vend, readSource),
  sample: handlerNeeds(HANDLERS.sample, readSource),
};

/** The handler each configured function runs (as the stacks bundle them). */
function handlerOfFunction(config: SidecarConfig): Map<string, keyof typeof HANDLERS> {
  const map = new Map<string, keyof typeof HANDLERS>([[config.vendor.connectorFunctionName, 'connector'], [config.vendor.vendFunctionName, 'vend']]);
  for (const c of config.customers) for (const fn of [...c.functions, c.privateFunction]) map.set(fn, 'sample');
  return map;
}

/**
 * Role name -> the actions it needs. An execution role: what its function's code calls with it,
 * plus the log actions the Lambda service uses for every function. A tenant role (a customer's
 * prefixed role): what the handlers that assume it call with the assumed session.
 */
function neededActions(config: SidecarConfig, inventory: Inventory): Map<string, Set<string>> {
  const handlerOf = handlerOfFunction(config);
  const needs = new Map<string, Set<string>>();
  for (const role of inventory.roles) {
    if (role.functionNames.length === 0) continue;
    const actions = new Set<string>(LAMBDA_SERVICE_LOG_ACTIONS);
    for (const fn of role.functionNames) {
      const handler = handlerOf.get(fn);
      if (!handler) throw new Error(`function ${fn} runs no known handler`);
      for (const a of NEEDS[handler].executionRole) actions.add(a);
    }
    needs.set(role.name, actions);
  }
  const sessionActions = new Set(Object.values(NEEDS).filter((n) => n.executionRole.has('sts:AssumeRole')).flatMap((n) => [...n.assumedSession]));
  for (const c of config.customers) needs.set(c.roleName, sessionActions);
  return needs;
}

// ---------------------------------------------------------------------------
// The allow-list of wildcard resources, and the assume scope
// ---------------------------------------------------------------------------

/**
 * Every resource with a `*` that a role may hold, and why it cannot be narrower. Written out
 * here, not built with the product's helpers, so that a change there shows up as a violation.
 */
function wildcardAllowances(config: SidecarConfig): WildcardAllowance[] {
  const allowances: WildcardAllowance[] = [];
  const vendor = config.vendor;
  // The prefixed-role pattern. Customers name their roles themselves, so the connector and vend
  // may assume any role whose name STARTS with the agreed prefix (tibco_sidecar_connector,
  // tibco_sidecar_connector-orders, ...), in each configured customer's account; in any account
  // (`*`) only with dynamic onboarding, where the vendor does not know the accounts at deploy time.
  const accounts = vendor.onboarding === 'dynamic' ? ['*'] : [...new Set(config.customers.map((c) => c.accountId))];
  for (const roleName of [vendor.connectorRoleName, vendor.vendRoleName]) {
    for (const account of accounts) {
      allowances.push({ resource: `arn:aws:iam::${account}:role/${config.rolePrefix}*`, roleName, why: 'customer-named roles behind the agreed prefix' });
    }
  }
  // Log groups. `<group ARN>:*` is how IAM names a log group for logs:CreateLogGroup, and
  // `:log-stream:*` because Lambda names each stream at run time (date/[version]id). Each role
  // only for its own function's group.
  const functions: [string, string, string][] = [
    [vendor.connectorFunctionName, vendor.connectorRoleName, vendor.accountId],
    [vendor.vendFunctionName, vendor.vendRoleName, vendor.accountId],
    ...config.customers.flatMap((c) => [...c.functions, c.privateFunction].map((fn): [string, string, string] => [fn, `${fn}-exec`, c.accountId])),
  ];
  for (const [fn, roleName, account] of functions) {
    const group = `arn:aws:logs:${config.region}:${account}:log-group:/aws/lambda/${fn}`;
    allowances.push({ resource: `${group}:*`, roleName, why: 'the log group ARN as logs:CreateLogGroup takes it' });
    allowances.push({ resource: `${group}:log-stream:*`, roleName, why: 'streams are named by Lambda at run time' });
  }
  return allowances;
}

/** An account that is no customer's, to probe the assume scope with. */
const UNCONFIGURED_ACCOUNT = '999988887777';

function assumeScopeOf(config: SidecarConfig): AssumeScope {
  const accountOfStack = new Map<string, string>([['vendor', config.vendor.accountId], ...config.customers.map((c): [string, string] => [c.name, c.accountId])]);
  return {
    rolePrefix: config.rolePrefix,
    accounts: config.vendor.onboarding === 'dynamic' ? '*' : [...new Set(config.customers.map((c) => c.accountId))],
    customerAccounts: [...new Set(config.customers.map((c) => c.accountId))],
    unconfiguredAccount: UNCONFIGURED_ACCOUNT,
    mustAssume: [config.vendor.connectorRoleName, config.vendor.vendRoleName],
    roleAccount: (role) => accountOfStack.get(role.stack)!,
  };
}

// ---------------------------------------------------------------------------
// The configs and their synthesized stacks
// ---------------------------------------------------------------------------

/** aws.example.json with dynamic onboarding and a second customer trusting the vendor account root. */
function awsLikeDynamicConfig(): SidecarConfig {
  return awsConfig((raw) => {
    raw.vendor.onboarding = 'dynamic';
    raw.customers.push({
      name: 'customer-b', accountId: '111122223333', roleName: 'tibco_sidecar_connector-orders',
      externalIds: { current: 'sc-aws-b-3Kf8JdQ2wE6rT9yU4iOp', previous: 'sc-aws-b-old-Zx5Cv1Bn7Mq0' },
      trustPrincipal: 'account', functions: ['sidecar-orders', 'sidecar-refunds'],
    });
    raw.tenants.push({ id: 'customer-b', roleArn: 'arn:aws:iam::111122223333:role/tibco_sidecar_connector-orders', externalId: 'sc-aws-b-3Kf8JdQ2wE6rT9yU4iOp', functions: ['arn:aws:lambda:eu-west-1:111122223333:function:sidecar-orders'] });
    raw.accounts['customer-b'] = { accountId: '111122223333', profile: 'sidecar-customer-b' };
  });
}

interface Synthesized {
  readonly config: SidecarConfig;
  readonly stacks: Record<string, StackJson>;
}

function synthesize(config: SidecarConfig, target: Target): Synthesized {
  const app = synthApp({ config, target });
  const stacks: Record<string, StackJson> = { vendor: synthJson(app.vendor) };
  for (const customer of app.customers) stacks[customer.node.id] = synthJson(customer);
  return { config, stacks };
}

const TARGETS: [string, Synthesized][] = [
  ['config/local.json (configured onboarding)', synthesize(localConfig(), 'local')],
  ['an aws-like config (dynamic onboarding, both trust modes)', synthesize(awsLikeDynamicConfig(), 'aws')],
];

/** One line per violation, for failure messages. */
function listed(violations: readonly Violation[]): string[] {
  return violations.map((v) => `${v.rule} at ${v.where}: ${v.detail}`);
}

// ---------------------------------------------------------------------------
// The real stacks
// ---------------------------------------------------------------------------

describe.each(TARGETS)('the synthesized stacks of %s', (_name, { config, stacks }) => {
  const inventory = inventoryOf(stacks);

  test('every role of every stack is read: the vendor\'s two, and per customer its prefixed role and one per function', () => {
    const expected = [
      config.vendor.connectorRoleName, config.vendor.vendRoleName,
      ...config.customers.flatMap((c) => [c.roleName, ...[...c.functions, c.privateFunction].map((fn) => `${fn}-exec`)]),
    ];
    expect(inventory.roles.map((r) => r.name).sort()).toEqual([...expected].sort());
    for (const role of inventory.roles) expect(role.trustPolicy).toBeDefined();
    expect(inventory.roles.every((r) => r.identityPolicies.length > 0)).toBe(true);
  });

  test('every policy is a literal JSON document the checker can read', () => {
    expect(listed(inventory.violations)).toEqual([]);
  });

  test('no action has a wildcard', () => {
    expect(listed(wildcardActions(inventory))).toEqual([]);
  });

  test('no resource has a wildcard outside the allow-list', () => {
    expect(listed(wildcardResources(inventory, wildcardAllowances(config)))).toEqual([]);
  });

  test('every trust policy toward a non-service principal requires the tenant\'s external ID', () => {
    expect(listed(trustPolicies(inventory))).toEqual([]);
    // ...and there are such trust policies to check: one per customer.
    const vendorTrusts = inventory.roles.filter((r) => config.customers.some((c) => c.roleName === r.name));
    expect(vendorTrusts).toHaveLength(config.customers.length);
  });

  test('no role may assume a role outside the prefix, and the connector and vend may assume inside it', () => {
    expect(listed(assumeScope(inventory, assumeScopeOf(config)))).toEqual([]);
  });

  test('the connector\'s role: other, x-<prefix> refused, <prefix>-anything allowed, by the evaluator', () => {
    const role = inventory.roles.find((r) => r.name === config.vendor.connectorRoleName)!;
    const account = config.customers[0].accountId;
    const decide = (resource: string) => evaluate({
      principal: { kind: 'assumed-role', accountId: config.vendor.accountId, arn: `arn:aws:sts::${config.vendor.accountId}:assumed-role/${role.name}/probe`, roleArn: `arn:aws:iam::${config.vendor.accountId}:role/${role.name}` },
      action: 'sts:AssumeRole',
      resource,
      resourceAccountId: account,
      identityPolicies: role.identityPolicies.map((p) => p.document),
      resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${config.vendor.accountId}:role/${role.name}` }, Action: 'sts:AssumeRole' }] },
      resourcePolicyKind: 'trust',
    }).decision;
    expect(decide(`arn:aws:iam::${account}:role/other`)).toBe('ImplicitDeny');
    expect(decide(`arn:aws:iam::${account}:role/x-${config.rolePrefix}`)).toBe('ImplicitDeny');
    expect(decide(`arn:aws:iam::${account}:role/${config.rolePrefix}-anything`)).toBe('Allow');
  });

  test('each role grants exactly the actions its handlers use: nothing unused, nothing missing', () => {
    expect(listed(permissionsVsNeeds(inventory, neededActions(config, inventory)))).toEqual([]);
  });

  test('the connector\'s role grants sts:AssumeRole, sts:SetSourceIdentity, dynamodb:GetItem (the registry) and logs only; the customer role lambda:InvokeFunction only', () => {
    const byName = (name: string) => inventory.roles.find((r) => r.name === name)!;
    expect(grantedActions(byName(config.vendor.connectorRoleName)).sort()).toEqual(['dynamodb:GetItem', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sts:AssumeRole', 'sts:SetSourceIdentity']);
    expect(grantedActions(byName(config.customers[0].roleName))).toEqual(['lambda:InvokeFunction']);
  });

  test('no function policy is open to everyone or to a service without a source', () => {
    expect(listed(lambdaPermissions(inventory))).toEqual([]);
  });

  test('all rules at once find nothing', () => {
    const violations = checkLeastPrivilege({ stacks, allowances: wildcardAllowances(config), scope: assumeScopeOf(config), needs: neededActions(config, inventory) });
    expect(listed(violations)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The handler analysis on the real sources
// ---------------------------------------------------------------------------

describe('what each handler needs, read from its source', () => {
  test('the connector: sts:AssumeRole, sts:SetSourceIdentity and dynamodb:GetItem (the registry) as itself (fromTemporaryCredentials, the tenant as SourceIdentity), lambda:InvokeFunction as the tenant', () => {
    expect([...NEEDS.connector.executionRole].sort()).toEqual(['dynamodb:GetItem', 'sts:AssumeRole', 'sts:SetSourceIdentity']);
    expect([...NEEDS.connector.assumedSession]).toEqual(['lambda:InvokeFunction']);
    expect(NEEDS.connector.files).toEqual(expect.arrayContaining(['lambda/connector/connector.ts', 'lambda/connector/scoped-clients.ts', 'lambda/shared/clients.ts']));
  });

  test('vend: sts:AssumeRole, sts:SetSourceIdentity and dynamodb:GetItem (the registry) as itself, nothing as the tenant (the caller uses what it vends)', () => {
    expect([...NEEDS.vend.executionRole].sort()).toEqual(['dynamodb:GetItem', 'sts:AssumeRole', 'sts:SetSourceIdentity']);
    expect([...NEEDS.vend.assumedSession]).toEqual([]);
    expect(NEEDS.vend.files).toEqual(expect.arrayContaining(['lambda/vend/vend.ts', 'lambda/shared/tenants.ts']));
  });

  test('the sample function calls no AWS API', () => {
    expect([...NEEDS.sample.executionRole, ...NEEDS.sample.assumedSession]).toEqual([]);
  });

  test('a command with no known IAM action fails the analysis, naming the file', () => {
    const sources: Record<string, string> = {
      'h/handler.ts': "import { thing } from './thing';\nexport const handler = thing;",
      'h/thing.ts': "import { PutItemCommand } from '@aws-sdk/client-dynamodb';\nexport const thing = () => new PutItemCommand({});",
    };
    expect(() => handlerNeeds('h/handler.ts', (p) => sources[p])).toThrow(UnknownCommandError);
    expect(() => handlerNeeds('h/handler.ts', (p) => sources[p])).toThrow(/h\/thing\.ts sends PutItemCommand/);
  });

  test('commands of a client built with assumed credentials count for the tenant role; others for the execution role', () => {
    const sources: Record<string, string> = {
      'h/handler.ts': "import { s3 } from './own-client';\nimport { scopedLambda } from './scoped';\nexport const handler = () => [s3, scopedLambda];",
      'h/scoped.ts': [
        "import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';",
        "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
        'export const scopedLambda = new LambdaClient({ credentials: fromTemporaryCredentials({ params: {} }) });',
        'export const invoke = () => scopedLambda.send(new InvokeCommand({}));',
      ].join('\n'),
      'h/own-client.ts': "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';\nexport const s3 = new S3Client({});\nexport const get = () => s3.send(new GetObjectCommand({}));",
    };
    const needs = handlerNeeds('h/handler.ts', (p) => sources[p]);
    expect([...needs.executionRole].sort()).toEqual(['s3:GetObject', 'sts:AssumeRole']);
    expect([...needs.assumedSession]).toEqual(['lambda:InvokeFunction']);
    expect(needs.files.sort()).toEqual(['h/handler.ts', 'h/own-client.ts', 'h/scoped.ts']);
  });

  test('an AssumeRole input that sets SourceIdentity needs sts:SetSourceIdentity; the same input without it does not (the nearest neighbour)', () => {
    const sources = (withSourceIdentity: boolean): Record<string, string> => ({
      'h/handler.ts': [
        "import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';",
        `const params = { RoleArn: 'r', RoleSessionName: 's'${withSourceIdentity ? ", SourceIdentity: 'tenant'" : ''} };`,
        'export const handler = () => fromTemporaryCredentials({ params });',
      ].join('\n'),
    });
    expect([...handlerNeeds('h/handler.ts', (p) => sources(true)[p]).executionRole]).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
    expect([...handlerNeeds('h/handler.ts', (p) => sources(false)[p]).executionRole]).toEqual(['sts:AssumeRole']);
  });

  test('a command imported under another name, or through a namespace, is still found', () => {
    const sources: Record<string, string> = {
      'h/handler.ts': [
        "import { GetRoleCommand as ReadRole, IAMClient } from '@aws-sdk/client-iam';",
        "import * as lambda from '@aws-sdk/client-lambda';",
        'const iam = new IAMClient({});',
        'export const handler = () => [iam.send(new ReadRole({})), new lambda.LambdaClient({}).send(new lambda.GetFunctionCommand({}))];',
      ].join('\n'),
    };
    const needs = handlerNeeds('h/handler.ts', (p) => sources[p]);
    expect([...needs.executionRole].sort()).toEqual(['iam:GetRole', 'lambda:GetFunction']);
  });

  test('a command sent with the execution role\'s own client counts for the execution role', () => {
    const sources: Record<string, string> = {
      'h/handler.ts': "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';\nconst s3 = new S3Client({});\nexport const handler = () => s3.send(new GetObjectCommand({}));",
    };
    const needs = handlerNeeds('h/handler.ts', (p) => sources[p]);
    expect([...needs.executionRole]).toEqual(['s3:GetObject']);
    expect([...needs.assumedSession]).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The checker catches each violation (broken copies of the real local stacks)
// ---------------------------------------------------------------------------

describe('the checker refuses', () => {
  const [, real] = TARGETS[0];
  const { config } = real;
  const connectorRole = config.vendor.connectorRoleName;
  const customerA = config.customers[0];

  /** All violations of a deep copy of the real stacks after `edit`. */
  function violationsAfter(edit: (stacks: Record<string, StackJson & { resource: Record<string, Record<string, Record<string, any>>> }>) => void, cfg: SidecarConfig = config): Violation[] {
    const copy = structuredClone(real.stacks) as Parameters<typeof edit>[0];
    edit(copy);
    return checkLeastPrivilege({ stacks: copy, allowances: wildcardAllowances(cfg), scope: assumeScopeOf(cfg), needs: neededActions(cfg, inventoryOf(copy)) });
  }

  /** Edit the parsed policy of the resource of `type` in `stack` whose `name` attribute is `name`. */
  function editPolicy(stacks: Record<string, any>, stack: string, type: string, attribute: 'policy' | 'assume_role_policy', match: (attrs: Record<string, any>) => boolean, edit: (doc: any) => void): void {
    const found = Object.values(stacks[stack].resource[type] as Record<string, Record<string, any>>).filter(match);
    if (found.length === 0) throw new Error(`no ${type} matched in ${stack}`);
    for (const attrs of found) {
      const doc = JSON.parse(attrs[attribute]);
      edit(doc);
      attrs[attribute] = JSON.stringify(doc);
    }
  }
  const connectorAssumePolicy = (a: Record<string, any>) => a.name === 'assume-sidecar-connector-roles' && String(a.role).includes('connector_role');
  const connectorLogsPolicy = (a: Record<string, any>) => a.name === 'write-own-logs' && String(a.role).includes('connector_role');
  const customerRole = (a: Record<string, any>) => a.name === customerA.roleName;

  const rules = (violations: readonly Violation[]) => [...new Set(violations.map((v) => v.rule))].sort();

  /** `${aws_iam_role.<logical id>.name}` of the vendor role named `name`. */
  function vendorRoleRef(stacks: Record<string, any>, name: string): string {
    const id = Object.entries(stacks.vendor.resource.aws_iam_role as Record<string, { name: string }>).find(([, a]) => a.name === name)![0];
    return `\${aws_iam_role.${id}.name}`;
  }

  test('nothing in the unmodified copy (the neighbour of every case below)', () => {
    expect(listed(violationsAfter(() => undefined))).toEqual([]);
  });

  test('Action "*"', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorAssumePolicy, (d) => { d.Statement[0].Action = '*'; }));
    expect(found).toContainEqual(expect.objectContaining({ rule: 'wildcard-action', detail: 'Action "*"' }));
  });

  test('a service-wide action pattern ("lambda:Invoke*") on the customer role', () => {
    const found = violationsAfter((s) => editPolicy(s, customerA.name, 'aws_iam_role_policy', 'policy', (a) => a.name === 'invoke-sidecar-functions', (d) => { d.Statement[0].Action = 'lambda:Invoke*'; }));
    expect(rules(found)).toEqual(['wildcard-action']);
  });

  test('NotAction and NotResource', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorLogsPolicy, (d) => {
      d.Statement.push({ Sid: 'Sneaky', Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:iam::*:*' });
    }));
    expect(rules(found)).toEqual(expect.arrayContaining(['wildcard-action', 'wildcard-resource']));
  });

  test('the ExternalId condition removed from a customer\'s trust policy', () => {
    const found = violationsAfter((s) => editPolicy(s, customerA.name, 'aws_iam_role', 'assume_role_policy', customerRole, (d) => { delete d.Statement[0].Condition; }));
    expect(found).toEqual([expect.objectContaining({ rule: 'trust-without-external-id', where: expect.stringContaining(customerA.roleName) })]);
  });

  test('the ExternalId matched with StringLike "*" instead of StringEquals', () => {
    const found = violationsAfter((s) => editPolicy(s, customerA.name, 'aws_iam_role', 'assume_role_policy', customerRole, (d) => { d.Statement[0].Condition = { StringLike: { 'sts:ExternalId': '*' } }; }));
    expect(rules(found)).toEqual(['trust-without-external-id']);
  });

  test('a wildcard in the StringEquals ExternalId value', () => {
    const found = violationsAfter((s) => editPolicy(s, customerA.name, 'aws_iam_role', 'assume_role_policy', customerRole, (d) => { d.Statement[0].Condition.StringEquals['sts:ExternalId'] = 'sc-*'; }));
    expect(rules(found)).toEqual(['trust-without-external-id']);
  });

  test('a trust policy for Principal "*" (even with the external ID)', () => {
    const found = violationsAfter((s) => editPolicy(s, customerA.name, 'aws_iam_role', 'assume_role_policy', customerRole, (d) => { d.Statement[0].Principal = { AWS: '*' }; }));
    expect(rules(found)).toEqual(['open-principal']);
  });

  test('an assume resource of arn:aws:iam::*:role/*', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorAssumePolicy, (d) => { d.Statement[0].Resource = 'arn:aws:iam::*:role/*'; }));
    expect(rules(found)).toEqual(['assume-outside-scope', 'wildcard-resource']);
    expect(listed(found)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`assume-outside-scope at .*${connectorRole}.*arn:aws:iam::444455556666:role/other`))]));
  });

  test('the dynamic-onboarding pattern (any account) where the accounts are configured', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorAssumePolicy, (d) => { d.Statement[0].Resource = `arn:aws:iam::*:role/${config.rolePrefix}*`; }));
    expect(rules(found)).toEqual(['assume-outside-scope', 'wildcard-resource']);
    expect(listed(found)).toEqual(expect.arrayContaining([expect.stringContaining(`${UNCONFIGURED_ACCOUNT}:role/${config.rolePrefix}-anything`)]));
  });

  test('a prefix pattern with the prefix cut short ("tibco_sidecar*")', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorAssumePolicy, (d) => { d.Statement[0].Resource = `arn:aws:iam::${customerA.accountId}:role/tibco_sidecar*`; }));
    expect(rules(found)).toEqual(expect.arrayContaining(['assume-outside-scope', 'assume-in-scope-refused', 'wildcard-resource']));
  });

  test('an extra s3:GetObject the handlers never call', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorAssumePolicy, (d) => {
      d.Statement.push({ Sid: 'ReadConfig', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::vendor-config/registry.json' });
    }));
    expect(found).toEqual([expect.objectContaining({ rule: 'unused-permission', where: expect.stringContaining(connectorRole), detail: expect.stringContaining('grants s3:GetObject') })]);
  });

  test('lambda:InvokeFunction on the connector\'s own role (it invokes only as the tenant)', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorAssumePolicy, (d) => {
      d.Statement.push({ Sid: 'Invoke', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:us-east-1:${customerA.accountId}:function:sidecar-echo` });
    }));
    expect(rules(found)).toEqual(['unused-permission']);
  });

  test('logs:PutLogEvents taken away (missing, not only unused, is caught)', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorLogsPolicy, (d) => { d.Statement[1].Action = ['logs:CreateLogStream']; }));
    expect(found).toEqual([expect.objectContaining({ rule: 'missing-permission', detail: expect.stringContaining('logs:PutLogEvents') })]);
  });

  test('another function\'s log group on a role (allowances are per role)', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorLogsPolicy, (d) => {
      d.Statement[0].Resource = `arn:aws:logs:${config.region}:${config.vendor.accountId}:log-group:/aws/lambda/${config.vendor.vendFunctionName}:*`;
    }));
    expect(rules(found)).toEqual(['wildcard-resource']);
  });

  test('an AWS-managed policy attached (its statements cannot be checked)', () => {
    const found = violationsAfter((s) => {
      s.vendor.resource.aws_iam_role_policy_attachment = { basic: { role: vendorRoleRef(s, connectorRole), policy_arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' } };
    });
    expect(found).toEqual([expect.objectContaining({ rule: 'unreadable-policy', detail: expect.stringContaining('AWSLambdaBasicExecutionRole') })]);
  });

  test('a managed policy of the stack with a wildcard, attached through an attachment', () => {
    const found = violationsAfter((s) => {
      s.vendor.resource.aws_iam_policy = { wide: { name: 'wide', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:*', Resource: '*' }] }) } };
      s.vendor.resource.aws_iam_role_policy_attachment = { wide: { role: vendorRoleRef(s, config.vendor.vendRoleName), policy_arn: '${aws_iam_policy.wide.arn}' } };
    });
    // sts:* covers sts:AssumeRole, so it is not "unused": the wildcard rules are what refuse it.
    expect(rules(found)).toEqual(['assume-outside-scope', 'wildcard-action', 'wildcard-resource']);
  });

  test('a policy IAM would refuse (a lower-case Effect): unreadable, with IAM\'s message', () => {
    const found = violationsAfter((s) => editPolicy(s, 'vendor', 'aws_iam_role_policy', 'policy', connectorLogsPolicy, (d) => { d.Statement[0].Effect = 'allow'; }));
    expect(found).toContainEqual(expect.objectContaining({ rule: 'unreadable-policy', detail: expect.stringContaining('MalformedPolicyDocument: The policy failed legacy parsing') }));
  });

  test('a policy given as a data-source reference', () => {
    const found = violationsAfter((s) => { Object.values(s.vendor.resource.aws_iam_role_policy).find(connectorAssumePolicy)!.policy = '${data.aws_iam_policy_document.assume.json}'; });
    expect(rules(found)).toEqual(expect.arrayContaining(['unreadable-policy', 'missing-permission']));
  });

  test('a role no function runs as and no customer owns', () => {
    const found = violationsAfter((s) => {
      s.vendor.resource.aws_iam_role.spare = { name: 'spare-admin', assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) };
    });
    expect(found).toEqual([expect.objectContaining({ rule: 'role-without-purpose', where: expect.stringContaining('spare-admin') })]);
  });

  test('a function permission for everyone, or for a service without a source', () => {
    const found = violationsAfter((s) => {
      s[customerA.name].resource.aws_lambda_permission = {
        open: { action: 'lambda:InvokeFunction', function_name: 'sidecar-echo', principal: '*' },
        service: { action: 'lambda:InvokeFunction', function_name: 'sidecar-echo', principal: 's3.amazonaws.com' },
        scoped: { action: 'lambda:InvokeFunction', function_name: 'sidecar-echo', principal: 's3.amazonaws.com', source_account: customerA.accountId },
        wide: { action: 'lambda:*', function_name: 'sidecar-echo', principal: 'events.amazonaws.com', source_arn: 'arn:aws:events:us-east-1:444455556666:rule/r' },
      };
    });
    expect(found.map((v) => `${v.rule} ${v.where.split('.').pop()}`).sort()).toEqual([
      'open-lambda-permission open', 'open-lambda-permission service', 'wildcard-action wide',
    ]);
  });
});
