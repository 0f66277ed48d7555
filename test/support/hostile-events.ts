// ---------------------------------------------------------------------------
// What the hostile-event suites of the connector and the vend Lambda share: the AWS mocks and
// the count of hostile inputs each property tried (printed after the suite), the expected shape
// of a refusal (the code, the field named, no AWS call, clean prototypes), how the Lambda
// runtime delivers an event (JSON-parsed), and the fast-check arbitraries of hostile input.
// ---------------------------------------------------------------------------
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { parseFunctionArn } from '../../rules/naming';
import type { ConnectorResponse } from '../../lambda/connector/types';
import type { VendResponse } from '../../lambda/vend/vend';
import {
  ACCOUNT_A, ACCOUNT_B, ECHO_A, ORDERS_B, OTHER_A, PRIVATE_A, REGION, ROLE_A, ROLE_B, assumeRoleOutput, invokeOutput, lambdaContext, testRegistry,
} from './lambda-fixtures';

const KNOWN_TENANTS = Object.keys(testRegistry().tenants);
/** Honest tenants: in the registry, role inside the prefix. */
export const HONEST: Record<string, { roleArn: string; functions: string[] }> = {
  acme: { roleArn: ROLE_A, functions: [ECHO_A, OTHER_A] },
  globex: { roleArn: ROLE_B, functions: [ORDERS_B] },
};

// ---------------------------------------------------------------------------
// Bookkeeping: the count of inputs tried per property, the AWS calls, the prototypes
// ---------------------------------------------------------------------------

const CLEAN_OBJECT_PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort();
const CLEAN_ARRAY_PROTOTYPE = Object.getOwnPropertyNames(Array.prototype).sort();

export function expectPrototypesClean(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(CLEAN_OBJECT_PROTOTYPE);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(CLEAN_ARRAY_PROTOTYPE);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
}

export type Expected =
  | { code: 'InvalidRequest'; field: string }
  | { code: 'InvalidRequest'; unknownKeys: string[] }
  | { code: 'PayloadTooLarge' | 'UnknownTenant' | 'FunctionNotAllowed' | 'CallerNotAllowed'; mentions: string[] };

/** A handler under attack: the connector's or vend's, as their factories build them. */
export type HostileTarget = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<ConnectorResponse | VendResponse>;

/**
 * The AWS mocks of a hostile-event suite (reset before each test), and its bookkeeping: how many
 * inputs each property tried, printed after the suite as `<suite>: N hostile inputs refused...`.
 * Call once, at the top of the suite's file.
 */
