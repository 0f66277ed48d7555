// Shared jest setup: cdktf matchers and SDK-mock matchers for every project.
import 'aws-sdk-client-mock-jest';
import { Testing } from 'cdktf';

Testing.setupJest();

// These suites run on shared 2-core machines, often beside other work (load averages of 10 and
// more): jest's 5 s default failed tests whose work includes a cold start (a Lambda sandbox, a
// local cloud's first answer). A test that needs a different bound still states its own.
jest.setTimeout(60_000);

// The AWS SDK warns once per process that versions published after January 2027 will need
// Node 22. The tests run on the machine's Node 20 on purpose (Lambda code runs on Node 22 in the
// local cloud's sandboxes); the warning is known, said in the README, and was half of the e2e
// output. The SDK's own switch turns it off (@aws-sdk/core emitWarningIfUnsupportedVersion).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
