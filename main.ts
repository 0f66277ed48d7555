// ---------------------------------------------------------------------------
// The CDK for Terraform app: load and validate the config of the target (SIDECAR_TARGET, `local`
// by default), then wire one `vendor` stack and one stack per configured customer. Nothing else
// lives here: the stacks are in modules/, the config file's checks in config/, the rules in rules/.
// ---------------------------------------------------------------------------
import { App } from 'cdktf';
import { ConfigError, loadConfig } from './config/load';
import { buildApp } from './modules/app';

try {
  const config = loadConfig();
  const app = new App();
  buildApp(app, { config, target: config.target });
  app.synth();
} catch (e) {
  // A config problem is the user's to fix: print the message that names file, entry and rule, not a stack trace.
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
