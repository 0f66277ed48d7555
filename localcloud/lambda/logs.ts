// ---------------------------------------------------------------------------
// Function logs, in the shape CloudWatch Logs shows them (START / output / END / REPORT), one
// file per function: `<stateDir>/lambda/logs/<accountId>/<functionName>.log`. Invoke with
// `LogType: Tail` gets the last 4 KB of its own invocation's log, base64-encoded.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
// ---------------------------------------------------------------------------
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Invoke's X-Amz-Log-Result carries at most the last 4 KB. */
export const LOG_TAIL_BYTES = 4096;

export function functionLogPath(stateDir: string, accountId: string, functionName: string): string {
  return join(stateDir, 'lambda', 'logs', accountId, `${functionName}.log`);
}

/** `/aws/lambda/<name>` and `2024/05/01/[$LATEST]<32 hex>`: the names Lambda gives a function's logs. */
export function logNames(functionName: string, version: string, sandboxId: string, date: Date): { group: string; stream: string } {
  const day = date.toISOString().slice(0, 10).replace(/-/g, '/');
  return { group: `/aws/lambda/${functionName}`, stream: `${day}/[${version}]${sandboxId}` };
}

export interface InvocationLogInput {
  readonly requestId: string;
  readonly version: string;
  readonly output: string;
  readonly durationMs: number;
  readonly memorySize: number;
  readonly initDurationMs?: number;
}

/** One invocation's log, framed as Lambda frames it. */
export function invocationLog(input: InvocationLogInput): string {
  const output = input.output.length === 0 || input.output.endsWith('\n') ? input.output : `${input.output}\n`;
  const billed = Math.max(1, Math.ceil(input.durationMs));
  const init = input.initDurationMs !== undefined ? `\tInit Duration: ${input.initDurationMs.toFixed(2)} ms` : '';
  return [
    `START RequestId: ${input.requestId} Version: ${input.version}\n`,
    output,
    `END RequestId: ${input.requestId}\n`,
    `REPORT RequestId: ${input.requestId}\tDuration: ${input.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${input.memorySize} MB${init}\n`,
  ].join('');
}

export function appendFunctionLog(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, text);
}

/** The last 4 KB of `text`, base64 (X-Amz-Log-Result). */
export function logTail(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}
