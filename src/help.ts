/**
 * What each command's --help ends with, as kubectl's do: a few examples (a
 * comment, then the command line) and the page of docs/ it belongs to. One
 * table, keyed by the command's path; program.ts adds it to every command,
 * and test/unit/help.test.ts checks every command has 2-4 examples whose flags
 * the command takes, and a page that exists.
 */

export interface CommandHelp {
  /** [what it does, the command line] */
  readonly examples: readonly (readonly [string, string])[];
  /** A page of the repository (docs/..., or README.md). */
  readonly doc: string;
}

const ROLE = 'arn:aws:iam::123456789012:role/k8s-admin';

export const HELP: Readonly<Record<string, CommandHelp>> = {
  '': {
    examples: [
      ['a commented starter platform file, then kubeconfig entries merged into ~/.kube/config', 'bascule init && bascule kubeconfig --merge'],
      ["each colour's manifests", 'bascule manifests --out manifests'],
      ['kubectl says Unauthorized? each link, and the fix', 'bascule doctor'],
    ],
    doc: 'README.md',
  },
  token: {
    examples: [
      ['what kubectl runs (bascule kubeconfig writes it): the cluster the TXT record names, signed as a role', `bascule token -i eks.devinfra.info -r ${ROLE} --allow-cluster 'eks-*'`],
      ['a plain cluster name: no DNS lookup', 'bascule token -i eks-green --region eu-west-3'],
      ['the bare token, and what was resolved on the way (on stderr)', 'bascule token -i eks.devinfra.info --token-only -v'],
    ],
    doc: 'docs/token.md',
  },
  eks: {
    examples: [
      ['what `aws eks update-kubeconfig` writes, with bascule as the command', 'bascule --region eu-west-3 eks get-token --cluster-name eks-green --output json'],
      ['the same, assuming a role', `bascule eks get-token --cluster-name eks-green --role-arn ${ROLE}`],
    ],
    doc: 'docs/token.md',
  },
  'eks get-token': {
    examples: [
      ['what `aws eks update-kubeconfig` writes, with bascule as the command', 'bascule --region eu-west-3 eks get-token --cluster-name eks-green --output json'],
      ['the same, assuming a role', `bascule eks get-token --cluster-name eks-green --role-arn ${ROLE}`],
    ],
    doc: 'docs/token.md',
  },
  cache: {
    examples: [
      ['the cached tokens: cluster, role, age, expiry (never the token)', 'bascule cache list'],
      ['delete them all: the next kubectl command signs afresh', 'bascule cache clear'],
    ],
    doc: 'docs/token.md#the-token-cache',
  },
  'cache clear': {
    examples: [
      ['delete every cached token: the next kubectl command signs afresh', 'bascule cache clear'],
      ['the cache of another kubectl cache directory', 'KUBECACHEDIR=/srv/kube-cache bascule cache clear'],
    ],
    doc: 'docs/token.md#the-token-cache',
  },
  'cache list': {
    examples: [
      ['the cached tokens, their age and expiry (never the token)', 'bascule cache list'],
      ['for a script', "bascule cache list -o json | jq '.entries[].cluster'"],
    ],
    doc: 'docs/token.md#the-token-cache',
  },
  init: {
    examples: [
      ['a commented platform.yaml here, to fill in', 'bascule init'],
      ['elsewhere, replacing one (kept as .bak)', 'bascule init -o infra/platform.yaml --force'],
      ['read it first', 'bascule init -o - | less'],
    ],
    doc: 'docs/kubeconfig.md',
  },
  schema: {
    examples: [
      ['the JSON Schema, for an editor (yaml-language-server)', 'bascule schema > platform.schema.json'],
      ['the top-level keys', "bascule schema | jq '.properties | keys'"],
    ],
    doc: 'docs/kubeconfig.md',
  },
  kubeconfig: {
    examples: [
      ['every access level, merged into your kubeconfig as kubectl would (a backup is kept)', 'bascule kubeconfig --config platform.yaml --merge'],
      ['what the lead devs get, as a file of its own', 'bascule kubeconfig --access readwrite --out kubeconfig-readwrite.yaml'],
      ['endpoints and CAs read from EKS instead of the platform file', 'bascule kubeconfig --fetch --merge --profile admin'],
      ['every platform of the fleet, each entry prefixed by its platform, in one merge', 'bascule kubeconfig --fleet fleet.yaml --merge'],
    ],
    doc: 'docs/kubeconfig.md',
  },
  manifests: {
    examples: [
      ["each colour's manifests: manifests/blue, manifests/green", 'bascule manifests --config platform.yaml --out manifests'],
      ['one colour', 'bascule manifests --out manifests --colour green'],
      ['into a directory holding other files (overwrites only its own)', 'bascule manifests --out infra/k8s --force'],
    ],
    doc: 'docs/manifests.md',
  },
  status: {
    examples: [
      ['which colour is live, and do DNS, the platform file and the clusters agree', 'bascule status --config platform.yaml --access admin'],
      ['for a script (exit 3 when something disagrees)', 'bascule status --access admin -o json'],
      ['every platform of the fleet in one table (exit 0 only when all agree)', 'bascule status --fleet fleet.yaml --access admin'],
    ],
    doc: 'docs/switch.md',
  },
  switch: {
    examples: [
      ['the plan: each step, and what production is', 'bascule switch --to green --access admin'],
      ['do it, each step checked and journalled', 'bascule switch --to green --access admin --apply'],
      ['after a failure: continue, or undo', 'bascule switch --resume --access admin'],
      ['in weighted stages, held and watched', 'bascule switch --to green --weights 10,50,100 --hold 10m --access admin --apply'],
    ],
    doc: 'docs/switch.md',
  },
  fleet: {
    examples: [
      ['what no two platforms of the fleet may share: names per account, owner ids, domains, cluster-name records', 'bascule fleet check'],
      ['another fleet: a fleet file, or a directory of platform files', 'bascule fleet check --fleet ~/infra/platforms'],
    ],
    doc: 'docs/fleet.md',
  },
  'fleet check': {
    examples: [
      ['the nearest fleet.yaml (or $BASCULE_FLEET): exit 2 naming both files and the field of each clash', 'bascule fleet check'],
      ['for a script', 'bascule fleet check --fleet fleet.yaml -o json'],
    ],
    doc: 'docs/fleet.md#bascule-fleet-check',
  },
  drain: {
    examples: [
      ["are blue's load balancers quiet? (exit 3 while they receive)", 'bascule drain --colour blue'],
      ['wait until they are', 'bascule drain --colour blue --watch 15m'],
    ],
    doc: 'docs/switch.md#bascule-drain',
  },
  verify: {
    examples: [
      ['a token checked as EKS checks it, and the identity it maps', 'bascule token -i eks-green --token-only | bascule verify -t - -i eks-green'],
      ['for a script (an exit code per failure)', 'bascule verify -t "$TOKEN" -i eks-green -o json'],
    ],
    doc: 'docs/doctor.md',
  },
  doctor: {
    examples: [
      ["kubectl says Unauthorized: every link of the current context's token", 'bascule doctor'],
      ['another context', 'bascule doctor --context devinfra-admin'],
      ['no kubeconfig: the cluster and role named directly', `bascule doctor -i eks.devinfra.info -r ${ROLE} --region eu-west-3`],
    ],
    doc: 'docs/doctor.md',
  },
  version: {
    examples: [
      ['the version, the commit and the runtime (bun or node)', 'bascule version'],
      ['for a script', 'bascule version -o json'],
    ],
    doc: 'docs/install.md',
  },
  completion: {
    examples: [
      ['bash', 'bascule completion bash > ~/.local/share/bash-completion/completions/bascule'],
      ['zsh (with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc)', 'bascule completion zsh > ~/.zfunc/_bascule'],
      ['fish', 'bascule completion fish > ~/.config/fish/completions/bascule.fish'],
    ],
    doc: 'docs/terminal.md#completion',
  },
};

/** The text after a command's help: its examples, then its page. */
export function helpAfter(help: CommandHelp): string {
  const examples = help.examples.map(([what, line]) => `  # ${what}\n  ${line}`).join('\n\n');
  const docs = help.doc === 'README.md' ? "README.md in bascule's source, and a page of docs/ for each command" : `${help.doc} in bascule's source (README.md for the overview)`;
  return `\nExamples:\n${examples}\n\nDocs: ${docs}\n`;
}
