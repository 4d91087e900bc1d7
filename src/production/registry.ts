/**
 * ExternalDNS's TXT registry, read as ExternalDNS v0.22 reads it (pure):
 * `endpoint/labels.go` for the values, `registry/mapper/mapper.go` for the
 * names, `registry/txt/registry.go` for which record an entry claims.
 *
 *   value:  "heritage=external-dns,external-dns/owner=<id>,external-dns/resource=<kind>/<ns>/<name>"
 *   names:  old format   <prefix><name><suffix>          (claims every type at <name> but AAAA)
 *           new format   <prefix><type>-<name><suffix>   (v0.18+; claims one type; v0.22 writes only this)
 *           with %{record_type} in the prefix or suffix, the type is written there instead.
 *   an alias A record is also claimed by a `cname-` entry (the name older versions wrote).
 *
 * A suffix applies to the first label only (a-hello-sfx.devinfra.local). An
 * entry carries the SetIdentifier of the record it claims. A value that does
 * not start with heritage=external-dns at a new-format name is an entry bascule
 * cannot read (`--txt-encrypt-enabled`, another tool): its record's owner is
 * unknown, never assumed.
 */
import { normName } from './names.js';
import type { RecordSet } from './records.js';

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
  if (!value.includes('heritage=')) return undefined;
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

/** Is this TXT value a registry entry (heritage=external-dns)? */
export const isRegistryValue = (value: string): boolean => registryLabels(value) !== undefined;

/** The record name and type a registry TXT name claims (type '' for the old format); undefined when it claims none. */
export function registryTarget(txtName: string, affixes: RegistryAffixes = NO_AFFIXES): { name: string; type: string } | undefined {
  return targetOfNormal(normName(txtName), affixes);
}

/** registryTarget of a name already in the normal form (the inventory's: no copy made). */
function targetOfNormal(name: string, affixes: RegistryAffixes): { name: string; type: string } | undefined {
  const prefix = affixes.prefix.toLowerCase();
  const suffix = affixes.suffix.toLowerCase();
  if (suffix === '' || prefix !== '') return dropAffix(name, prefix, 'prefix');
  // A suffix sits at the end of the first label(s): as many labels as the suffix has dots, plus one.
  const dots = suffix.split('.').length - 1;
  const parts = name.split('.');
  if (parts.length <= dots) return undefined;
  const head = parts.slice(0, dots + 1).join('.');
  const rest = parts.slice(dots + 1).join('.');
  const found = dropAffix(head, suffix, 'suffix');
  if (!found) return undefined;
  return { name: rest ? `${found.name}.${rest}` : found.name, type: found.type };
}

function dropAffix(name: string, affix: string, side: 'prefix' | 'suffix'): { name: string; type: string } | undefined {
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

const BY_LOWER = new Map<string, string>(TYPES.map((t) => [t.toLowerCase(), t]));

function typeAtFront(name: string): { name: string; type: string } {
  const dash = name.indexOf('-');
  const type = dash > 0 ? BY_LOWER.get(name.slice(0, dash)) : undefined;
  return type ? { name: name.slice(dash + 1), type } : { name, type: '' };
}

/** The registry TXT name ExternalDNS v0.22 writes for a record (new format). */
export function registryName(name: string, type: string, affixes: RegistryAffixes = NO_AFFIXES): string {
  const [first, ...rest] = normName(name).split('.');
  const t = type.toLowerCase();
  const withTemplate = affixes.prefix.includes(TEMPLATE) || affixes.suffix.includes(TEMPLATE);
  const prefix = affixes.prefix.toLowerCase().replaceAll(TEMPLATE, t);
  const suffix = affixes.prefix ? '' : affixes.suffix.toLowerCase().replaceAll(TEMPLATE, t);
  const head = `${prefix}${withTemplate ? '' : `${t}-`}${first}${suffix}`;
  return rest.length > 0 ? `${head}.${rest.join('.')}` : head;
}

/** A registry value as ExternalDNS writes it (labels sorted, quoted). */
export function registryValue(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return `"${[`heritage=${HERITAGE}`, ...keys.map((k) => `${HERITAGE}/${k}=${labels[k]}`)].join(',')}"`;
}

/** What the registry says of one record set. */
export interface RegistryEntry {
  /** The owner id; undefined when the entry cannot be read (encrypted, another tool's value). */
  readonly owner: string | undefined;
  readonly resource: string | undefined;
  /** The TXT record set holding the entry. */
  readonly set: RecordSet;
}

/** The registry entries of one zone, indexed by what they claim (built once, looked up per record). */
export interface RegistryIndex {
  /** The entry claiming this record set, by ExternalDNS's lookup order; undefined: no entry. */
  claim(set: RecordSet): RegistryEntry | undefined;
}

const key = (name: string, type: string, setIdentifier: string | undefined) => `${name}\n${type}\n${setIdentifier ?? ''}`;

/** Indexes the registry entries among a zone's record sets (linear in the zone). */
export function registryIndex(records: Iterable<RecordSet>, affixes: RegistryAffixes = NO_AFFIXES): RegistryIndex {
  const entries = new Map<string, RegistryEntry>();
  for (const r of records) {
    if (r.type !== 'TXT') continue;
    const target = targetOfNormal(r.name, affixes);
    if (!target) continue;
    for (const value of r.values ?? []) {
      const labels = registryLabels(value);
      // A plain TXT at a record's own name is just a TXT record; at a new-format name it is an unreadable entry.
      if (!labels && target.type === '') continue;
      const k = key(target.name, target.type, r.setIdentifier);
      if (!entries.has(k) || labels) entries.set(k, { owner: labels?.owner, resource: labels?.resource, set: r });
    }
  }
  return {
    claim(set) {
      const found = entries.get(key(set.name, set.type, set.setIdentifier));
      if (found) return found;
      if (set.type === 'A' && set.alias) {
        const legacy = entries.get(key(set.name, 'CNAME', set.setIdentifier));
        if (legacy) return legacy;
      }
      return set.type === 'AAAA' ? undefined : entries.get(key(set.name, '', set.setIdentifier));
    },
  };
}

/** --txt-prefix / --txt-suffix from an ExternalDNS container's args. */
export function affixesFromArgs(args: readonly string[]): RegistryAffixes {
  return { prefix: argValue(args, 'txt-prefix') ?? '', suffix: argValue(args, 'txt-suffix') ?? '' };
}

/** The value of a `--flag=value` (or `--flag value`) in args; the last one wins, as pflag does. */
export function argValue(args: readonly string[], name: string): string | undefined {
  return argValues(args, name).at(-1);
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
