// ---------------------------------------------------------------------------
// The one error the constructs throw at construction time: the config (or a prop) cannot make a
// correct stack. The message says which stack, what is wrong, and what to change.
// ---------------------------------------------------------------------------

/** Thrown when a construct is given props that would synthesize a wrong or unsafe stack. */
export class StackConfigError extends Error {
  readonly code = 'StackConfigInvalid';
  constructor(readonly construct: string, message: string, options?: { cause?: unknown }) {
    super(`${construct}: ${message}`, options);
    this.name = 'StackConfigError';
  }
}