export function hostileEventHarness(suite: string) {
  // The connector and vend both call STS through @aws-sdk/client-sts: one mock serves both.
  const sts = mockClient(STSClient);
  const connectorSts = sts;
  const vendSts = sts;
  const lambda = mockClient(LambdaClient);

  const tried = new Map<string, number>();
  function count(property: string): void {
    tried.set(property, (tried.get(property) ?? 0) + 1);
  }

  afterAll(() => {
    const sum = (wellFormed: boolean) => [...tried].filter(([name]) => name.includes('well-formed') === wellFormed).reduce((a, [, n]) => a + n, 0);
    const lines = [...tried.entries()].map(([name, n]) => `  ${String(n).padStart(5)}  ${name}`);
    console.log(`${suite}: ${sum(false)} hostile inputs refused before any AWS call, ${sum(true)} well-formed ones reached AWS\n${lines.join('\n')}`);
  });

  function awsCalls(): number {
    return sts.calls().length + lambda.calls().length;
  }

  function resetAws(): void {
    for (const mock of [sts, lambda]) mock.reset();
    sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput(15 * 60 * 1000));
    lambda.on(InvokeCommand).resolves(invokeOutput({ from: 'the function' }));
  }

  beforeEach(resetAws);

  /** The refusal shape, the field named, no AWS call, clean prototypes. */
  function expectRefused(answer: ConnectorResponse | VendResponse, expected: Expected): void {
    expect(answer).toEqual({ ok: false, error: { code: expected.code, message: expect.any(String) } });
    const { message } = (answer as { error: { message: string } }).error;
    if ('field' in expected) {
      const prefix = `Invalid request: ${expected.field}: `;
      expect(message.slice(0, prefix.length)).toBe(prefix);
    }
    if ('unknownKeys' in expected) {
      expect(message).toMatch(/^Invalid request: .*: unknown field: the request takes only /s);
      for (const key of expected.unknownKeys) expect(message).toContain(key);
    }
    if ('mentions' in expected) for (const text of expected.mentions) expect(message).toContain(text);
    expect(awsCalls()).toBe(0);
    expectPrototypesClean();
  }

  /** Run the property over `arb`; each case is delivered as JSON to one handler and must be refused. */
  async function refusesAll<T>(handler: HostileTarget, property: string, arb: fc.Arbitrary<T>, toCase: (value: T) => { event: unknown; expected: Expected }, numRuns: number): Promise<void> {
    await fc.assert(fc.asyncProperty(arb, async (value) => {
      count(property);
      const { event, expected } = toCase(value);
      resetAws();
      expectRefused(await handler(delivered(event), lambdaContext()), expected);
    }), { numRuns });
  }

  return { connectorSts, vendSts, lambda, count, resetAws, expectRefused, refusesAll };
}

/** What the Lambda runtime hands the handler: the invoke payload, JSON-parsed. */
export function delivered(event: unknown): unknown {
  const text = JSON.stringify(event);
  return text === undefined ? undefined : JSON.parse(text);
}

/** An object with `key` as an own property, even `__proto__` (as JSON.parse makes it). */
export function withOwn(base: Record<string, unknown>, entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const copy = { ...base };
  for (const [key, value] of entries) Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** `{"__proto__":{"constructor":{"prototype":{"polluted":"yes","isAdmin":true}}}}` and the like,
 *  parsed from text so every pollution key is an own key at every level. */
export const pollutedObject = fc.array(fc.constantFrom(...POLLUTION_KEYS), { minLength: 1, maxLength: 5 })
  .map((path) => JSON.parse(path.reduceRight((inner, key) => `{${JSON.stringify(key)}:${inner}}`, '{"polluted":"yes","isAdmin":true}')) as Record<string, unknown>);

/** Characters that make a name look like another, hide in it, or break naive handling. */
const HOSTILE_CHARS = [
  '\u0000', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', // NUL and zero-width
  '\u202e', '\u202d', '\u200f', '\u061c', // RTL / LTR overrides and marks
  '\u0301', '😀', '👩‍💻', '🏳️‍🌈', // combining mark, emoji (surrogate pairs, ZWJ sequences)
  '\ud800', '\udfff', // lone surrogates: JSON carries them
  'а', 'ａ', 'ı', 'Ａ', // homoglyphs: Cyrillic a, fullwidth a, dotless i, fullwidth A
  '\n', '\t', ' ', '%00', '../', '*', '?', '"', '\\',
];

/** `base` with 1-4 hostile characters inserted (so never equal to `base`). */
function hostileVariantOf(bases: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(bases, fc.array(fc.tuple(fc.constantFrom(...HOSTILE_CHARS), fc.nat()), { minLength: 1, maxLength: 4 }))
    .map(([base, inserts]) => inserts.reduce((s, [ch, at]) => { const i = at % (s.length + 1); return s.slice(0, i) + ch + s.slice(i); }, base));
}

/** Tenant IDs in unicode: hostile variants of real ones, and strings made only of hostile characters. */
export const unicodeTenant = fc.oneof(
  hostileVariantOf(fc.constantFrom(...KNOWN_TENANTS)),
  fc.string({ unit: fc.constantFrom(...HOSTILE_CHARS), minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
).filter((t) => !KNOWN_TENANTS.includes(t));

/** Function references that are almost one a tenant may call, and are not (filtered per tenant below). */
const nearMissFunctions = [
  `${ECHO_A}:prod`, `${ECHO_A}:$LATEST`, `${ECHO_A}:1`, ECHO_A.toUpperCase(), ECHO_A.replace(REGION, 'us-west-2'),
  ECHO_A.replace(ACCOUNT_A, ACCOUNT_B), PRIVATE_A, ORDERS_B, ECHO_A, 'sidecar-echo', 'sidecar-orders', 'sidecar-private', 'SIDECAR-ECHO',
  'sidecar-echo ', ' sidecar-echo', 'sidecar-echo/', '../sidecar-echo', 'sidecar-*', '*', `arn:aws:lambda:${REGION}:${ACCOUNT_A}:function:*`,
  `${ACCOUNT_A}:function:sidecar-echo`, 'function:sidecar-echo', 'arn:aws:lambda:::function:sidecar-echo',
  `arn:aws-cn:lambda:${REGION}:${ACCOUNT_A}:function:sidecar-echo`, `${ORDERS_B}:live`,
];

/** Everything a tenant may name: its function ARNs and their bare names. */
function allowedRefs(tenant: string): string[] {
  return HONEST[tenant].functions.flatMap((arn) => [arn, parseFunctionArn(arn)!.functionName]);
}

/** A function reference `tenant` may not use: a near miss, or one of its own in hostile unicode. */
export function unicodeFunctionFor(tenant: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...nearMissFunctions.filter((f) => !allowedRefs(tenant).includes(f))),
    hostileVariantOf(fc.constantFrom(...allowedRefs(tenant))),
  );
}
export const unicodeFunction = fc.constantFrom(...Object.keys(HONEST)).chain((tenant) => unicodeFunctionFor(tenant).map((fn) => [fn, tenant] as const));

/** JSON values that are not a string (polluted objects among them). */
export const notAString = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), pollutedObject);
/** Events that are not objects at all. */
export const notAnObject = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), fc.array(pollutedObject, { minLength: 1, maxLength: 3 }));

