// ---------------------------------------------------------------------------
// The customer's sample function: echoes the event with whose function ran (account, name,
// ARN, region) and who called it (clientContext, identity), plus whether this sandbox is warm,
// so that a test can see both sides of the cross-account call.
//
// Test hooks, harmless by design (they only affect this call's answer and duration), used by
// the hardening tests to provoke the failures the connector must map:
//   {"sidecarTest": {"throw": "msg"}}       throw Error("msg")      -> a function error
//   {"sidecarTest": {"sleepMs": N}}         wait N ms first         -> the function's own timeout
//   {"sidecarTest": {"responseBytes": N}}   add an N-byte string    -> a response over 6 MB
//
// Each invocation logs one line with a fingerprint of its event (a SHA-256, never the content:
// a customer's payload may be private), so a soak can count how often each payload ran.
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The fingerprint an invocation logs: SHA-256 hex of the event as JSON. */
export function eventFingerprint(event: unknown): string {
  return createHash('sha256').update(JSON.stringify(event) ?? 'undefined').digest('hex');
}

/** Bounds on the hooks: at most Lambda's 15-minute timeout, at most 16 MB of filler. */
const MAX_SLEEP_MS = 15 * 60 * 1000;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

let invocations = 0;

export interface SampleEcho {
  readonly echo: unknown;
  readonly account: string | null;
  readonly functionName: string;
  readonly functionArn: string;
  readonly requestId: string;
  readonly region: string | null;
  readonly caller: { readonly clientContext: unknown; readonly identity: unknown };
  readonly coldStart: boolean;
  readonly invocationsInThisSandbox: number;
  /** Only with the responseBytes hook. */
  readonly filler?: string;
}

interface TestHooks {
  throw?: string;
  sleepMs?: number;
  responseBytes?: number;
}

function testHooks(event: unknown): TestHooks {
  if (typeof event !== 'object' || event === null || !('sidecarTest' in event)) return {};
  const hooks = (event as { sidecarTest: unknown }).sidecarTest;
  if (typeof hooks !== 'object' || hooks === null) return {};
  const h = hooks as Record<string, unknown>;
  const bounded = (v: unknown, max: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(Math.floor(v), max) : undefined);
  return {
    throw: typeof h.throw === 'string' ? h.throw : undefined,
    sleepMs: bounded(h.sleepMs, MAX_SLEEP_MS),
    responseBytes: bounded(h.responseBytes, MAX_RESPONSE_BYTES),
  };
}

/** arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
function arnParts(arn: string): { region: string | null; account: string | null } {
  const parts = arn.split(':');
  return parts.length >= 7 && parts[2] === 'lambda' ? { region: parts[3] || null, account: parts[4] || null } : { region: null, account: null };
}

export const handler = async (event: unknown, context: Context): Promise<SampleEcho> => {
  invocations += 1;
  console.log(JSON.stringify({ message: 'invoked', requestId: context.awsRequestId, eventSha256: eventFingerprint(event) }));
  const hooks = testHooks(event);
  if (hooks.sleepMs) await new Promise((resolve) => setTimeout(resolve, hooks.sleepMs));
  if (hooks.throw !== undefined) throw new Error(hooks.throw);
  const { region, account } = arnParts(context.invokedFunctionArn);
  return {
    echo: event,
    account,
    functionName: context.functionName,
    functionArn: context.invokedFunctionArn,
    requestId: context.awsRequestId,
    region: region ?? process.env.AWS_REGION ?? null,
    caller: { clientContext: context.clientContext ?? null, identity: context.identity ?? null },
    coldStart: invocations === 1,
    invocationsInThisSandbox: invocations,
    ...(hooks.responseBytes ? { filler: 'x'.repeat(hooks.responseBytes) } : {}),
  };
};
