/**
 * Hostile events against the vend Lambda, property-based (fast-check).
 *
 * Every event arrives the way Lambda delivers it: JSON text parsed by the runtime, so keys such as
 * `__proto__` are own keys of the event, exactly as an attacker can send them. For each family
 * of hostile input the handler must answer `{ ok: false, error: { code, message } }` with the
 * expected code, a message naming the field for validation errors, no AWS call (the SDK mocks
 * record zero commands), and Object.prototype / Array.prototype untouched afterwards.
 *
 * Cases:
 *   - not an object (null, booleans, numbers, strings, arrays)
 *   - a wrong type in each field and in each item of functions (polluted objects included)
 *   - values out of bounds (empty, huge, too many functions, fractional or out-of-range durations)
 *   - extra fields, prototype-pollution keys among them, nested too
 *   - unicode in tenant names (RTL, zero-width, emoji, NUL, lone surrogates, homoglyphs)
 *   - unicode and near-miss function names, even beside allowed ones
 *   - events over 6 MB
 *   - deeply nested values in any field
 *   - and the positive neighbour: a well-formed event for a known tenant does reach STS.
 * afterAll prints how many hostile inputs each property tried.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import fc from 'fast-check';
import { parseFunctionArn } from '../../../rules/naming';
import { MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS, MIN_ASSUME_ROLE_DURATION_SECONDS } from '../../../lambda/shared/env';
import { INVOKE_PAYLOAD_MAX_BYTES } from '../../../lambda/shared/payload';
import { MAX_FUNCTIONS_PER_VEND } from '../../../lambda/vend/input';
import { createVendHandler } from '../../../lambda/vend/vend';
import {
  HONEST, codePoints, deepShape, deeplyNested, delivered, expectPrototypesClean, hostileEventHarness, hostileValue, longString, notAString,
  notAnObject, pollutedObject, unicodeFunctionFor, unicodeTenant, unknownKeys, withOwn, type Expected,
} from '../../support/hostile-events';
import { ECHO_A, OTHER_A, PREFIX, REGION, lambdaContext, quietLogger, testTenants, testCallerDeps, withCallerProof } from '../../support/lambda-fixtures';

const { vendSts, count, resetAws, expectRefused, refusesAll } = hostileEventHarness('hostile vend events');

const VEND_FIELDS = ['tenant', 'functions', 'durationSeconds'];

/** JSON values that are not a number, or not an array (polluted objects among them). */
const notANumber = fc.oneof(fc.constantFrom('900', '3600', '', 'NaN', true, false, null), fc.string(), fc.array(fc.integer(), { maxLength: 2 }), pollutedObject);
const notAnArray = fc.oneof(fc.constantFrom('sidecar-echo', ECHO_A, '', '*'), fc.integer(), fc.boolean(), fc.constant(null),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), pollutedObject);

// ---------------------------------------------------------------------------
// The vend Lambda
// ---------------------------------------------------------------------------

function vendHandler() {
  return withCallerProof(createVendHandler({ registry: testTenants(), callers: testCallerDeps(), rolePrefix: PREFIX, sts: new STSClient({ region: REGION }), logger: quietLogger(), defaultDurationSeconds: 900 }));
}

/** Run the property over `arb` against one vend handler; every case must be refused. */
function vendRefuses<T>(name: string, arb: fc.Arbitrary<T>, toCase: (value: T) => { event: unknown; expected: Expected }, numRuns: number): Promise<void> {
  return refusesAll(vendHandler(), `vend: ${name}`, arb, toCase, numRuns);
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

  test('a tenant name in hostile unicode is not the caller\'s to ask for (or too long)', async () => {
    await vendRefuses('unicode tenant', unicodeTenant, (tenant) => ({
      event: { tenant, functions: ['sidecar-echo'] },
      expected: codePoints(tenant) > 64 ? { code: 'InvalidRequest', field: 'tenant' } : { code: 'CallerNotAllowed', mentions: [`"${tenant}"`] },
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
