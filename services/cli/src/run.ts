/**
 * `svpn run <service>`: one service per process, configured from the environment — the scaled
 * deployment's shape (docker-compose.yml, deploy/k8s). Each service's own `main.ts` does the work.
 */
export const SERVICES = ['policy', 'provisioner', 'charging', 'sip-gateway', 'api'] as const;

const ENTRY: Record<(typeof SERVICES)[number], string> = {
  policy: '../../policy/src/main.ts',
  provisioner: '../../provisioner/src/main.ts',
  charging: '../../charging/src/main.ts',
  'sip-gateway': '../../sip-gateway/src/main.ts',
  api: '../../api/src/main.ts',
};

export async function runService(name: string): Promise<number> {
  if (!(SERVICES as readonly string[]).includes(name)) {
    process.stderr.write(`svpn run: unknown service "${name}"; choose one of ${SERVICES.join(', ')}\n`);
    return 2;
  }
  await import(new URL(ENTRY[name as (typeof SERVICES)[number]], import.meta.url).href);
  return 0;
}
