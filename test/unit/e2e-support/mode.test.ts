// Whose stacks the e2e suite runs on: world.ownsStacks is true only for a local run on stacks the
// setup deployed itself; SIDECAR_E2E_STACKS names the mode, and a typo is refused, not read as "own".
import { notOwnStacks, ownsStacks, stacksMode, StacksModeError } from '../../support/e2e/mode';

describe('ownsStacks', () => {
  it('is true on the local target by default (the setup deploys its own stacks)', () => {
    expect(ownsStacks({})).toBe(true);
    expect(ownsStacks({ SIDECAR_TARGET: 'local', SIDECAR_E2E_STACKS: 'own' })).toBe(true);
  });

  it('is false with SIDECAR_E2E_STACKS=deployed (the user\'s stacks)', () => {
    expect(ownsStacks({ SIDECAR_E2E_STACKS: 'deployed' })).toBe(false);
  });

  it('is false on the aws target, whatever the mode', () => {
    expect(ownsStacks({ SIDECAR_TARGET: 'aws' })).toBe(false);
    expect(ownsStacks({ SIDECAR_TARGET: 'aws', SIDECAR_E2E_STACKS: 'deployed' })).toBe(false);
  });
});

describe('stacksMode', () => {
  it('refuses a value that names no mode, saying which ones exist', () => {
    expect(() => stacksMode({ SIDECAR_E2E_STACKS: 'deploy' })).toThrow(StacksModeError);
    expect(() => stacksMode({ SIDECAR_E2E_STACKS: 'deploy' })).toThrow(/SIDECAR_E2E_STACKS=deploy is not a mode: use "deployed"/);
  });
});

describe('notOwnStacks', () => {
  it('says what the test does and where it is skipped', () => {
    expect(notOwnStacks('injects faults')).toBe('injects faults: only on stacks this run deployed itself (skipped on the aws target and with SIDECAR_E2E_STACKS=deployed, where the stacks are the user\'s)');
  });
});
