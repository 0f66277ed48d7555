/**
 * Hostile events against the connector and the vend Lambda, property-based (fast-check).
 *
 * Every event arrives the way Lambda delivers it: JSON text parsed by the runtime, so keys such as
 * `__proto__` are own keys of the event, exactly as an attacker can send them. For each family
 * of hostile input the handler must answer `{ ok: false, error: { code, message } }` with the
 * expected code, a message naming the field for validation errors, no AWS call (the SDK mocks
 * record zero commands), and Object.prototype / Array.prototype untouched afterwards.
 *
 * Cases (connector, then vend):
 *   - not an object (null, booleans, numbers, strings, arrays)
 *   - a wrong type in each field (polluted objects included)
 *   - strings out of bounds (empty, huge)
 *   - extra fields, prototype-pollution keys among them, nested too
 *   - unicode in tenant names (RTL, zero-width, emoji, NUL, lone surrogates, homoglyphs)
 *   - unicode and near-miss function names for a known tenant
 *   - payloads (connector) and events (vend) over 6 MB
 *   - deeply nested payloads and fields
 *   - and the positive neighbour: a well-formed event for a known tenant does reach AWS.
 * afterAll prints how many hostile inputs each property tried.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AssumeRoleCommand as NestedAssumeRoleCommand, STSClient as NestedSTSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { parseFunctionArn } from '../../modules/naming';
import { createConnectorHandler, type ConnectorResponse } from '../../lambda/connector/connector';
import { ScopedClientCache } from '../../lambda/connector/scoped-clients';
import { MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS, MIN_ASSUME_ROLE_DURATION_SECONDS } from '../../lambda/shared/env';
import { INVOKE_PAYLOAD_MAX_BYTES } from '../../lambda/shared/payload';
import { MAX_FUNCTIONS_PER_VEND } from '../../lambda/vend/input';
import { createVendHandler, type VendResponse } from '../../lambda/vend/vend';
import {
  ACCOUNT_A, ACCOUNT_B, ECHO_A, MASTER_CREDENTIALS, ORDERS_B, OTHER_A, PREFIX, PRIVATE_A, REGION, ROLE_A, ROLE_B,
  assumeRoleOutput, invokeOutput, lambdaContext, quietLogger, testRegistry,
} from '../support/lambda-fixtures';

// fromTemporaryCredentials (the connector) builds its STS client from nested-clients; vend uses client-sts.
const connectorSts = mockClient(NestedSTSClient);
const vendSts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);

const CONNECTOR_FIELDS = ['tenant', 'function', 'payload', 'dryRun'];
const VEND_FIELDS = ['tenant', 'functions', 'durationSeconds'];
const KNOWN_TENANTS = Object.keys(testRegistry().tenants);
/** Honest tenants: in the registry, role inside the prefix. */
const HONEST: Record<string, { roleArn: string; functions: string[] }> = {
  acme: { roleArn: ROLE_A, functions: [ECHO_A, OTHER_A] },
  globex: { roleArn: ROLE_B, functions: [ORDERS_B] },
};

// ---------------------------------------------------------------------------
// Bookkeeping: the count of inputs tried per property, the AWS calls, the prototypes
// ---------------------------------------------------------------------------

const tried = new Map<string, number>();
function count(property: string): void {
  tried.set(property, (tried.get(property) ?? 0) + 1);
}

afterAll(() => {
  const sum = (wellFormed: boolean) => [...tried].filter(([name]) => name.includes('well-formed') === wellFormed).reduce((a, [, n]) => a + n, 0);
  const lines = [...tried.entries()].map(([name, n]) => `  ${String(n).padStart(5)}  ${name}`);
  console.log(`hardening-events: ${sum(false)} hostile inputs refused before any AWS call, ${sum(true)} well-formed ones reached AWS\n${lines.join('\n')}`);
});

function awsCalls(): number {
  return connectorSts.calls().length + vendSts.calls().length + lambda.calls().length;
}

function resetAws(): void {
  for (const mock of [connectorSts, vendSts, lambda]) mock.reset();
  connectorSts.on(NestedAssumeRoleCommand).callsFake(async () => assumeRoleOutput());
  vendSts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput(15 * 60 * 1000));
  lambda.on(InvokeCommand).resolves(invokeOutput({ from: 'the function' }));
}

beforeEach(resetAws);

const CLEAN_OBJECT_PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort();
const CLEAN_ARRAY_PROTOTYPE = Object.getOwnPropertyNames(Array.prototype).sort();

