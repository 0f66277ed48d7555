// ---------------------------------------------------------------------------
// The stacks' outputs, as `cdktf deploy --outputs-file` writes them: { <stack>: { <output>: value } }.
// The e2e suite reads every ARN and ID from here (and from config), never from a literal.
// ---------------------------------------------------------------------------
import { readFileSync } from 'node:fs';
import * as z from 'zod';

const arn = z.string().startsWith('arn:');

export const vendorOutputsSchema = z.object({
  vendor_account_id: z.string(),
  connector_function_name: z.string(),
  connector_function_arn: arn,
  connector_role_arn: arn,
  /** Every connector shard's function, shard 0 first (older deployments lack it: one connector). */
  connector_shard_function_names: z.array(z.string()).optional(),
  vend_function_name: z.string(),
  vend_function_arn: arn,
  vend_role_arn: arn,
  registry_table_name: z.string(),
  registry_table_arn: arn,
});

export const customerOutputsSchema = z.object({
  account_id: z.string(),
  role_arn: arn,
  role_name: z.string(),
  function_arns: z.record(z.string(), arn),
  private_function_arn: arn,
  external_id: z.string().optional(),
});

export type VendorOutputs = z.infer<typeof vendorOutputsSchema>;
export type CustomerOutputs = z.infer<typeof customerOutputsSchema>;

export interface DeployOutputs {
  readonly vendor: VendorOutputs;
  readonly customers: Readonly<Record<string, CustomerOutputs>>;
}

/** Read and check an outputs file; `customerNames` are the stacks the config says were deployed. */
export function readDeployOutputs(file: string, customerNames: readonly string[]): DeployOutputs {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read the deploy outputs at ${file}: ${(e as Error).message}. Deploy first (npm run deploy:local, or cdktf deploy ... --outputs-file ${file}).`);
  }
  const customers: Record<string, CustomerOutputs> = {};
  for (const name of customerNames) {
    if (!raw[name]) throw new Error(`${file} has no outputs for stack "${name}": deploy it first`);
    customers[name] = customerOutputsSchema.parse(raw[name]);
  }
  if (!raw.vendor) throw new Error(`${file} has no outputs for stack "vendor": deploy it first`);
  return { vendor: vendorOutputsSchema.parse(raw.vendor), customers };
}
