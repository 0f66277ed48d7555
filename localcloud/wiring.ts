// ---------------------------------------------------------------------------
// Wiring one local cloud: its state store, clock, IAM and STS stores, the authenticator, the
// fault injector, the log, and the three services, each built once per instance (nothing is
// shared through module state, so two clouds in one process stay apart).
// ---------------------------------------------------------------------------
import type { Service, ServiceName } from './contracts';
import { AccountDirectory, type LocalAccount } from './core/accounts';
import { Clock } from './core/clock';
import { FaultInjector } from './core/faults';
import { RequestLog } from './core/request-log';
import { FileStateStore } from './core/state';
import { createIamService } from './iam/service';
import { IamStore } from './iam/store';
import { selectIsolation, type SandboxIsolation, type SandboxIsolationMode } from './lambda/isolation/select';
import { RuntimeCatalog } from './lambda/runtimes';
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
}

/** The parts of one running local cloud, as the request pipeline and the server use them. */
export interface Cloud {
  readonly stateDir: string;
  readonly clock: Clock;
  /** The clock's time: real time plus the test-controlled offset. */
  readonly now: () => Date;
  readonly state: FileStateStore;
  readonly iam: IamStore;
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
  const iam = new IamStore(state);
  const sessions = new SessionStore(state, now);
  const issuer = new RoleSessionIssuer(iam, sessions, now);
  const runtimes = new RuntimeCatalog(input.runtimes);
  const isolation = selectIsolation(input.sandboxIsolation, input.stateDir, probeNode(runtimes));
  const services: Record<ServiceName, Service> = {
    iam: createIamService(iam),
    sts: createStsService(issuer),
    lambda: createLambdaService({ now, host: { launcher: isolation.launcher, runtimes } }),
  };
  return {
    stateDir: input.stateDir,
    clock,
    now,
    state,
    iam,
    issuer,
    authenticator: createAuthenticator({ accounts, iam, sessions, now }),
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
