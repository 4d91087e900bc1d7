/**
 * ExternalDNS's TXT registry, read as ExternalDNS v0.22 reads it (pure):
 * `endpoint/labels.go` for the values, `registry/mapper/mapper.go` for the
 * names, `registry/txt/registry.go` for which record a registry entry claims.
 *
 *   value:  "heritage=external-dns,external-dns/owner=<id>,external-dns/resource=<kind>/<ns>/<name>"
 *   names:  old format   <prefix><name><suffix>          (claims every type at <name>)
 *           new format   <prefix><type>-<name><suffix>   (v0.18+; claims one type)
 *           with %{record_type} in the prefix or suffix, the type is written there instead.
 *
 * A suffix applies to the first label only (a-hello-sfx.devinfra.local).
 * Values that do not start with heritage=external-dns (encrypted ones, other
 * tools') are not registry entries: the record they sit beside has no owner
 * as far as bascule can tell.
 */

const HERITAGE = 'external-dns';
const TEMPLATE = '%{record_type}';
/** The types the mapper knows, in its order (it tries them in turn). */
const TYPES = ['A', 'AAAA', 'CNAME', 'NS', 'MX', 'PTR', 'SRV', 'NAPTR', 'TXT', 'DNAME'] as const;

export interface RegistryAffixes {
  /** --txt-prefix (may hold %{record_type}). */
  readonly prefix: string;
  /** --txt-suffix (used only when there is no prefix, as ExternalDNS does). */
  readonly suffix: string;
}

export const NO_AFFIXES: RegistryAffixes = { prefix: '', suffix: '' };

/** The labels of a registry value (owner, resource...), or undefined when it is not one. */
export function registryLabels(value: string): Record<string, string> | undefined {
  const text = value.replace(/^"+|"+$/g, '');
  const labels: Record<string, string> = {};
  let heritage = false;
  for (const token of text.split(',')) {
    const at = token.indexOf('=');
    if (at < 0) continue;
    const key = token.slice(0, at);
    const val = token.slice(at + 1);
    if (key === 'heritage') {
      if (val !== HERITAGE) return undefined;
      heritage = true;
    } else if (key.startsWith(`${HERITAGE}/`)) labels[key.slice(HERITAGE.length + 1)] = val;
  }
  return heritage ? labels : undefined;
}

/** The record name and type a registry TXT name claims (type '' for the old format); undefined when it claims none. */
export function registryTarget(txtName: string, affixes: RegistryAffixes = NO_AFFIXES): { name: string; type: string } | undefined {
  const name = txtName.toLowerCase().replace(/\.$/, '');
  const prefix = affixes.prefix.toLowerCase();
  const suffix = affixes.suffix.toLowerCase();
  if (suffix === '' || prefix !== '') return dropAffix(name, prefix, '', 'prefix');
  // A suffix sits at the end of the first label(s): as many labels as the suffix has dots, plus one.
  const dots = suffix.split('.').length - 1;
  const parts = name.split('.');
  if (parts.length <= dots) return undefined;
  const head = parts.slice(0, dots + 1).join('.');
  const rest = parts.slice(dots + 1).join('.');
  const found = dropAffix(head, '', suffix, 'suffix');
  if (!found) return undefined;
  return { name: rest ? `${found.name}.${rest}` : found.name, type: found.type };
}

function dropAffix(name: string, prefix: string, suffix: string, side: 'prefix' | 'suffix'): { name: string; type: string } | undefined {
  const affix = side === 'prefix' ? prefix : suffix;
  if (affix.includes(TEMPLATE)) {
    for (const type of TYPES) {
      const concrete = affix.replaceAll(TEMPLATE, type.toLowerCase());
      if (side === 'prefix' && name.startsWith(concrete)) return { name: name.slice(concrete.length), type };
      if (side === 'suffix' && name.endsWith(concrete)) return { name: name.slice(0, name.length - concrete.length), type };
    }
  }
  const plain = affix.replaceAll(TEMPLATE, '');
  if (side === 'prefix' && name.startsWith(plain)) return typeAtFront(name.slice(plain.length));
  if (side === 'suffix' && name.endsWith(plain)) return typeAtFront(name.slice(0, name.length - plain.length));
  return undefined;
}

function typeAtFront(name: string): { name: string; type: string } {
  const first = name.split('-')[0] as string;
  const type = TYPES.find((t) => t.toLowerCase() === first);
  return type ? { name: name.slice(first.length + 1), type } : { name, type: '' };
}

/** The registry TXT name ExternalDNS writes for a record (new format), for messages and tests. */
export function registryName(name: string, type: string, affixes: RegistryAffixes = NO_AFFIXES): string {
  const [first, ...rest] = name.toLowerCase().split('.');
  const t = type.toLowerCase();
  const withTemplate = affixes.prefix.includes(TEMPLATE) || affixes.suffix.includes(TEMPLATE);
  const prefix = affixes.prefix.toLowerCase().replaceAll(TEMPLATE, t);
  const suffix = affixes.suffix.toLowerCase().replaceAll(TEMPLATE, t);
  const head = `${prefix}${withTemplate ? '' : `${t}-`}${first}${suffix}`;
  return rest.length > 0 ? `${head}.${rest.join('.')}` : head;
}

/** --txt-prefix / --txt-suffix from an ExternalDNS container's args. */
export function affixesFromArgs(args: readonly string[]): RegistryAffixes {
  return { prefix: argValue(args, 'txt-prefix') ?? '', suffix: argValue(args, 'txt-suffix') ?? '' };
}

/** The value of a `--flag=value` (or `--flag value`) in args; the last one wins, as pflag does. */
export function argValue(args: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith(`--${name}=`)) value = a.slice(name.length + 3);
    else if (a === `--${name}` && i + 1 < args.length) value = args[++i] as string;
  }
  return value;
}

/** Every value of a repeatable flag. */
export function argValues(args: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith(`--${name}=`)) values.push(a.slice(name.length + 3));
    else if (a === `--${name}` && i + 1 < args.length) values.push(args[++i] as string);
  }
  return values;
}