function expectPrototypesClean(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(CLEAN_OBJECT_PROTOTYPE);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(CLEAN_ARRAY_PROTOTYPE);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
}

type Expected =
  | { code: 'InvalidRequest'; field: string }
  | { code: 'InvalidRequest'; unknownKeys: string[] }
  | { code: 'PayloadTooLarge' | 'UnknownTenant' | 'FunctionNotAllowed'; mentions: string[] };

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

/** What the Lambda runtime hands the handler: the invoke payload, JSON-parsed. */
function delivered(event: unknown): unknown {
  const text = JSON.stringify(event);
  return text === undefined ? undefined : JSON.parse(text);
}

/** An object with `key` as an own property, even `__proto__` (as JSON.parse makes it). */
function withOwn(base: Record<string, unknown>, entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const copy = { ...base };
  for (const [key, value] of entries) Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** `{"__proto__":{"constructor":{"prototype":{"polluted":"yes","isAdmin":true}}}}` and the like,
 *  parsed from text so every pollution key is an own key at every level. */
const pollutedObject = fc.array(fc.constantFrom(...POLLUTION_KEYS), { minLength: 1, maxLength: 5 })
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
const unicodeTenant = fc.oneof(
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
function unicodeFunctionFor(tenant: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...nearMissFunctions.filter((f) => !allowedRefs(tenant).includes(f))),
    hostileVariantOf(fc.constantFrom(...allowedRefs(tenant))),
  );
}
const unicodeFunction = fc.constantFrom(...Object.keys(HONEST)).chain((tenant) => unicodeFunctionFor(tenant).map((fn) => [fn, tenant] as const));

/** JSON values that are not of the named type (polluted objects among them). */
const notAString = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), pollutedObject);
const notABoolean = fc.oneof(fc.constantFrom('true', 'false', 'yes', '', 0, 1, null), fc.integer(), fc.array(fc.boolean(), { maxLength: 2 }), pollutedObject);
const notANumber = fc.oneof(fc.constantFrom('900', '3600', '', 'NaN', true, false, null), fc.string(), fc.array(fc.integer(), { maxLength: 2 }), pollutedObject);
const notAnArray = fc.oneof(fc.constantFrom('sidecar-echo', ECHO_A, '', '*'), fc.integer(), fc.boolean(), fc.constant(null),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), pollutedObject);

/** Events that are not objects at all. */
const notAnObject = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string(),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), fc.array(pollutedObject, { minLength: 1, maxLength: 3 }));

/** Keys a request must not carry: pollution keys, lookalikes of real fields, anything else. */
function unknownKeys(allowed: readonly string[]): fc.Arbitrary<string[]> {
  const key = fc.oneof(
    fc.constantFrom(...POLLUTION_KEYS, 'Tenant', 'TENANT', 'tenant ', 'tenant\u200b', 'fucntion', 'functions', 'function', 'payLoad', 'dry_run',
      'policy', 'roleArn', 'externalId', 'toString', 'hasOwnProperty', 'valueOf', '0', '__defineGetter__'),
    fc.string({ minLength: 1, maxLength: 24 }),
  ).filter((k) => !allowed.includes(k));
  return fc.uniqueArray(key, { minLength: 1, maxLength: 3 });
}
const hostileValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), pollutedObject);

/** Length as the request schemas count it (zod counts code points, so an emoji is one). */
function codePoints(text: string): number {
  return [...text].length;
}

/** A string of [min, max] code points, made of one repeated character. */
function longString(min: number, max: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min, max }), fc.constantFrom('a', 'é', '😀', '\u0000', '\u202e')).map(([n, ch]) => ch.repeat(n));
}

/** Payloads whose JSON is over Lambda's 6 MB: long strings, many strings, multi-byte or escaped characters. */
const oversizedPayload = fc.tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.constantFrom('string', 'multibyte', 'escaped', 'array', 'object'))
  .map(([extra, shape]) => {
    const limit = INVOKE_PAYLOAD_MAX_BYTES;
    switch (shape) {
      case 'string': return 'x'.repeat(limit + extra); // plus two quotes
      case 'multibyte': return 'é'.repeat(Math.ceil(limit / 2) + extra); // 2 bytes each: under the limit in characters, over it in bytes
      case 'escaped': return '\u0001'.repeat(Math.ceil(limit / 6) + extra); // each becomes \u0001 (6 bytes) in JSON
      case 'array': return Array.from({ length: 64 }, () => 'y'.repeat(Math.ceil(limit / 64) + extra));
      default: return Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, { nested: 'z'.repeat(Math.ceil(limit / 16) + extra) }]));
    }
  });

