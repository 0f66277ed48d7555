// ---------------------------------------------------------------------------
// Wiring one local cloud: its state store, clock, IAM and STS stores, the authenticator, the
// fault injector, the log, and the four services, each built once per instance (nothing is
// shared through module state, so two clouds in one process stay apart). The IAM service alone
// gets the live IAM store; STS, the authenticator and every service's authorization get
// `propagatedIam`, which lags it by the IAM propagation delay.
// ---------------------------------------------------------------------------
import type { Service, ServiceName } from './contracts';
import { AccountDirectory, type LocalAccount } from './core/accounts';
import { Clock } from './core/clock';
import { FaultInjector } from './core/faults';
import { RequestLog } from './core/request-log';
import { FileStateStore } from './core/state';
import { createDynamoDbService } from './dynamodb/service';
import { createIamService } from './iam/service';
import { selectIsolation, type SandboxIsolation, type SandboxIsolationMode } from './lambda/isolation/select';
import { RuntimeCatalog } from './lambda/runtimes';
import { IamStore, type IamView } from './iam/store';
import { createLambdaService } from './lambda/service';
import { createAuthenticator, type Authenticator } from './pipeline/authenticate';
import { RoleSessionIssuer } from './sts/assume-role';
import { createStsService } from './sts/service';
import { SessionStore } from './sts/sessions';

export interface CloudInput {
  readonly accounts: readonly LocalAccount[];
  readonly stateDir: string;
  /** @default a new Clock */
  readonly clock?: Clock;
  readonly sandboxIsolation: SandboxIsolationMode;
  readonly runtimes: Readonly<Record<string, string>>;
  /** How long an IAM change takes to reach the other services (iam/propagation.ts). @default 0 */
  readonly iamPropagationMs?: number;
}

/** The parts of one running local cloud, as the request pipeline and the server use them. */
export interface Cloud {
  readonly stateDir: string;
  readonly clock: Clock;
  /** The clock's time: real time plus the test-controlled offset. */
  readonly now: () => Date;
  readonly state: FileStateStore;
  /** IAM's live state: for IAM's own API only. */
  readonly iam: IamStore;
  /** IAM as every other service sees it now (authorization, STS, Lambda, authentication). */
  readonly propagatedIam: () => IamView;
  readonly issuer: RoleSessionIssuer;
  readonly authenticator: Authenticator;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  readonly services: Readonly<Record<ServiceName, Service>>;
  /** How Lambda's sandboxes are isolated here. */
  readonly isolation: SandboxIsolation;
  /** Stop what the services run (Lambda's sandboxes). */
  shutdown(): Promise<void>;
}

export function wireCloud(input: CloudInput): Cloud {
  const accounts = new AccountDirectory(input.accounts);
  const state = new FileStateStore(input.stateDir);
  const clock = input.clock ?? new Clock();
  const now = () => clock.now();
  const iam = new IamStore(state, { delayMs: input.iamPropagationMs ?? 0, now });
  const propagatedIam = () => iam.propagated();
  const sessions = new SessionStore(state, now);
  const runtimes = new RuntimeCatalog(input.runtimes);
  const isolation = selectIsolation(input.sandboxIsolation, input.stateDir, probeNode(runtimes));
  const issuer = new RoleSessionIssuer(propagatedIam, sessions, now);
  const services: Record<ServiceName, Service> = {
    iam: createIamService(iam),
    sts: createStsService(issuer),
    lambda: createLambdaService({ now, host: { launcher: isolation.launcher, runtimes } }),
    dynamodb: createDynamoDbService(),
  };
  return {
    stateDir: input.stateDir,
    clock,
    now,
    state,
    iam,
    propagatedIam,
    issuer,
    authenticator: createAuthenticator({ accounts, iam: propagatedIam, sessions, now }),
    faults: new FaultInjector(),
    log: new RequestLog(),
    services,
    isolation,
    async shutdown() {
      for (const s of Object.values(services)) await s.shutdown?.();
    },
  };
}

/** Probe isolation with the Node.js functions run on, where there is one. */
function probeNode(runtimes: RuntimeCatalog): string {
  try {
    return runtimes.executableFor('nodejs22.x');
  } catch {
    return process.execPath;
  }
}
