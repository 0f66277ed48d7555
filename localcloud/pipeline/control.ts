// ---------------------------------------------------------------------------
// Test-only controls under /_localcloud/control/, served only when the server runs with
// LOCALCLOUD_TEST_CONTROLS=1: move the clock, inject faults, read per-operation request counts,
// and issue a Lambda execution role's credentials exactly as the Lambda service would.
// Unauthenticated by design (loopback, tests only); off by default.
// ---------------------------------------------------------------------------
import * as z from 'zod';
import { AwsError, type ServiceResponse } from '../contracts';
import type { Clock } from '../core/clock';
import { faultRuleSchema, type FaultInjector } from '../core/faults';
import type { RoleSessionIssuer } from '../sts/assume-role';

export interface ControlDeps {
  readonly clock: Clock;
  readonly faults: FaultInjector;
  readonly issuer: RoleSessionIssuer;
}

const clockBody = z.union([z.strictObject({ advanceSeconds: z.number().finite() }), z.strictObject({ reset: z.literal(true) })]);
/** A rule, a list of rules, or `{rules}`: normalized to a list first, so that a refusal names the
 *  bad field (`0.roleArn`) instead of a union's "Invalid input". */
const faultsBody = z.preprocess((raw) => {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === 'object' && raw !== null && 'rules' in raw && Object.keys(raw).length === 1) return (raw as { rules: unknown }).rules;
  return [raw];
}, z.array(faultRuleSchema));
const serviceCredentialsBody = z.strictObject({
  roleArn: z.string().min(20),
  service: z.string().regex(/^[a-z0-9.-]+\.amazonaws\.com$/).default('lambda.amazonaws.com'),
  sourceArn: z.string().regex(/^arn:aws:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/, 'sourceArn must be an ARN with an account ID'),
  sessionName: z.string().optional(),
});

const json = (status: number, body: unknown): ServiceResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function parse<T>(schema: z.ZodType<T>, body: Buffer): T {
  let raw: unknown;
  try {
    raw = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('ValidationException', 'control request body must be JSON');
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new AwsError('ValidationException', `invalid control request: ${result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  return result.data;
}

/** Answers a control request, or undefined when no control matches (the caller answers 404). */
export function handleControl(deps: ControlDeps, method: string, name: string, body: Buffer): ServiceResponse | undefined {
  const route = `${method} ${name}`;
  switch (route) {
    case 'POST clock': {
      const input = parse(clockBody, body);
      if ('reset' in input) deps.clock.reset();
      else deps.clock.advance(input.advanceSeconds);
      return json(200, { offsetSeconds: deps.clock.offsetSeconds, now: deps.clock.now().toISOString() });
    }
    case 'GET clock':
      return json(200, { offsetSeconds: deps.clock.offsetSeconds, now: deps.clock.now().toISOString() });
    case 'POST faults': {
      const input = parse(faultsBody, body);
      deps.faults.add(input);
      return json(200, { rules: deps.faults.list() });
    }
    case 'GET faults':
      return json(200, { rules: deps.faults.list(), applied: deps.faults.appliedCounts() });
    case 'DELETE faults':
      deps.faults.clear();
      return json(200, { rules: [] });
    case 'GET stats':
      return json(200, { operations: deps.faults.stats() });
    case 'DELETE stats':
      deps.faults.resetStats();
      return json(200, { operations: {} });
    case 'POST service-credentials': {
      const input = parse(serviceCredentialsBody, body);
      const sourceAccount = input.sourceArn.split(':')[4];
      const sessionName = input.sessionName ?? input.sourceArn.slice(input.sourceArn.lastIndexOf(':') + 1).replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
      const c = deps.issuer.assumeRoleAsService(input.roleArn, input.service, { sourceAccount, sourceArn: input.sourceArn }, sessionName);
      return json(200, { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration.toISOString() });
    }
    default:
      return undefined;
  }
}
