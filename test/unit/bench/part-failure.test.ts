/**
 * A failed bench part is named with its error and the bench call on its stack (bench/part-failure.ts),
 * so a long run that loses one part says where instead of printing a bare SDK stack.
 */
import { describeFailure } from '../../../bench/part-failure';

test('an SDK-style error thrown from a bench part names the part, the error and the bench call', () => {
  const e = new Error('socket hang up');
  e.name = 'TimeoutError';
  e.stack = [
    'TimeoutError: socket hang up',
    '    at ClientRequest.<anonymous> (/repo/node_modules/@smithy/node-http-handler/dist-cjs/index.js:1:1)',
    '    at runColdStart (/repo/bench/cold-start.ts:120:11)',
    '    at part (/repo/bench/run.ts:90:7)',
  ].join('\n');

  expect(describeFailure('3. cold start', e)).toEqual({ part: '3. cold start', error: 'TimeoutError: socket hang up', at: 'runColdStart (/repo/bench/cold-start.ts:120:11)' });
});

test('no bench frame (or not an Error): no "at", never a made-up one', () => {
  expect(describeFailure('2. STS calls', 'a string')).toEqual({ part: '2. STS calls', error: 'a string' });
  const e = new Error('boom');
  e.stack = 'Error: boom\n    at part (/repo/bench/run.ts:90:7)';
  expect(describeFailure('2. STS calls', e)).toEqual({ part: '2. STS calls', error: 'Error: boom' });
});