/** How deep, and of what: 100k-1M levels of arrays or objects, deeper than any JSON serializer's stack allows.
 *  Only the shape is generated: the value is built in the property, so that fast-check never has
 *  to print (recursively) a million levels. */
const deepShape = fc.record({ depth: fc.integer({ min: 100_000, max: 1_000_000 }), arrays: fc.boolean() });

/** The nested value, parsed from text as the Lambda runtime would (JSON.parse is not recursive). */
function deeplyNested({ depth, arrays }: { depth: number; arrays: boolean }): unknown {
  return JSON.parse(arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

// ---------------------------------------------------------------------------
// The connector
// ---------------------------------------------------------------------------

function connectorHandler() {
  return createConnectorHandler({
    registry: testRegistry(),
    rolePrefix: PREFIX,
    clients: new ScopedClientCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 100, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS }),
    logger: quietLogger(),
  });
}

/** Run the property over `arb`; each case is delivered as JSON to one handler and must be refused. */
async function connectorRefuses<T>(name: string, arb: fc.Arbitrary<T>, toCase: (value: T) => { event: unknown; expected: Expected }, numRuns: number): Promise<void> {
  const handler = connectorHandler();
  await fc.assert(fc.asyncProperty(arb, async (value) => {
    count(`connector: ${name}`);
    const { event, expected } = toCase(value);
    resetAws();
    expectRefused(await handler(delivered(event), lambdaContext()), expected);
  }), { numRuns });
}

describe('the connector refuses hostile events before any AWS call', () => {
  test('an event that is not an object is refused as the request', async () => {
    await connectorRefuses('not an object', notAnObject, (event) => ({ event, expected: { code: 'InvalidRequest', field: 'request' } }), 200);
  });

  test('a wrong type in any field is refused, naming that field', async () => {
    const wrong = fc.oneof(
      notAString.map((v) => ({ event: { tenant: v }, field: 'tenant' })),
      notAString.filter((v) => v !== undefined).map((v) => ({ event: { tenant: 'acme', function: v }, field: 'function' })),
      notABoolean.map((v) => ({ event: { tenant: 'acme', dryRun: v }, field: 'dryRun' })),
    );
    await connectorRefuses('wrong type per field', wrong, ({ event, field }) => ({ event, expected: { code: 'InvalidRequest', field } }), 300);
  });

  test('an empty or huge tenant or function string is refused, naming the field', async () => {
    const bounds = fc.oneof(
      fc.oneof(fc.constant(''), longString(65, 200_000)).map((v) => ({ event: { tenant: v }, field: 'tenant' })),
      fc.oneof(fc.constant(''), longString(171, 200_000)).map((v) => ({ event: { tenant: 'acme', function: v }, field: 'function' })),
    );
    await connectorRefuses('strings out of bounds', bounds, ({ event, field }) => ({ event, expected: { code: 'InvalidRequest', field } }), 60);
  });

  test('extra fields, prototype-pollution keys among them, are refused, naming each', async () => {
    const extra = fc.tuple(unknownKeys(CONNECTOR_FIELDS), fc.array(hostileValue, { minLength: 3, maxLength: 3 }), fc.constantFrom('acme', 'globex', 'nobody'));
    await connectorRefuses('extra fields', extra, ([keys, values, tenant]) => ({
      event: withOwn({ tenant, payload: { order: 1 } }, keys.map((k, i) => [k, values[i]] as const)),
      expected: { code: 'InvalidRequest', unknownKeys: keys },
    }), 300);
  });

  test('prototype-pollution keys parsed from JSON text, at the top and nested, leave the prototypes clean', async () => {
    // The raw text an attacker sends, parsed by the runtime: no JSON.stringify on our side first.
    const text = fc.tuple(fc.constantFrom(...POLLUTION_KEYS), pollutedObject, fc.constantFrom('acme', 'nobody'))
      .map(([key, nested, tenant]) => ({ key, text: `{"tenant":${JSON.stringify(tenant)},${JSON.stringify(key)}:${JSON.stringify(nested)}}` }));
    const handler = connectorHandler();
    await fc.assert(fc.asyncProperty(text, async ({ key, text: raw }) => {
      count('connector: pollution keys as raw JSON');
      resetAws();
      expectRefused(await handler(JSON.parse(raw), lambdaContext()), { code: 'InvalidRequest', unknownKeys: [key] });
    }), { numRuns: 100 });
  });

  test('a tenant name in hostile unicode is an unknown tenant (or too long), never a lookalike of a real one', async () => {
    await connectorRefuses('unicode tenant', fc.tuple(unicodeTenant, fc.option(fc.constant('sidecar-echo'), { nil: undefined })), ([tenant, fn]) => ({
      event: fn === undefined ? { tenant } : { tenant, function: fn },
      expected: codePoints(tenant) > 64 ? { code: 'InvalidRequest', field: 'tenant' } : { code: 'UnknownTenant', mentions: [`"${tenant}"`] },
    }), 300);
  });

  test('a function name in hostile unicode, or a near miss of an allowed one, is not allowed', async () => {
    await connectorRefuses('unicode or near-miss function', unicodeFunction, ([fn, tenant]) => ({
      event: { tenant, function: fn, payload: { order: 1 } },
      expected: codePoints(fn) > 170 ? { code: 'InvalidRequest', field: 'function' } : { code: 'FunctionNotAllowed', mentions: [`"${fn}"`] },
    }), 300);
  });

  test('a payload over 6 MB as JSON is refused as too large, for known and unknown tenants alike', async () => {
    await connectorRefuses('payload over 6 MB', fc.tuple(oversizedPayload, fc.constantFrom('acme', 'nobody')), ([payload, tenant]) => ({
      event: { tenant, payload },
      expected: { code: 'PayloadTooLarge', mentions: ['payload', String(INVOKE_PAYLOAD_MAX_BYTES)] },
    }), 10);
  });

  test('a payload nested too deeply to serialize is refused, naming the payload', async () => {
    // Parsed once here (as the runtime would) and handed over as is: JSON.stringify cannot copy it.
    const handler = connectorHandler();
    await fc.assert(fc.asyncProperty(deepShape, fc.constantFrom('acme', 'nobody'), async (shape, tenant) => {
      count('connector: deeply nested payload');
      resetAws();
      expectRefused(await handler({ tenant, payload: deeplyNested(shape) }, lambdaContext()), { code: 'InvalidRequest', field: 'payload' });
    }), { numRuns: 6 });
  });
});

