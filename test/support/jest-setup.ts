// Shared jest setup: cdktf matchers and SDK-mock matchers for every project.
import 'aws-sdk-client-mock-jest';
import { Testing } from 'cdktf';

Testing.setupJest();

// These suites run on shared 2-core machines, often beside other work (load averages of 10 and
// more): jest's 5 s default failed tests whose work includes a cold start (a Lambda sandbox, a
// local cloud's first answer). A test that needs a different bound still states its own.
jest.setTimeout(60_000);
