// ---------------------------------------------------------------------------
// The customer's side of run-time onboarding, done for real: the kit's Terraform module
// (./terraform-module.ts) applied with the real `terraform` (offline, from the provider mirror,
// scripts/terraform-env.ts) into a customer account, with the customer's own credentials. Used by
// the demo's run-time onboarding rows (scripts/demo/runtime-onboarding.ts) and the e2e test
// test/e2e/runtime-onboarding.test.ts, as test/localcloud/kit/terraform-kit.test.ts does it.
//
// One working folder per customer role: `terraform init` once, then `apply` again for each change
// the vendor hands over (a rotation: the new external ID and the previous one). The folder holds
// the external IDs (the root configuration and the state): keep it private and remove it after.
// ---------------------------------------------------------------------------
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRoleArn } from '../../rules/naming';
import { terraformEnv } from '../terraform-env';
import { TERRAFORM_DIR, writeCustomerKit, type CustomerKit, type CustomerKitInput } from './customer-kit';
import { TF } from './terraform-module';

export interface TerraformKitCustomer {
  /** The customer account's credentials (static keys: Terraform gets them in its provider block). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  readonly region: string;
  /** The local cloud's URL; undefined on AWS. */
  readonly endpoint?: string;
}

/** Thrown when terraform exits non-zero: the command and the end of its output. */
export class TerraformKitError extends Error {
  readonly code = 'TerraformKitFailed';
  constructor(args: readonly string[], exitCode: number, output: string) {
    super(`terraform ${args.join(' ')} exited ${exitCode}:\n${output.slice(-3000)}`);
    this.name = 'TerraformKitError';
  }
}

const MODULE_NAME = 'sidecar_connector_role';

/** The customer's root configuration: their provider, and the kit's module with the vendor's values. */
function rootConfiguration(input: CustomerKitInput, customer: TerraformKitCustomer): Record<string, unknown> {
  const role = parseRoleArn(input.roleArn);
  if (!role) throw new Error(`${input.roleArn} is not an IAM role ARN`);
  const v = TF.vars;
  const { credentials, endpoint } = customer;
  return {
    provider: {
      aws: [{
        region: customer.region,
        access_key: credentials.accessKeyId,
        secret_key: credentials.secretAccessKey,
        ...(credentials.sessionToken ? { token: credentials.sessionToken } : {}),
        ...(endpoint ? {
          skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true,
          max_retries: 1, endpoints: [{ iam: endpoint, sts: endpoint, lambda: endpoint }],
        } : {}),
      }],
    },
    module: {
      [MODULE_NAME]: {
        source: `./kit/${TERRAFORM_DIR}`,
        [v.externalId]: input.externalId,
        ...(input.previousExternalId !== undefined ? { [v.previousExternalId]: input.previousExternalId } : {}),
        [v.vendorAccountId]: input.vendorAccountId,
        [v.vendorPrincipalArns]: input.vendorPrincipalArns,
        [v.tenantIds]: [input.tenantId],
        [v.functionArns]: input.functionArns,
        [v.roleName]: role.roleName,
      },
    },
    output: { [TF.output]: { value: `\${module.${MODULE_NAME}.${TF.output}}` } },
  };
}

export class TerraformKitWorkspace {
  private readonly env: NodeJS.ProcessEnv;
  private initialized = false;
  private readonly abort = new AbortController();

  /** `dir`: a private folder of this customer role (created when missing). */
  constructor(readonly dir: string, private readonly customer: TerraformKitCustomer, private readonly timeoutMs = 240_000) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tf = terraformEnv({ cliConfigFile: join(dir, 'terraform.tfrc') });
    this.env = { ...tf.env, TF_DATA_DIR: join(dir, '.terraform') };
  }

  /** `terraform init` for a kit of this shape (the module does not depend on the values): the slow
   *  part (the provider comes from the mirror), which a caller may start early. */
  async init(kit: CustomerKit, input: CustomerKitInput): Promise<void> {
    this.write(kit, input);
    if (!this.initialized && !existsSync(join(this.dir, '.terraform', 'modules'))) await this.run(['init']);
    this.initialized = true;
  }

  /** Write the kit as the vendor handed it over, and apply its module (init first, once). */
  async apply(kit: CustomerKit, input: CustomerKitInput): Promise<void> {
    await this.init(kit, input);
    this.write(kit, input);
    await this.run(['apply', '-auto-approve']);
  }

  /** Stop a terraform still running (an interrupted demo). */
  stop(): void {
    this.abort.abort();
  }

  private write(kit: CustomerKit, input: CustomerKitInput): void {
    writeCustomerKit(join(this.dir, 'kit'), kit);
    writeFileSync(join(this.dir, 'main.tf.json'), JSON.stringify(rootConfiguration(input, this.customer), null, 2), { mode: 0o600 });
  }

  private run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('terraform', [...args, '-no-color', '-input=false'], { cwd: this.dir, env: this.env, timeout: this.timeoutMs, maxBuffer: 32 * 1024 * 1024, signal: this.abort.signal }, (error, stdout, stderr) => {
        if (error) reject(new TerraformKitError(args, typeof error.code === 'number' ? error.code : 1, `${stdout}\n${stderr}`));
        else resolve(stdout);
      });
    });
  }
}