describe('the connector\'s positive neighbour', () => {
  test('a well-formed event for a known tenant reaches AWS, with the payload forwarded as sent', async () => {
    const wellFormed = fc.record({
      tenant: fc.constantFrom(...Object.keys(HONEST)),
      pick: fc.nat(),
      byName: fc.boolean(),
      payload: fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }), pollutedObject), { nil: undefined }),
      dryRun: fc.option(fc.boolean(), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(wellFormed, async ({ tenant, pick, byName, payload, dryRun }) => {
      count('connector: well-formed (must reach AWS)');
      resetAws();
      const allowed = HONEST[tenant].functions;
      const target = allowed[pick % allowed.length];
      const event = delivered({ tenant, function: byName ? parseFunctionArn(target)!.functionName : target, payload, dryRun });

      const answer = await connectorHandler()(event, lambdaContext());

      expect(answer).toMatchObject({ ok: true, tenant, functionArn: target });
      expect(connectorSts.commandCalls(NestedAssumeRoleCommand)).toHaveLength(1);
      expect(connectorSts.commandCalls(NestedAssumeRoleCommand)[0].args[0].input.RoleArn).toBe(HONEST[tenant].roleArn);
      const invoke = lambda.commandCalls(InvokeCommand);
      expect(invoke).toHaveLength(1);
      expect(invoke[0].args[0].input.FunctionName).toBe(target);
      if (dryRun !== true) {
        const sent = Buffer.from(invoke[0].args[0].input.Payload as Uint8Array).toString('utf8');
        const sentPayload = (event as { payload?: unknown }).payload;
        expect(sent).toBe(sentPayload === undefined ? '{}' : JSON.stringify(sentPayload));
      }
      expectPrototypesClean();
    }), { numRuns: 60 });
  });
});

// ---------------------------------------------------------------------------
// The vend Lambda
// ---------------------------------------------------------------------------

function vendHandler() {
  return createVendHandler({ registry: testRegistry(), rolePrefix: PREFIX, sts: new STSClient({ region: REGION }), logger: quietLogger(), defaultDurationSeconds: 900 });
}

