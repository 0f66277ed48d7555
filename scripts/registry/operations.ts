// ---------------------------------------------------------------------------
// What the onboarding commands do to the registry, as functions of (input, deps): the commands
// (scripts/onboard.ts, rotate.ts, offboard.ts, tenants.ts) only read their command line, build the
// deps and print. Tested with aws-sdk-client-mock (test/unit/registry/).
//
// Order of writes, and what a failure leaves behind:
//   onboard: GetItem (an existing tenant is refused before anything is written), then the external
//            ID's reservation, then the tenant item, each with attribute_not_exists. When the tenant
//            write fails after the reservation (another operator onboarded the same tenant in
//            between), the reservation STAYS: an ID burned is harmless (256 random bits; the
//            reservation names only its hash), while deleting it would need a write that can fail too.
//   rotate:  reservation of the new ID, then the tenant's next version (current -> previous)
//            conditional on the version read; a conflict leaves a burned reservation, same reason.
//   rotate --finish, offboard: the tenant's next version, conditional on the version read.
// ---------------------------------------------------------------------------
import { ACCOUNT_ID_PATTERN, FUNCTION_NAME_PATTERN, ROLE_NAME_PATTERN, functionArn, hasRolePrefix, parseFunctionArn, roleArn, tenantIdProblem } from '../../rules/naming';
import { externalIdProblem } from '../../rules/external-id';
import { newTenantRecord, nextTenantRecord, type TenantRecord } from '../../rules/registry-item';
import {
  ConfigManagedTenantError, NoRotationInProgressError, OnboardInputError, RotationInProgressError, TenantExistsError,
  TenantNotFoundError, TenantOffboardedError,
} from './errors';
import type { RegistryStore } from './store';

export interface OperationDeps {
  readonly store: RegistryStore;
  readonly now: () => Date;
  /** rules/external-id.ts generateExternalId, replaceable in tests. */
  readonly newExternalId: () => string;
}

// ---------------------------------------------------------------------------
// onboard
// ---------------------------------------------------------------------------

export interface OnboardInput {
  readonly tenantId: string;
  readonly customerAccountId: string;
  readonly roleName: string;
  readonly rolePrefix: string;
  /** Function ARNs, or names (then in `region` of the customer's account). */
  readonly functions: readonly string[];
  readonly region: string;
}

/** The function ARNs of an onboard input, each checked to be in the customer's account. */
export function onboardFunctionArns(input: OnboardInput): string[] {
  if (input.functions.length === 0) throw new OnboardInputError('at least one --function is required: the customer\'s role may invoke only the functions listed');
  const arns = input.functions.map((f) => {
    if (FUNCTION_NAME_PATTERN.test(f)) return functionArn(input.region, input.customerAccountId, f);
    const parsed = parseFunctionArn(f);
    if (!parsed) throw new OnboardInputError(`--function ${f}: neither a function name nor an unqualified function ARN (arn:aws:lambda:<region>:<account>:function:<name>)`);
    if (parsed.accountId !== input.customerAccountId) throw new OnboardInputError(`--function ${f} is in account ${parsed.accountId}, not the customer's ${input.customerAccountId}`);
    return f;
  });
  if (new Set(arns).size !== arns.length) throw new OnboardInputError('--function lists the same function twice');
  return arns;
}

/** Check an onboard input; the first problem, in words an operator can act on. */
export function checkOnboardInput(input: OnboardInput): void {
  const tenantProblem = tenantIdProblem(input.tenantId);
  if (tenantProblem) throw new OnboardInputError(`--tenant "${input.tenantId}": ${tenantProblem}`);
  if (!ACCOUNT_ID_PATTERN.test(input.customerAccountId)) throw new OnboardInputError(`--customer-account "${input.customerAccountId}" must be a 12-digit AWS account ID`);
  if (!ROLE_NAME_PATTERN.test(input.roleName)) throw new OnboardInputError(`--role-name "${input.roleName}" must be 1-64 characters of letters, digits and _+=,.@-`);
  if (!hasRolePrefix(input.roleName, input.rolePrefix)) throw new OnboardInputError(`--role-name "${input.roleName}" must start with the agreed prefix ${input.rolePrefix}: the connector may assume only those roles`);
  onboardFunctionArns(input);
}

