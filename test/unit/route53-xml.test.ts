/**
 * bascule's own reading of ListResourceRecordSets (src/aws/route53-xml.ts,
 * route53-list.ts) against the SDK's, differentially: one loopback server
 * answers both with the same documents (every routing policy, aliases, health
 * checks, entities, escaped names, paging with identifiers, an error), and
 * both must give the same record sets, pages and errors.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListResourceRecordSetsCommand, Route53Client, type RRType } from '@aws-sdk/client-route-53';
import { fromSdk } from '../../src/aws/route53.js';
import { listSets } from '../../src/aws/route53-list.js';
import { RateLimiter } from '../../src/aws/rate.js';
import { parseListPage, xmlText } from '../../src/aws/route53-xml.js';
import type { RecordSet } from '../../src/production/records.js';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const set = (inner: string) => `<ResourceRecordSet>${inner}</ResourceRecordSet>`;
const values = (...v: string[]) => `<ResourceRecords>${v.map((x) => `<ResourceRecord><Value>${x}</Value></ResourceRecord>`).join('')}</ResourceRecords>`;
const PAGE1 = [
  set(`<Name>devinfra.local.</Name><Type>NS</Type><TTL>172800</TTL>${values('ns-1.awsdns-01.org.', 'ns-2.awsdns-02.co.uk.')}`),
  set(`<Name>\\052.devinfra.local.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z3Q77PNBQS71R4</HostedZoneId><DNSName>dualstack.k8s-blue-1.eu-west-3.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget>`),
  set(`<Name>a-caf\\303\\251.devinfra.local.</Name><Type>TXT</Type><TTL>300</TTL>${values('&quot;heritage=external-dns,external-dns/owner=o&amp;x,external-dns/resource=service/web/caf&#233;&quot;')}`),
  set(`<Name>hello.devinfra.local.</Name><Type>CNAME</Type><SetIdentifier>blue</SetIdentifier><Weight>30</Weight><TTL>60</TTL>${values('hello.eks-blue.devinfra.local')}`),
  set(`<Name>hello.devinfra.local.</Name><Type>CNAME</Type><SetIdentifier>green</SetIdentifier><Weight>0</Weight><TTL>60</TTL>${values('hello.eks-green.devinfra.local')}<HealthCheckId>abcdef01-2345-6789-abcd-ef0123456789</HealthCheckId>`),
].join('');
const PAGE2 = [
  set(`<Name>geo.devinfra.local.</Name><Type>A</Type><SetIdentifier>eu</SetIdentifier><GeoLocation><ContinentCode>EU</ContinentCode></GeoLocation><TTL>60</TTL>${values('10.0.0.1')}`),
  set(`<Name>lat.devinfra.local.</Name><Type>A</Type><SetIdentifier>paris</SetIdentifier><Region>eu-west-3</Region><TTL>60</TTL>${values('10.0.0.2')}`),
  set(`<Name>fo.devinfra.local.</Name><Type>A</Type><SetIdentifier>p</SetIdentifier><Failover>PRIMARY</Failover><TTL>60</TTL>${values('10.0.0.3')}<HealthCheckId>h1</HealthCheckId>`),
  set(`<Name>mv.devinfra.local.</Name><Type>A</Type><SetIdentifier>m1</SetIdentifier><MultiValueAnswer>true</MultiValueAnswer><TTL>60</TTL>${values('10.0.0.4', '10.0.0.5')}`),
  set(`<Name>txt.devinfra.local.</Name><Type>TXT</Type><TTL>300</TTL>${values('&quot;a&lt;b&gt;c&apos;&quot; &quot;&#x263A;&quot;')}`),
].join('');
const doc = (sets: string, next?: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${sets}</ResourceRecordSets><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next ?? ''}<MaxItems>300</MaxItems></ListResourceRecordSetsResponse>`;

let server: http.Server;
let endpoint: string;
const seen: string[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.pathname}?${url.searchParams}`);
    res.setHeader('content-type', 'text/xml');
    if (url.pathname.includes('ZNOPE')) {
      res.statusCode = 404;
      res.end(`<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: ZNOPE</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
      return;
    }
    if (url.searchParams.get('identifier') === 'eu') res.end(doc(PAGE2));
    else res.end(doc(PAGE1, '<NextRecordName>geo.devinfra.local.</NextRecordName><NextRecordType>A</NextRecordType><NextRecordIdentifier>eu</NextRecordIdentifier>'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });

async function bySdk(zoneId: string): Promise<RecordSet[]> {
  const client = new Route53Client({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
  const out: RecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
  try {
    for (;;) {
      const answer = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 300, ...start }));
      out.push(...(answer.ResourceRecordSets ?? []).map(fromSdk));
      if (!answer.IsTruncated) return out;
      start = { StartRecordName: answer.NextRecordName as string, StartRecordType: answer.NextRecordType as RRType, StartRecordIdentifier: answer.NextRecordIdentifier as string };
    }
  } finally {
    client.destroy();
  }
}

const listerOf = () => ({ endpoint, signingRegion: 'us-east-1', env: {}, credentials, limiter: new RateLimiter(0), count: () => undefined, maxAttempts: 1 });

describe("bascule's reading of a listing is the SDK's", () => {
  it('the same record sets, page after page (every routing policy, aliases, health checks, entities, escaped names)', async () => {
    seen.length = 0;
    const mine = await listSets(listerOf(), 'Z0DEVINFRALOCAL01');
    // The second page started where the first said, identifier included.
    expect(seen).toEqual(['/2013-04-01/hostedzone/Z0DEVINFRALOCAL01/rrset?maxitems=300', '/2013-04-01/hostedzone/Z0DEVINFRALOCAL01/rrset?maxitems=300&name=geo.devinfra.local.&type=A&identifier=eu']);
    const sdk = await bySdk('Z0DEVINFRALOCAL01');
    expect(mine).toEqual(sdk);
    expect(mine.map((s) => s.name)).toEqual(['devinfra.local', '*.devinfra.local', 'a-café.devinfra.local', 'hello.devinfra.local', 'hello.devinfra.local', 'geo.devinfra.local', 'lat.devinfra.local', 'fo.devinfra.local', 'mv.devinfra.local', 'txt.devinfra.local']);
    expect(mine.find((s) => s.name === 'txt.devinfra.local')?.values).toEqual(['"a<b>c\'" "☺"']);
  });

  it('the same error for a missing zone', async () => {
    const mine = (await listSets(listerOf(), 'ZNOPE').catch((e: unknown) => e)) as Error;
    const sdk = (await bySdk('ZNOPE').catch((e: unknown) => e)) as Error;
    expect([mine.name, mine.message]).toEqual([sdk.name, sdk.message]);
  });

  it('entities, and a page that is not truncated', () => {
    expect(xmlText('&lt;&amp;&#65;&#x42;&quot;&apos;&gt;')).toBe('<&AB"\'>');
    expect(parseListPage(doc('')).next).toBeUndefined();
  });
});
