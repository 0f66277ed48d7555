// ---------------------------------------------------------------------------
// The demo's calls: every honest tenant, and every attack the project guards against, each with
// the outcome it must have. Derived from config, so a new customer or tenant shows up by itself.
// ---------------------------------------------------------------------------
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LoadedConfig } from '../../config/load';
import { connectorFunctionFor } from '../../rules/connector-routing';
import { functionArn as buildFunctionArn, parseFunctionArn, roleArn as buildRoleArn } from '../../rules/naming';
import { accountCredentials, clientConfig } from '../lib/accounts';
import { vendCallerProof } from '../lib/vend-proof';

/** `error`: the call failed for a reason other than an AWS refusal; never what a scenario expects. */
export type Outcome = 'allowed' | 'refused' | 'error';

export interface Scenario {
  /** Who calls: a tenant ID, or a tenant's vended credentials. */
  readonly caller: string;
  /** The function it aims at, as account/name. */
  readonly target: string;
  /** What the call is, in words. */
  readonly what: string;
  readonly expect: Exclude<Outcome, 'error'>;
  /** `ms`: the latency to show, when the row's call is not all the row does (run-time onboarding). */
  run(): Promise<{ outcome: Outcome; code: string; ms?: number }>;
}

type Answer =
  | { ok: true; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string } }
  | { ok: false; error: { code: string } };

/** Only an answer from AWS counts as a refusal: a bug on our side (a TypeError, a refused
 *  connection) must never pass for a guard that held. */
export function isAwsRefusal(e: unknown): boolean {
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500;
}

function shortName(arn: string): string {
  const parsed = parseFunctionArn(arn);
  return parsed ? `${parsed.accountId}/${parsed.functionName}` : arn;
}

export function buildScenarios(config: LoadedConfig): Scenario[] {
  const vendor = accountCredentials(config, 'vendor');
  if (!vendor) throw new Error('config has no account entry for the vendor stack');
  const vendorLambda = new LambdaClient(clientConfig(config, vendor));

  const call = async (functionName: string, event: unknown): Promise<Answer> => {
    const res = await vendorLambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
    const text = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
    if (res.FunctionError) return { ok: false, error: { code: `FunctionError:${res.FunctionError}` } };
    return JSON.parse(text) as Answer;
  };
  const viaConnector = (event: { tenant: string; function?: string }) => async () => {
    // The shard that serves the tenant (the one connector when unsharded).
    const answer = await call(connectorFunctionFor(event.tenant, config), event);
    return answer.ok ? { outcome: 'allowed' as const, code: 'ok' } : { outcome: 'refused' as const, code: answer.error.code };
  };

  const scenarios: Scenario[] = [];

  // Every registry entry: honest when it pairs a customer's role with that customer's external
  // ID, a confused-deputy attempt when it names a customer's role with another external ID.
  for (const tenant of config.tenants) {
    const owner = config.customers.find((c) => buildRoleArn(c.accountId, c.roleName) === tenant.roleArn);
    const honest = !owner || owner.externalIds.current === tenant.externalId;
    scenarios.push({
      caller: tenant.id,
      target: shortName(tenant.functions[0]),
      what: honest ? 'honest call through the connector' : `confused deputy: ${owner!.name}'s role, another external ID`,
      expect: honest ? 'allowed' : 'refused',
      run: viaConnector({ tenant: tenant.id }),
    });
  }

  const first = config.customers[0];
  const firstTenant = first && config.tenants.find((t) => t.externalId === first.externalIds.current)?.id;
  if (!first || !firstTenant) return scenarios;
  const sidecarArn = buildFunctionArn(config.region, first.accountId, first.functions[0]);
  const privateArn = buildFunctionArn(config.region, first.accountId, first.privateFunction);

  scenarios.push({ caller: firstTenant, target: shortName(privateArn), what: 'a function outside the tenant\'s list', expect: 'refused', run: viaConnector({ tenant: firstTenant, function: privateArn }) });
  scenarios.push({ caller: 'unregistered', target: shortName(sidecarArn), what: 'a tenant the registry does not know', expect: 'refused', run: viaConnector({ tenant: 'unregistered' }) });

  // Credentials vended for one function, used on others: the session policy refuses them.
  // DryRun checks the permission without running the customer's code.
  const useVended = (targetArn: string) => async () => {
    // Vend hands credentials only to a configured vend caller that proves who it is (vendor.vendCallers).
    const vended = await call(config.vendor.vendFunctionName, { tenant: firstTenant, functions: [sidecarArn], callerProof: await vendCallerProof(config, vendor) });
    if (!vended.ok || !vended.credentials) return { outcome: 'refused' as const, code: vended.ok ? 'NoCredentials' : `vend:${vended.error.code}` };
    const region = parseFunctionArn(targetArn)?.region ?? config.region;
    const { accessKeyId, secretAccessKey, sessionToken } = vended.credentials;
    try {
      await new LambdaClient(clientConfig(config, { accessKeyId, secretAccessKey, sessionToken }, region)).send(new InvokeCommand({ FunctionName: targetArn, InvocationType: 'DryRun' }));
      return { outcome: 'allowed' as const, code: 'ok' };
    } catch (e) {
      return { outcome: isAwsRefusal(e) ? 'refused' as const : 'error' as const, code: (e as Error).name };
    }
  };
  const vendedCaller = `${firstTenant} (vended)`;
  scenarios.push({ caller: vendedCaller, target: shortName(sidecarArn), what: 'vended credentials, the vended function', expect: 'allowed', run: useVended(sidecarArn) });
  scenarios.push({ caller: vendedCaller, target: shortName(privateArn), what: 'vended credentials, another function', expect: 'refused', run: useVended(privateArn) });
  for (const other of config.customers.slice(1)) {
    const otherArn = buildFunctionArn(config.region, other.accountId, other.functions[0]);
    scenarios.push({ caller: vendedCaller, target: shortName(otherArn), what: 'vended credentials, another customer\'s function', expect: 'refused', run: useVended(otherArn) });
  }
  return scenarios;
}
