// Shared jest setup: cdktf matchers and SDK-mock matchers for every project.
import 'aws-sdk-client-mock-jest';
import { Testing } from 'cdktf';

Testing.setupJest();