/** Keys a request must not carry: pollution keys, lookalikes of real fields, anything else. */
export function unknownKeys(allowed: readonly string[]): fc.Arbitrary<string[]> {
  const key = fc.oneof(
    fc.constantFrom(...POLLUTION_KEYS, 'Tenant', 'TENANT', 'tenant ', 'tenant\u200b', 'fucntion', 'functions', 'function', 'payLoad', 'dry_run',
      'policy', 'roleArn', 'externalId', 'toString', 'hasOwnProperty', 'valueOf', '0', '__defineGetter__'),
    fc.string({ minLength: 1, maxLength: 24 }),
  ).filter((k) => !allowed.includes(k));
  return fc.uniqueArray(key, { minLength: 1, maxLength: 3 });
}
export const hostileValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), pollutedObject);

/** Length as the request schemas count it (zod counts code points, so an emoji is one). */
export function codePoints(text: string): number {
  return [...text].length;
}

/** A string of [min, max] code points, made of one repeated character. */
export function longString(min: number, max: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min, max }), fc.constantFrom('a', 'é', '😀', '\u0000', '\u202e')).map(([n, ch]) => ch.repeat(n));
}

/** How deep, and of what: 100k-1M levels of arrays or objects, deeper than any JSON serializer's stack allows.
 *  Only the shape is generated: the value is built in the property, so that fast-check never has
 *  to print (recursively) a million levels. */
export const deepShape = fc.record({ depth: fc.integer({ min: 100_000, max: 1_000_000 }), arrays: fc.boolean() });

/** The nested value, parsed from text as the Lambda runtime would (JSON.parse is not recursive). */
export function deeplyNested({ depth, arrays }: { depth: number; arrays: boolean }): unknown {
  return JSON.parse(arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}