async function vendRefuses<T>(name: string, arb: fc.Arbitrary<T>, toCase: (value: T) => { event: unknown; expected: Expected }, numRuns: number): Promise<void> {
  const handler = vendHandler();
  await fc.assert(fc.asyncProperty(arb, async (value) => {
    count(`vend: ${name}`);
    const { event, expected } = toCase(value);
    resetAws();
    expectRefused(await handler(delivered(event), lambdaContext()), expected);
  }), { numRuns });
}

const validFunctionRefs = fc.array(fc.constantFrom('sidecar-echo', ECHO_A, 'sidecar-other', OTHER_A), { minLength: 1, maxLength: MAX_FUNCTIONS_PER_VEND });

describe('the vend Lambda refuses hostile events before any AWS call', () => {
  test('an event that is not an object is refused as the request', async () => {
    await vendRefuses('not an object', notAnObject, (event) => ({ event, expected: { code: 'InvalidRequest', field: 'request' } }), 200);
  });

  test('a wrong type in any field is refused, naming that field', async () => {
    const wrong = fc.oneof(
      notAString.map((v) => ({ event: { tenant: v, functions: ['sidecar-echo'] }, field: 'tenant' })),
      notAnArray.map((v) => ({ event: { tenant: 'acme', functions: v }, field: 'functions' })),
      fc.tuple(validFunctionRefs, fc.nat(), notAString).map(([fns, at, bad]) => {
        const i = at % fns.length;
        return { event: { tenant: 'acme', functions: fns.map((f, j) => (j === i ? bad : f)) }, field: `functions[${i}]` };
      }),
      notANumber.map((v) => ({ event: { tenant: 'acme', functions: ['sidecar-echo'], durationSeconds: v }, field: 'durationSeconds' })),
    );
    await vendRefuses('wrong type per field', wrong, ({ event, field }) => ({ event, expected: { code: 'InvalidRequest', field } }), 300);
  });

  test('values out of bounds (empty, huge, too many, fractional, outside STS\'s durations) are refused, naming the field', async () => {
    const bounds = fc.oneof(
      fc.oneof(fc.constant(''), longString(65, 200_000)).map((v) => ({ event: { tenant: v, functions: ['sidecar-echo'] }, field: 'tenant' })),
      fc.constant({ event: { tenant: 'acme', functions: [] }, field: 'functions' }),
      fc.array(fc.constantFrom('sidecar-echo', ECHO_A), { minLength: MAX_FUNCTIONS_PER_VEND + 1, maxLength: 200 }).map((fns) => ({ event: { tenant: 'acme', functions: fns }, field: 'functions' })),
      fc.tuple(validFunctionRefs, fc.nat(), fc.oneof(fc.constant(''), longString(171, 100_000))).map(([fns, at, bad]) => {
        const i = at % fns.length;
        return { event: { tenant: 'acme', functions: fns.map((f, j) => (j === i ? bad : f)) }, field: `functions[${i}]` };
      }),
      fc.oneof(
        fc.integer({ max: MIN_ASSUME_ROLE_DURATION_SECONDS - 1 }),
        fc.integer({ min: MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS + 1 }),
        fc.double({ min: MIN_ASSUME_ROLE_DURATION_SECONDS, max: MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS, noNaN: true }).filter((d) => !Number.isInteger(d)),
      ).map((d) => ({ event: { tenant: 'acme', functions: ['sidecar-echo'], durationSeconds: d }, field: 'durationSeconds' })),
    );
    await vendRefuses('values out of bounds', bounds, ({ event, field }) => ({ event, expected: { code: 'InvalidRequest', field } }), 200);
  });

  test('extra fields, prototype-pollution keys among them, are refused, naming each', async () => {
    const extra = fc.tuple(unknownKeys(VEND_FIELDS), fc.array(hostileValue, { minLength: 3, maxLength: 3 }), fc.constantFrom('acme', 'nobody'));
    await vendRefuses('extra fields', extra, ([keys, values, tenant]) => ({
      event: withOwn({ tenant, functions: ['sidecar-echo'] }, keys.map((k, i) => [k, values[i]] as const)),
      expected: { code: 'InvalidRequest', unknownKeys: keys },
    }), 300);
  });

  test('a tenant name in hostile unicode is an unknown tenant (or too long)', async () => {
    await vendRefuses('unicode tenant', unicodeTenant, (tenant) => ({
      event: { tenant, functions: ['sidecar-echo'] },
      expected: codePoints(tenant) > 64 ? { code: 'InvalidRequest', field: 'tenant' } : { code: 'UnknownTenant', mentions: [`"${tenant}"`] },
    }), 300);
  });

  test('hostile or near-miss function names are not allowed, even beside allowed ones, and each is named', async () => {
    const mixed = fc.tuple(fc.uniqueArray(unicodeFunctionFor('acme').filter((f) => codePoints(f) <= 170), { minLength: 1, maxLength: 4 }), fc.array(fc.constantFrom('sidecar-echo', OTHER_A), { maxLength: 3 }), fc.nat());
    await vendRefuses('unicode or near-miss functions', mixed, ([bad, good, at]) => {
      const functions = [...good];
      functions.splice(at % (good.length + 1), 0, ...bad);
      return { event: { tenant: 'acme', functions }, expected: { code: 'FunctionNotAllowed', mentions: bad.map((f) => `"${f}"`) } };
    }, 300);
  });

  test('an event over 6 MB is refused, naming the field that carries the bulk', async () => {
    const huge = fc.tuple(fc.integer({ min: INVOKE_PAYLOAD_MAX_BYTES + 1, max: INVOKE_PAYLOAD_MAX_BYTES + 64 * 1024 }), fc.constantFrom('tenant', 'functions[0]', 'payload'))
      .map(([bytes, where]) => {
        const bulk = 'x'.repeat(bytes);
        if (where === 'tenant') return { event: { tenant: bulk, functions: ['sidecar-echo'] }, expected: { code: 'InvalidRequest', field: 'tenant' } as Expected };
        if (where === 'functions[0]') return { event: { tenant: 'acme', functions: [bulk] }, expected: { code: 'InvalidRequest', field: 'functions[0]' } as Expected };
        // vend takes no payload: the bulk rides in a field it does not know.
        return { event: { tenant: 'acme', functions: ['sidecar-echo'], payload: bulk }, expected: { code: 'InvalidRequest', unknownKeys: ['payload'] } as Expected };
      });
    await vendRefuses('event over 6 MB', huge, (c) => c, 9);
  });

  test('deeply nested values in any field are refused, naming the field', async () => {
    const handler = vendHandler();
    const where = fc.constantFrom('tenant', 'functions', 'functions[0]', 'durationSeconds', 'extra');
    await fc.assert(fc.asyncProperty(deepShape, where, async (shape, field) => {
      count('vend: deeply nested values');
      resetAws();
      const deep = deeplyNested(shape);
      const base: Record<string, unknown> = { tenant: 'acme', functions: ['sidecar-echo'] };
      const event = field === 'functions[0]' ? { ...base, functions: [deep] } : field === 'extra' ? { ...base, extra: deep } : { ...base, [field]: deep };
      // A list of lists is a list: its first item is the one of the wrong type.
      const named = field === 'functions' && shape.arrays ? 'functions[0]' : field;
      const expected: Expected = field === 'extra' ? { code: 'InvalidRequest', unknownKeys: ['extra'] } : { code: 'InvalidRequest', field: named };
      expectRefused(await handler(event, lambdaContext()), expected);
    }), { numRuns: 6 });
  });
});