/** Onboard a tenant: a fresh external ID reserved, then the tenant item. Returns the record written. */
export async function onboardTenant(input: OnboardInput, deps: OperationDeps): Promise<TenantRecord> {
  checkOnboardInput(input);
  const existing = await deps.store.getTenant(input.tenantId);
  if (existing) throw new TenantExistsError(input.tenantId, existing.status);
  const externalId = freshExternalId(deps);
  const now = deps.now();
  const record = newTenantRecord({
    tenantId: input.tenantId,
    roleArn: roleArn(input.customerAccountId, input.roleName),
    externalId,
    functionArns: onboardFunctionArns(input),
  }, now, 'commands');
  await deps.store.reserveExternalId(externalId, input.tenantId, now);
  await deps.store.createTenant(record);
  return record;
}

// ---------------------------------------------------------------------------
// rotate, finish, offboard
// ---------------------------------------------------------------------------

async function writableTenant(tenantId: string, deps: OperationDeps): Promise<TenantRecord> {
  const current = await deps.store.getTenant(tenantId);
  if (!current) throw new TenantNotFoundError(tenantId, `the registry table ${deps.store.table}`);
  if (current.managedBy === 'config') throw new ConfigManagedTenantError(tenantId);
  return current;
}

/** Start a rotation: a new external ID reserved; the current one becomes previousExternalId. */
export async function rotateExternalId(tenantId: string, deps: OperationDeps): Promise<TenantRecord> {
  const current = await writableTenant(tenantId, deps);
  if (current.status !== 'active') throw new TenantOffboardedError(tenantId);
  if (current.previousExternalId !== undefined) throw new RotationInProgressError(tenantId);
  const externalId = freshExternalId(deps);
  const now = deps.now();
  const next = nextTenantRecord(current, { externalId, previousExternalId: current.externalId }, now);
  await deps.store.reserveExternalId(externalId, tenantId, now);
  await deps.store.replaceTenant(next, current.version);
  return next;
}

/** Finish a rotation: previousExternalId dropped (the customer's trust no longer needs it). */
export async function finishRotation(tenantId: string, deps: OperationDeps): Promise<TenantRecord> {
  const current = await writableTenant(tenantId, deps);
  if (current.previousExternalId === undefined) throw new NoRotationInProgressError(tenantId);
  const next = nextTenantRecord(current, { previousExternalId: undefined }, deps.now());
  await deps.store.replaceTenant(next, current.version);
  return next;
}

/** Offboard: status offboarded (kept, never deleted, so the tenant ID and its IDs are never reused).
 *  Already offboarded: nothing written; `changed` says which. */
export async function offboardTenant(tenantId: string, deps: OperationDeps): Promise<{ record: TenantRecord; changed: boolean }> {
  const current = await writableTenant(tenantId, deps);
  if (current.status === 'offboarded') return { record: current, changed: false };
  const next = nextTenantRecord(current, { status: 'offboarded' }, deps.now());
  await deps.store.replaceTenant(next, current.version);
  return { record: next, changed: true };
}

// ---------------------------------------------------------------------------
// tenants
// ---------------------------------------------------------------------------

export interface TenantRow {
  readonly tenantId: string;
  readonly status: string;
  readonly roleArn: string;
  readonly functions: number;
  readonly rotating: boolean;
  readonly managedBy: string;
  readonly updatedAt: string;
  readonly externalId?: string;
  readonly previousExternalId?: string;
}

/** The tenants as rows; external IDs only when asked for. */
export async function listTenants(deps: Pick<OperationDeps, 'store'>, options: { showExternalIds?: boolean } = {}): Promise<TenantRow[]> {
  return (await deps.store.scanTenants()).map((t) => ({
    tenantId: t.tenantId,
    status: t.status,
    roleArn: t.roleArn,
    functions: t.functionArns.length,
    rotating: t.previousExternalId !== undefined,
    managedBy: t.managedBy ?? 'commands',
    updatedAt: t.updatedAt,
    ...(options.showExternalIds ? { externalId: t.externalId, ...(t.previousExternalId !== undefined ? { previousExternalId: t.previousExternalId } : {}) } : {}),
  }));
}

// ---------------------------------------------------------------------------

function freshExternalId(deps: OperationDeps): string {
  const id = deps.newExternalId();
  const problem = externalIdProblem(id);
  if (problem) throw new Error(`generated external ID ${problem}; this is a bug in rules/external-id.ts`);
  return id;
}
