/**
 * The values of the platform file: each format's pattern (for editors, in the
 * JSON Schema) and the check that carries the text of what is expected, which
 * the loader prints after the key path ("expected an https:// URL ..."). A
 * value the flags also take is checked by the vocabulary's one rule
 * (src/vocabulary.ts) after its pattern.
 */
import * as v from 'valibot';
import { CLUSTER_NAME_PATTERN, escapeControl, roleArnProblem } from '../vocabulary.js';

export const ACCOUNT_ID = /^\d{12}$/;
// The patterns below are what editors see (JSON Schema); the exact rules are the vocabulary's, run by v.check.
export const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;
export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;
export const CLUSTER_NAME = CLUSTER_NAME_PATTERN;
/** A DNS name without trailing dot: labels of letters, digits and -, at least two labels. */
export const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A record name: like DOMAIN, but one label is enough and `_` is allowed (TXT records). */
export const RECORD_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*$/;
export const ZONE_ID = /^Z[0-9A-Z]{4,32}$/;
export const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** Kubernetes DNS-1123 label (namespaces, the platform name). */
export const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
export const K8S_GROUP = /^[^\s,]{1,255}$/;
export const K8S_USERNAME = /^[^\s]{1,255}$/;
export const PROFILE = /^[^\s[\]#;]{1,64}$/;
export const ACCESS_POLICY = /^(?:AmazonEKS[A-Za-z]+Policy|arn:aws(?:-cn|-us-gov)?:eks::aws:cluster-access-policy\/[A-Za-z]+)$/;
export const CHART_VERSION = /^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;
export const IMAGE = /^[a-z0-9][a-z0-9._/:@-]*$/;
export const ANNOTATION = /^(?:[a-z0-9.-]+\/)?[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
export const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const HOST_PORT = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9a-fA-F:.]+\]?)(?::\d{1,5})?$/;
export const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** A Kubernetes resource quantity as people write them: 50m, 0.5, 64Mi, 1Gi. */
export const QUANTITY = /^\d+(?:\.\d+)?(?:m|k|M|G|Ki|Mi|Gi)?$/;
export const ANNOTATION_PREFIX = /^(?=.{2,254}$)[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\/$/;

/** `expects` is the text after "expected" in an error message. */
export const str = (re: RegExp, expects: string, description: string) =>
  v.pipe(v.string(`expected ${expects}`), v.regex(re, `expected ${expects}`), v.description(description));

/** A value of the vocabulary: the loose pattern for editors, then the one rule the flags use too. */
export const word = (re: RegExp, problem: (value: string) => string | undefined, expects: string, description: string) =>
  v.pipe(
    v.string(`expected ${expects}`),
    v.regex(re, `expected ${expects}`),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed || !re.test(dataset.value)) return;
      const why = problem(dataset.value);
      if (why) addIssue({ message: `expected ${expects}: ${JSON.stringify(escapeControl(dataset.value))} ${why}` });
    }),
    v.description(description),
  );

export const httpsUrl = (description: string) =>
  v.pipe(
    v.string('expected an https:// URL'),
    v.check(isHttpsBaseUrl, 'expected an https:// URL with a host and optional port, no path, query or credentials (e.g. https://ABC123.gr7.eu-west-3.eks.amazonaws.com)'),
    v.description(description),
  );

export function isHttpsBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password && url.search === '' && url.hash === '' && (url.pathname === '/' || url.pathname === '');
}

export const roleArn = (description: string) => word(ROLE_ARN, roleArnProblem, 'an IAM role ARN like arn:aws:iam::123456789012:role/NAME', description);
export const zoneId = (description: string) => v.optional(str(ZONE_ID, 'a Route53 hosted zone id like Z0123456789ABCDEFGHIJ (without /hostedzone/)', description));
export const ttl = (description: string) =>
  v.optional(
    v.pipe(v.number('expected a number of seconds'), v.integer('expected a whole number of seconds'), v.minValue(1, 'expected at least 1 second'), v.maxValue(172800, 'expected at most 172800 seconds (2 days)'), v.description(description)),
    60,
  );
export const groups = (description: string) =>
  v.pipe(v.array(str(K8S_GROUP, 'a Kubernetes group name (no spaces or commas)', 'a Kubernetes group'), 'expected a list of Kubernetes group names'), v.description(description));
export const bool = (description: string, fallback: boolean) => v.optional(v.pipe(v.boolean('expected true or false'), v.description(description)), fallback);

export const chartVersion = (description: string) => v.optional(str(CHART_VERSION, 'a chart version like 1.2.3', description));
export const namespaceName = (description: string) => str(DNS_LABEL, 'a Kubernetes namespace name (lower-case letters, digits and -)', description);
export const ipv4 = (description: string) => v.optional(str(IPV4, 'an IPv4 address like 172.20.0.10', description));

/** A value checked by one of the vocabulary's rules (no pattern for editors: STS's characters need Unicode classes). */
export const ruled = (problem: (value: string) => string | undefined, expects: string, description: string) =>
  v.pipe(
    v.string(`expected ${expects}`),
    v.rawCheck<string>(({ dataset, addIssue }) => {
      const why = dataset.typed ? problem(dataset.value) : undefined;
      if (why) addIssue({ message: `expected ${expects}: ${JSON.stringify(escapeControl(dataset.value as string))} ${why}` });
    }),
    v.description(description),
  );
