// ---------------------------------------------------------------------------
// Loading the tenant registry shipped beside the bundle (registry.json), once at load.
// Missing, not JSON, or breaking a rule: the sandbox's init fails with a message that says so,
// because a connector without a registry can only refuse every request.
// ---------------------------------------------------------------------------
import { readFileSync } from 'node:fs';
import { TenantRegistryError, parseTenantRegistry, type TenantRegistry } from '../../rules/tenant-registry';

export function loadTenantRegistry(file: string): TenantRegistry {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unknown error'})`;
    throw new TenantRegistryError(file, [`${reason}: ship registry.json beside index.js, or set TENANT_REGISTRY_FILE`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TenantRegistryError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  return parseTenantRegistry(raw, file);
}
