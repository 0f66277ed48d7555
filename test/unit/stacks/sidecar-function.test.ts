// ---------------------------------------------------------------------------
// SidecarFunction's guards: names, timeout and memory outside Lambda's and IAM's rules, and inline
// policies that would replace the logs policy or that IAM would refuse.
// ---------------------------------------------------------------------------
import { Testing, TerraformStack } from 'cdktf';
import { LambdaBundle } from '../../../modules/bundle';
import { lambdaServiceTrustPolicy } from '../../../rules/policies';
import { SidecarFunction } from '../../../modules/sidecar-function';
import { localConfig } from '../../support/synth';

const vendorAccount = localConfig().vendor.accountId;

// ---------------------------------------------------------------------------
// Guards: each refusal of the construct
// ---------------------------------------------------------------------------

describe('guards', () => {
  const app = () => Testing.app();

  describe('SidecarFunction', () => {
    const bundleIn = (s: TerraformStack) => new LambdaBundle(s, 'bundle', { entry: 'lambda/sample/handler.ts' });
    const make = (overrides: Record<string, unknown>) => {
      const s = new TerraformStack(app(), 'test');
      return new SidecarFunction(s, 'fn', { functionName: 'fn', roleName: 'fn-exec', accountId: vendorAccount, region: 'us-east-1', bundle: bundleIn(s), ...overrides });
    };

    test('a function name outside Lambda\'s rule is refused', () => {
      expect(() => make({ functionName: 'has space' })).toThrow('functionName "has space" must be 1-64 characters');
    });

    test('a role name with a character IAM refuses is refused', () => {
      expect(() => make({ roleName: 'role/with/slash' })).toThrow('roleName "role/with/slash" may contain only letters, digits and _+=,.@-');
    });

    test('a timeout above 900 seconds is refused', () => {
      expect(() => make({ timeoutSeconds: 901 })).toThrow('timeoutSeconds must be a whole number 1-900 (got 901)');
    });

    test('memory below 128 MB is refused', () => {
      expect(() => make({ memorySize: 64 })).toThrow('memorySize must be a whole number of MB 128-10240 (got 64)');
    });

    test('an inline policy that would replace the logs policy is refused', () => {
      expect(() => make({ inlinePolicies: { 'write-own-logs': lambdaServiceTrustPolicy(vendorAccount) } })).toThrow('"write-own-logs" is reserved');
    });

    test('an inline policy name IAM refuses is refused', () => {
      expect(() => make({ inlinePolicies: { 'bad name': lambdaServiceTrustPolicy(vendorAccount) } })).toThrow('inline policy name "bad name" must be 1-128 characters');
    });
  });
});
