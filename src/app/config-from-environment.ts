/**
 * With no config file, the provider keys set in the environment decide: every active catalog
 * provider whose key variables (and extra variables, such as Cloudflare's account id) are all
 * set is enabled. No key at all → undefined, and the caller starts demo mode.
 */
import { loadCatalog } from '../catalog/index.js';
import { parseConfig, type FreewayConfig } from '../config/index.js';

export function configFromEnvironment(env: NodeJS.ProcessEnv): FreewayConfig | undefined {
  const isSet = (name: string) => (env[name] ?? '').trim() !== '';
  const providers = loadCatalog()
    .providers.filter((p) => p.status === 'active' && p.baseUrl !== null && p.apiStyle === 'openai')
    .filter((p) => p.keyEnvVars.some(isSet) && p.extraEnvVars.every(isSet))
    .map((p) => ({ id: p.id, apiKeys: p.keyEnvVars.filter(isSet).map((name) => `\${${name}}`) }));
  if (providers.length === 0) return undefined;
  return parseConfig(JSON.stringify({ providers }), { env, fileName: 'environment' });
}
