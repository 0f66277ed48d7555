/**
 * Hostile events against the connector, property-based (fast-check).
 *
 * Every event arrives the way Lambda delivers it: JSON text parsed by the runtime, so keys such as
 * `__proto__` are own keys of the event, exactly as an attacker can send them. For each family
 * of hostile input the handler must answer `{ ok: false, error: { code, message } }` with the
 * expected code, a message naming the field for validation errors, no AWS call (the SDK mocks
 * record zero commands), and Object.prototype / Array.prototype untouched afterwards.
 *
 * Cases:
 *   - not an object (null, booleans, numbers, strings, arrays)
 *   - a wrong type in each field (polluted objects included)
 *   - strings out of bounds (empty, huge)
 *   - extra fields, prototype-pollution keys among them, nested too
 *   - unicode in tenant names (RTL, zero-width, emoji, NUL, lone surrogates, homoglyphs)
 *   - unicode and near-miss function names for a known tenant
 *   - payloads over 6 MB
 *   - deeply nested payloads
 *   - and the positive neighbour: a well-formed event for a known tenant does reach AWS.
 * afterAll prints how many hostile inputs each property tried.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand as NestedAssumeRoleCommand } from '@aws-sdk/client-sts';
import fc from 'fast-check';
import { parseFunctionArn } from '../../../rules/naming';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import { ScopedClientCache } from '../../../lambda/connector/scoped-clients';
import { INVOKE_PAYLOAD_MAX_BYTES } from '../../../lambda/shared/payload';
import {
  HONEST, POLLUTION_KEYS, codePoints, deepShape, deeplyNested, delivered, expectPrototypesClean, hostileEventHarness, hostileValue, longString,
  notAString, notAnObject, pollutedObject, unicodeFunction, unicodeTenant, unknownKeys, withOwn, type Expected,
} from '../../support/hostile-events';
import { MASTER_CREDENTIALS, PREFIX, REGION, lambdaContext, quietLogger, testTenants } from '../../support/lambda-fixtures';

const { connectorSts, lambda, count, resetAws, expectRefused, refusesAll } = hostileEventHarness('hostile connector events');

const CONNECTOR_FIELDS = ['tenant', 'function', 'payload', 'dryRun'];

/** JSON values that are not a boolean (polluted objects among them). */
const notABoolean = fc.oneof(fc.constantFrom('true', 'false', 'yes', '', 0, 1, null), fc.integer(), fc.array(fc.boolean(), { maxLength: 2 }), pollutedObject);

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

// ---------------------------------------------------------------------------
// The connector
// ---------------------------------------------------------------------------

function connectorHandler() {
  return createConnectorHandler({
    registry: testTenants(),
    rolePrefix: PREFIX,
    clients: new ScopedClientCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 100, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS }),
    logger: quietLogger(),
  });
}

/** Run the property over `arb` against one connector; every case must be refused. */
function connectorRefuses<T>(name: string, arb: fc.Arbitrary<T>, toCase: (value: T) => { event: unknown; expected: Expected }, numRuns: number): Promise<void> {
  return refusesAll(connectorHandler(), `connector: ${name}`, arb, toCase, numRuns);
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
