// Placeholder entry point: replaced by the real handler. Exists so that bundling can be built in parallel.
export const handler = async (event: unknown): Promise<unknown> => ({ placeholder: 'vend', event });
