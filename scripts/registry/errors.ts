// ---------------------------------------------------------------------------
// The onboarding commands' errors (onboard, rotate, offboard, tenants, kit): each has a code, says
// what happened in the operator's terms, and what to do next. The commands print the message and
// exit 1; a usage error (scripts/lib/cli.ts) exits 2. No message carries an external ID.
// ---------------------------------------------------------------------------

export type RegistryErrorCode =
  | 'TenantExists' | 'TenantNotFound' | 'ExternalIdTaken' | 'VersionConflict' | 'ConfigManagedTenant'
  | 'RotationInProgress' | 'NoRotationInProgress' | 'TenantOffboarded' | 'RegistryTableNotFound'
  | 'RegistryUnavailable' | 'OnboardInput';

/** Base of every error below. */
export class RegistryCommandError extends Error {
  constructor(readonly code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryCommandError';
  }
}

/** onboard: the tenant item exists already (any status: an ID is never re-used, nor a tenant ID). */
export class TenantExistsError extends RegistryCommandError {
  constructor(readonly tenantId: string, readonly status: string | undefined) {
    super('TenantExists', `tenant ${tenantId} already exists${status ? ` (status ${status})` : ''}; nothing was written for it. Pick another tenant ID, or use npm run rotate -- --tenant ${tenantId} to give it a new external ID`);
    this.name = 'TenantExistsError';
  }
}

/** rotate, offboard, kit: no tenant item. */
export class TenantNotFoundError extends RegistryCommandError {
  /** `where`: e.g. `the registry table sidecar-tenants`, or `the tenants of config/local.json`. */
  constructor(readonly tenantId: string, where: string) {
    super('TenantNotFound', `tenant ${tenantId} is not in ${where}; list the tenants with npm run tenants, or onboard it with npm run onboard`);
    this.name = 'TenantNotFoundError';
  }
}

/** onboard, rotate: the new external ID's reservation exists (a reused ID: never expected with 256 random bits). */
export class ExternalIdTakenError extends RegistryCommandError {
  constructor(readonly tenantId: string) {
    super('ExternalIdTaken', `the external ID generated for tenant ${tenantId} is already reserved (an ID is never used twice); nothing was written for the tenant. Run the command again for a fresh ID`);
    this.name = 'ExternalIdTakenError';
  }
}

/** rotate, offboard: the tenant changed between our read and our write (another operator). */
export class VersionConflictError extends RegistryCommandError {
  constructor(readonly tenantId: string, readonly expectedVersion: number) {
    super('VersionConflict', `tenant ${tenantId} changed while this command ran (it expected version ${expectedVersion}); nothing was changed. Check it with npm run tenants and run the command again`);
    this.name = 'VersionConflictError';
  }
}

/** rotate, offboard: the tenant is written by the vendor stack from config; a run-time write would be undone. */
export class ConfigManagedTenantError extends RegistryCommandError {
  constructor(readonly tenantId: string) {
    super('ConfigManagedTenant', `tenant ${tenantId} is managed by the config file (the vendor stack writes it on every apply, which would undo this change); edit its entry in the config and re-apply the vendor stack instead`);
    this.name = 'ConfigManagedTenantError';
  }
}

/** rotate (without --finish): a rotation is already in progress. */
export class RotationInProgressError extends RegistryCommandError {
  constructor(readonly tenantId: string) {
    super('RotationInProgress', `tenant ${tenantId} is already rotating (its previous external ID is still accepted); once the customer has updated their role, finish it with npm run rotate -- --tenant ${tenantId} --finish, then rotate again`);
    this.name = 'RotationInProgressError';
  }
}

/** rotate --finish: nothing to finish. */
export class NoRotationInProgressError extends RegistryCommandError {
  constructor(readonly tenantId: string) {
    super('NoRotationInProgress', `tenant ${tenantId} has no rotation in progress (no previous external ID); nothing to finish`);
    this.name = 'NoRotationInProgressError';
  }
}

/** rotate: the tenant is offboarded. */
export class TenantOffboardedError extends RegistryCommandError {
  constructor(readonly tenantId: string) {
    super('TenantOffboarded', `tenant ${tenantId} is offboarded; its external ID is not rotated. Onboard the customer again under a new tenant ID`);
    this.name = 'TenantOffboardedError';
  }
}

/** Any command: the table does not exist in the vendor account (ResourceNotFoundException). */
export class RegistryTableNotFoundError extends RegistryCommandError {
  constructor(readonly table: string, cause?: unknown) {
    super('RegistryTableNotFound', `the registry table ${table} does not exist in the vendor account (or this region); deploy the vendor stack first, or pass --table`, { cause });
    this.name = 'RegistryTableNotFoundError';
  }
}

/** Any command: DynamoDB refused or did not answer; the AWS error's name, never its full message. */
export class RegistryUnavailableError extends RegistryCommandError {
  constructor(readonly operation: string, readonly awsCode: string, cause?: unknown) {
    super('RegistryUnavailable', `DynamoDB ${operation} failed (${awsCode}); check the vendor account's credentials and the endpoint, then run the command again`, { cause });
    this.name = 'RegistryUnavailableError';
  }
}

/** onboard: an input that would make a tenant the connector cannot use. */
export class OnboardInputError extends RegistryCommandError {
  constructor(message: string) {
    super('OnboardInput', message);
    this.name = 'OnboardInputError';
  }
}
