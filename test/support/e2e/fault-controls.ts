// ---------------------------------------------------------------------------
// What the fault tests need beyond the world: the local cloud's fault rules and request counts,
// a cold connector (fresh sandboxes, empty credential cache), a function's configuration
// changed and put back, and a round trip timed from the caller's side.
// ---------------------------------------------------------------------------
import { GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { parseFunctionArn } from '../../../rules/naming';
import * as controls from '../../../scripts/lib/cloud-controls';
import type { FaultRule } from '../../../scripts/lib/cloud-controls';
import { controlledCloud } from './local-controls';
import { callConnector, type ConnectorSuccess, type LambdaFailure, type World } from './world';

export const addFaults = (world: World, rules: FaultRule | FaultRule[]) => controls.addFaults(controlledCloud(world), rules);
export const clearFaults = (world: World) => controls.clearFaults(controlledCloud(world));
export const resetStats = (world: World) => controls.resetStats(controlledCloud(world));
export const operationStats = (world: World): Promise<Record<string, number>> => controls.operationStats(controlledCloud(world));

/** The connector's calls of an operation since the last reset (0 when there were none). */
export async function countOf(world: World, operation: string): Promise<number> {
  return (await operationStats(world))[operation] ?? 0;
}

// ---------------------------------------------------------------------------
// Functions' configuration
// ---------------------------------------------------------------------------

function functionClient(world: World, stack: string, functionArn: string) {
  return world.lambda(world.adminCredentials(stack), parseFunctionArn(functionArn)?.region);
}

/**
 * Fresh connector sandboxes: re-applying its configuration unchanged makes the local Lambda
 * retire the warm ones (as a configuration update does on AWS), so the credential cache is empty.
 */
export async function coldConnector(world: World): Promise<void> {
  const arn = world.outputs.vendor.connector_function_arn;
  const client = functionClient(world, 'vendor', arn);
  const current = await client.send(new GetFunctionConfigurationCommand({ FunctionName: arn }));
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: arn, Timeout: current.Timeout }));
}

/** Set `functionArn`'s timeout for the duration of `work`, then put the deployed one back. */
export async function withFunctionTimeout<T>(world: World, stack: string, functionArn: string, seconds: number, work: () => Promise<T>): Promise<T> {
  const client = functionClient(world, stack, functionArn);
  const original = (await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionArn }))).Timeout;
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionArn, Timeout: seconds }));
  try {
    return await work();
  } finally {
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionArn, Timeout: original }));
  }
}

// ---------------------------------------------------------------------------
// Timing from the caller's side
// ---------------------------------------------------------------------------

export interface TimedCall {
  readonly result: ConnectorSuccess | LambdaFailure;
  readonly ms: number;
}

export async function timedCall(world: World, event: Parameters<typeof callConnector>[1]): Promise<TimedCall> {
  const started = performance.now();
  const result = await callConnector(world, event);
  return { result, ms: performance.now() - started };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
