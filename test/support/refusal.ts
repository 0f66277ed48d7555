// ---------------------------------------------------------------------------
// Assertions on refusals: the error a call was refused with, in the terms AWS sends it.
// ---------------------------------------------------------------------------

export interface Refusal {
  /** The SDK's error name (the modeled exception, e.g. NoSuchEntityException, or AWS's code). */
  readonly name: string;
  /** AWS's error code as sent on the wire. */
  readonly code: string;
  readonly message: string;
  readonly status: number | undefined;
}

/** The error a call was refused with; fails the test when the call succeeds. */
export async function refusalOf(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (e) {
    const err = e as Error & { Code?: string; Error?: { Code?: string }; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };
    const code = err.Code ?? err.Error?.Code ?? err.$response?.headers?.['x-amzn-errortype']?.split(':')[0] ?? err.name;
    return { name: err.name, code, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}
