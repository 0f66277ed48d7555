// ---------------------------------------------------------------------------
// Wiring the stacks of a config into an app: `vendor`, then `customer-<name>` per customer.
// Shared by main.ts and the tests, so the tests synthesize exactly what `cdktf synth` does.
// ---------------------------------------------------------------------------
import type { App } from 'cdktf';
import type { Target } from '../config/load';
import type { SidecarConfig } from '../config/schema';
import { CustomerStack } from './customer-stack';
import { VendorStack } from './vendor-stack';

export interface SidecarAppProps {
  /** The validated config. */
  readonly config: SidecarConfig;
  /** Which kind of cloud the stacks deploy into. */
  readonly target: Target;
  /** Environment read for LOCALCLOUD_PORT and SIDECAR_TFSTATE_DIR. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the Lambda bundles are built. @default <project>/.gen/bundles */
  readonly bundleRoot?: string;
}

export interface SidecarStacks {
  readonly vendor: VendorStack;
  readonly customers: readonly CustomerStack[];
}

export function buildApp(app: App, props: SidecarAppProps): SidecarStacks {
  const common = { config: props.config, target: props.target, env: props.env, bundleRoot: props.bundleRoot };
  const vendor = new VendorStack(app, common);
  const customers = props.config.customers.map((c) => new CustomerStack(app, { ...common, customerName: c.name }));
  return { vendor, customers };
}
