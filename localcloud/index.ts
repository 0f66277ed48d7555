// ---------------------------------------------------------------------------
// The local cloud's public API: start and stop it, the options and accounts it takes, the
// environment its process entry reads, and wiping its state. README.md beside this file
// describes it. Everything else under localcloud/ is internal.
// ---------------------------------------------------------------------------
export { startLocalCloud } from './server';
export { DEFAULT_PORT, LocalCloudOptionsError, PortInUseError, parseAccounts, type LocalCloud, type LocalCloudOptions } from './options';
export type { LocalAccount } from './core/accounts';
export { Clock } from './core/clock';
export { StateFileError, wipeState } from './core/state';
export { accountConcurrencyFromEnv, accountsFromFile, bodyTimeoutFromEnv, iamPropagationFromEnv, isolationFromEnv, optionsFromEnv, portFromEnv, runtimesFromEnv } from './env';
export { SandboxIsolationUnavailableError, type SandboxIsolationMode } from './lambda/isolation/select';
export { RuntimeUnavailableError } from './lambda/runtimes';
export { DEFAULT_ACCOUNT_CONCURRENCY } from './lambda/concurrency';
