// @ts-check
/**
 * A scripted STS endpoint on loopback (AWS_ENDPOINT_URL_STS): answers each
 * AssumeRole / GetCallerIdentity with the next scripted reply, in the AWS
 * query protocol's XML, to produce what moto cannot: AccessDenied,
 * throttling, expired tokens, credentials that are already expired.
 */
import http from 'node:http';

/**
 * @typedef {{ error: string, status?: number, message?: string }
 *   | { credentials: { accessKeyId: string, secretAccessKey: string, sessionToken: string, expiration: string } }
 *   | { userId: string, arn: string }} Reply
 */

/** @param {Reply[]} script */
export async function startFakeSts(script) {
  /** @type {{ action: string, body: string }[]} */
  const calls = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const action = new URLSearchParams(body).get('Action') ?? '';
      calls.push({ action, body });
      const reply = script.length > 1 ? script.shift() : script[0];
      let status = 200;
      let xml;
      if (!reply) {
        status = 500;
        xml = '<ErrorResponse><Error><Code>InternalFailure</Code><Message>no script</Message></Error></ErrorResponse>';
      } else if ('error' in reply) {
        status = reply.status ?? 400;
        xml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${reply.error}</Code><Message>${reply.message ?? reply.error}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`;
      } else if ('credentials' in reply) {
        const c = reply.credentials;
        xml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey><SessionToken>${c.sessionToken}</SessionToken><Expiration>${c.expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/x/y</Arn><AssumedRoleId>AROAEXAMPLE:y</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></AssumeRoleResponse>`;
      } else {
        xml = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${reply.arn}</Arn><UserId>${reply.userId}</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>req-3</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
      }
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(xml);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
