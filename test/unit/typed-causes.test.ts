/**
 * Failures carry their cause typed (the AWS error code, the HTTP status, the
 * errno), and callers decide on those, never on the words of a message: a
 * message that happens to read like another failure changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { callError } from '../../src/aws/clients.js';
import { awsError, isDenied } from '../../src/aws/errors.js';
import { BasculeError } from '../../src/errors.js';
import { apiFailure } from '../../src/kube/transport.js';

/** An SDK service exception as the SDK throws it: its name is AWS's code. */
const sdkError = (name: string, message: string, status: number) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status, attempts: 1 } });
const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe('AWS failures carry their code, status and errno', () => {
  it.each([
    ['AccessDenied', sdkError('AccessDenied', 'User: x is not authorized', 403), { awsCode: 'AccessDenied', httpStatus: 403, errno: undefined, kind: 'aws' }],
    ['ExpiredToken', sdkError('ExpiredToken', 'The security token included in the request is expired', 400), { awsCode: 'ExpiredToken', httpStatus: 400, errno: undefined, kind: 'credentials' }],
    ['a refused connection', Object.assign(new Error('socket hang up'), { cause: systemError('ECONNREFUSED') }), { awsCode: undefined, httpStatus: undefined, errno: 'ECONNREFUSED', kind: 'aws' }],
    ['the SDK\'s timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), { awsCode: undefined, httpStatus: undefined, errno: undefined, kind: 'aws' }],
    ['an unknown code', sdkError('SomethingNew', 'new', 500), { awsCode: 'SomethingNew', httpStatus: 500, errno: undefined, kind: 'aws' }],
  ])('%s', (_, error, expected) => {
    const mapped = awsError({ service: 'EKS', operation: 'DescribeCluster', target: 'eks-green' }, error);
    expect({ awsCode: mapped.awsCode, httpStatus: mapped.httpStatus, errno: mapped.errno, kind: mapped.kind }).toEqual(expected);
    expect(mapped.cause).toBe(error);
  });

  it('denied is decided by the code', () => {
    expect(isDenied(sdkError('AccessDeniedException', 'no', 403))).toBe(true);
    expect(isDenied(awsError({ service: 'STS', operation: 'AssumeRole', target: 'r' }, sdkError('AccessDenied', 'no', 403)))).toBe(true);
    expect(isDenied(sdkError('ValidationError', 'the request was denied: by the validator', 400))).toBe(false);
  });

  it('the permission hint follows the code, not words in the message', () => {
    const call = { service: 'ELBv2', operation: 'DescribeLoadBalancers', target: '', endpoint: undefined, permission: 'elasticloadbalancing:DescribeLoadBalancers' };
    const denied = callError(call, sdkError('AccessDenied', 'User: x is not authorized', 403));
    expect(denied.hint).toBe('the identity in use needs elasticloadbalancing:DescribeLoadBalancers');
    expect(denied.awsCode).toBe('AccessDenied');
    // An error whose text reads "... was denied: ..." but whose code is not a refusal keeps its own hint.
    const other = callError(call, sdkError('ResourceNotFoundException', 'load balancer x was denied: gone', 400));
    expect(other.hint).not.toContain('needs elasticloadbalancing');
  });
});

describe("a Kubernetes API's failures, sorted by errno", () => {
  it.each([
    ['ETIMEDOUT', 'timeout'],
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'unresolved'],
    ['EAI_AGAIN', 'unresolved'],
    ['ECONNRESET', 'reset'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['EWHATEVER', 'other'],
  ])('%s is %s', (code, kind) => {
    expect(apiFailure(systemError(code))).toBe(kind);
    expect(apiFailure(new BasculeError('kube', 'GET /version on green failed', { errno: code, cause: systemError(code) }))).toBe(kind);
  });

  it('a failure of the proxy is the proxy\'s, whatever its errno', () => {
    const viaProxy = Object.assign(new Error('proxy 127.0.0.1:1: ECONNREFUSED'), { code: 'ECONNREFUSED', proxy: '127.0.0.1:1' });
    expect(apiFailure(viaProxy)).toBe('proxy');
    expect(apiFailure(new BasculeError('kube', 'x', { errno: 'ECONNREFUSED', cause: viaProxy }))).toBe('proxy');
  });
});
