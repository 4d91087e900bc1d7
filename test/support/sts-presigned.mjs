// @ts-check
/**
 * STS as the EKS authenticator reaches it: a presigned GetCallerIdentity GET
 * (the token's URL, header x-k8s-aws-id, Host the token's STS host), on
 * loopback (AWS_ENDPOINT_URL_STS).
 *
 * What it adds to moto: moto_server routes a presigned GET (no Authorization
 * header, no body) to S3 and never checks signatures. This checks the SigV4
 * query signature against the header actually sent, with the secrets moto
 * issued (and the tests' static keys), as STS does: a token signed for
 * another cluster gets 403 SignatureDoesNotMatch. A valid request goes on to
 * moto as a signed POST, so the identity is moto's (assumed roles and all);
 * the answer is JSON when asked (accept: application/json), as STS does. Keys
 * moto did not issue (the tests' static keys) are answered from their record's
 * arn and userId.
 * Other requests (AssumeRole...) go to moto untouched, so one AWS_ENDPOINT_URL_STS
 * serves both. `down()` makes it answer 503 ServiceUnavailable. `xml: true`
 * answers XML whatever the accept header asks, as LocalStack does. A call that
 * carries an Authorization header (Go's client sends a URL's userinfo as Basic
 * credentials) is recorded with it.
 */
import http from 'node:http';
import { TokenRejected, verifyToken } from './eks-verifier.mjs';

/** @param {string} host */
const partitionOfHost = (host) => (host.endsWith('.amazonaws.com.cn') ? 'aws-cn' : /^sts(-fips)?\.us-gov-/.test(host) ? 'aws-us-gov' : 'aws');

/** @param {number} status @param {string} code @param {string} message */
const errorXml = (status, code, message) => ({
  status,
  body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>presigned-1</RequestId></ErrorResponse>`,
  type: 'text/xml',
});

/** @param {{ Arn: string, UserId: string, Account: string }} r @param {string} requestId */
const identityXml = (r, requestId) =>
  `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${r.Arn}</Arn><UserId>${r.UserId}</UserId><Account>${r.Account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

/**
 * @param {{ motoEndpoint: string, lookupSecret: (id: string) => any, now?: () => Date, xml?: boolean }} options
 */
export async function startPresignedSts(options) {
  /** @type {{ host: string, clusterName: string, outcome: string, authorization?: string }[]} */
  const calls = [];
  let failing = false;
  const server = http.createServer(async (req, res) => {
    const host = String(req.headers.host ?? '');
    const clusterName = String(req.headers['x-k8s-aws-id'] ?? '');
    /** @param {{ status: number, body: string, type: string }} reply @param {string} outcome */
    const send = (reply, outcome) => {
      calls.push({ host, clusterName, outcome, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      res.writeHead(reply.status, { 'content-type': reply.type, date: new Date().toUTCString() });
      res.end(reply.body);
    };
    if (failing) return send(errorXml(503, 'ServiceUnavailable', 'Service is unavailable'), 'down');
    if (req.method !== 'GET') {
      // AssumeRole and other signed calls: moto's, untouched.
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)).map(([k, v]) => [k, String(v)]));
      const moto = await fetch(`${options.motoEndpoint}${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) });
      calls.push({ host, clusterName, outcome: `forwarded ${req.method}` });
      res.writeHead(moto.status, { 'content-type': moto.headers.get('content-type') ?? 'text/xml' });
      return res.end(Buffer.from(await moto.arrayBuffer()));
    }
    const token = `k8s-aws-v1.${Buffer.from(`https://${host}${req.url}`).toString('base64url')}`;
    /** @type {import('./eks-verifier.mjs').Identity} */
    let identity;
    try {
      identity = await verifyToken(token, { clusterName, partition: partitionOfHost(host), now: options.now?.() ?? new Date(), lookupSecret: options.lookupSecret });
    } catch (error) {
      if (!(error instanceof TokenRejected)) throw error;
      const reason = error.message;
      if (/InvalidClientTokenId|session token/.test(reason)) return send(errorXml(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'), 'InvalidClientTokenId');
      if (/expired/.test(reason)) return send(errorXml(403, 'RequestExpired', 'Request has expired.'), 'RequestExpired');
      return send(errorXml(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'), 'SignatureDoesNotMatch');
    }
    const key = await options.lookupSecret(identity.accessKeyId);
    if (key?.userId) {
      // The tests' own long-term keys, which moto did not issue: their identity is in the key table.
      const account = /^arn:[^:]+:[^:]+::(\d{12}):/.exec(key.arn)?.[1] ?? '';
      const result = { Arn: key.arn, UserId: key.userId, Account: account };
      if (options.xml) return send({ status: 200, body: identityXml(result, 'presigned-3'), type: 'text/xml' }, 'ok');
      const body = JSON.stringify({ GetCallerIdentityResponse: { GetCallerIdentityResult: result, ResponseMetadata: { RequestId: 'presigned-3' } } });
      return send({ status: 200, body, type: 'application/json' }, 'ok');
    }
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const moto = await fetch(`${options.motoEndpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${identity.accessKeyId}/${date.slice(0, 8)}/${identity.region}/sts/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const xml = await moto.text();
    const field = (/** @type {string} */ tag) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1] ?? '';
    if (moto.status !== 200) return send({ status: moto.status, body: xml, type: 'text/xml' }, `moto ${moto.status}`);
    if (String(req.headers.accept ?? '').includes('application/json') && !options.xml) {
      const body = JSON.stringify({
        GetCallerIdentityResponse: { GetCallerIdentityResult: { Arn: field('Arn'), UserId: field('UserId'), Account: field('Account') }, ResponseMetadata: { RequestId: 'presigned-2' } },
      });
      return send({ status: 200, body, type: 'application/json' }, 'ok');
    }
    send({ status: 200, body: xml, type: 'text/xml' }, 'ok');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    down() {
      failing = true;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
