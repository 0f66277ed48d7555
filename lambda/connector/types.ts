// ---------------------------------------------------------------------------
// The connector's types: what it is built with, the target a request resolves to, and its answer.
// ---------------------------------------------------------------------------
import type { TenantRegistryEntry } from '../../rules/tenant-registry';
import type { ExternalIdUsed } from '../shared/assume-role-input';
import type { FailureResponse } from '../shared/errors';
import type { ShardEnv } from '../shared/env';
import type { Logger } from '../shared/logger';
import type { ConnectorMetrics } from '../shared/metrics';
import type { TenantSource } from '../shared/registry-reader';
import type { ScopedClientCache } from './scoped-clients';

export interface ConnectorDeps {
  /** The tenant registry, read at run time (lambda/shared/registry-reader.ts). */
  readonly registry: TenantSource;
  /** The agreed role-name prefix (SIDECAR_ROLE_PREFIX). */
  readonly rolePrefix: string;
  readonly clients: ScopedClientCache;
  readonly logger: Logger;
  /** EMF metrics (lambda/shared/metrics.ts), published once per request. @default none */
  readonly metrics?: ConnectorMetrics;
  /** The most one tenant's call may take (SIDECAR_TENANT_TIME_BUDGET_MS), below the Lambda's own
   *  time budget; past it the call ends with TimedOut naming the tenant. @default no limit of its own */
  readonly tenantTimeBudgetMs?: number;
  /** Which connector shard this is (SIDECAR_SHARD_*): a tenant of another shard is refused with
   *  WrongShard before any registry or AWS call. @default unsharded: every tenant */
  readonly shard?: ShardEnv;
}

/** The tenant and the one function a request may reach, checked against the registry. */
export interface ConnectorTarget {
  readonly tenant: TenantRegistryEntry;
  readonly functionArn: string;
}

export interface ConnectorTimings {
  readonly totalMs: number;
  readonly assumeRoleMs: number;
  readonly invokeMs: number;
  /** true when this call used credentials already held (no AssumeRole ran or was awaited). */
  readonly credentialsCached: boolean;
  /** true when AWS refused the held session and the call assumed the role again and retried once. */
  readonly sessionRefreshed: boolean;
  /** Which of the tenant's external IDs got the credentials ('previous': a rotation the customer's
   *  trust has not caught up with; it is in the request's log line). Never the ID itself. */
  readonly externalIdUsed: ExternalIdUsed;
}

export interface ConnectorSuccess {
  readonly ok: true;
  readonly tenant: string;
  readonly functionArn: string;
  readonly statusCode: number;
  readonly executedVersion: string | null;
  /** The function's answer, parsed from JSON (the raw text if it is not JSON); null for a DryRun. */
  readonly payload: unknown;
  /** true when the function was not run: only the permission and its existence were checked. */
  readonly dryRun: boolean;
  readonly timings: ConnectorTimings;
}

/** What the connector Lambda answers: its success, or a typed failure. */
export type ConnectorResponse = ConnectorSuccess | FailureResponse;