describe('the vend Lambda\'s positive neighbour', () => {
  test('a well-formed event for a known tenant reaches STS with its role', async () => {
    const wellFormed = fc.record({
      tenant: fc.constantFrom(...Object.keys(HONEST)),
      picks: fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: MAX_FUNCTIONS_PER_VEND }),
      durationSeconds: fc.option(fc.integer({ min: MIN_ASSUME_ROLE_DURATION_SECONDS, max: MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS }), { nil: undefined }),
    });
    const handler = vendHandler();
    await fc.assert(fc.asyncProperty(wellFormed, async ({ tenant, picks, durationSeconds }) => {
      count('vend: well-formed (must reach AWS)');
      resetAws();
      const allowed = HONEST[tenant].functions;
      const functions = picks.map(([i, byName]) => { const arn = allowed[i % allowed.length]; return byName ? parseFunctionArn(arn)!.functionName : arn; });

      const answer = await handler(delivered({ tenant, functions, durationSeconds }), lambdaContext());

      expect(answer).toMatchObject({ ok: true, tenant });
      const calls = vendSts.commandCalls(AssumeRoleCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0].args[0].input).toMatchObject({ RoleArn: HONEST[tenant].roleArn, DurationSeconds: durationSeconds ?? 900 });
      expectPrototypesClean();
    }), { numRuns: 60 });
  });
});
