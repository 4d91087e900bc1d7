import { AssociateVPCWithHostedZoneCommand, CreateHostedZoneCommand, DeleteHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';

/**
 * Creates a hosted zone in moto whose id looks like Route53's (Z + 4..32
 * characters), as the platform file requires: moto's ids start with any
 * letter, so ask in parallel rounds and keep the first that fits. A private
 * zone is created in `vpcs[0]` and associated with the others.
 */
export async function createZone(client: Route53Client, name: string, vpcs: string[] = []): Promise<string> {
  for (let round = 0; round < 50; round++) {
    const made = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        client.send(
          new CreateHostedZoneCommand({
            Name: name,
            CallerReference: `${name}-${round}-${i}-${Date.now()}`,
            ...(vpcs[0] ? { VPC: { VPCRegion: 'eu-west-3', VPCId: vpcs[0] }, HostedZoneConfig: { PrivateZone: true } } : {}),
          }),
        ),
      ),
    );
    const ids = made.map((m) => (m.HostedZone?.Id ?? '').replace('/hostedzone/', ''));
    const keep = ids.find((id) => /^Z[0-9A-Z]{4,32}$/.test(id));
    await Promise.all(ids.filter((id) => id !== keep).map((id) => client.send(new DeleteHostedZoneCommand({ Id: id }))));
    if (keep) {
      for (const vpc of vpcs.slice(1)) await client.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: keep, VPC: { VPCRegion: 'eu-west-3', VPCId: vpc } }));
      return keep;
    }
  }
  throw new Error(`moto gave no Z... zone id for ${name} in 800 attempts`);
}
