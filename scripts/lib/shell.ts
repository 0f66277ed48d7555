// ---------------------------------------------------------------------------
// Quoting for POSIX shells (sh, bash, zsh): what `npm run -s local:env` prints is eval'd by the
// user's shell, and Terraform reads TF_CLI_ARGS_* with shell-word rules too.
// ---------------------------------------------------------------------------

/** Characters that never need quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_\/.,:=@%+-]+$/;

/** `value` as one shell word: unchanged when safe, else single-quoted ('\'' for a quote inside). */
export function shellQuote(value: string): string {
  if (value !== '' && SAFE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A valid environment variable name for `export`. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export NAME=value` with the value quoted; throws for a name a shell would not take. */
export function exportLine(name: string, value: string): string {
  if (!ENV_NAME.test(name)) throw new Error(`not an environment variable name: ${JSON.stringify(name)}`);
  return `export ${name}=${shellQuote(value)}`;
}
