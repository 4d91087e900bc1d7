/**
 * `bascule fleet check [--fleet PATH]`, in the commands chunk: reads the
 * fleet, loads every platform file, and prints what two platforms share that
 * they must not (check.ts); exit 2 when anything is wrong.
 */
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { checkFleet, type FleetProblem } from './check.js';
import { readFleet } from '../platform/fleet-file.js';
import { findFleet } from '../platform/fleet-find.js';
import { loadMembers, type Member } from '../platform/fleet-members.js';

export interface FleetCheckFlags {
  fleet?: string;
  output?: string;
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - text.length));

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, (widths[i] as number) + 2))).join('')}`.trimEnd());
}

/** The fleet and its problems, for people (pure). */
export function fleetCheckText(source: string, members: readonly Member[], problems: readonly FleetProblem[]): string {
  const rows = [['PLATFORM', 'ACCOUNT', 'FILE', 'FROM']];
  for (const m of members) rows.push('platform' in m ? [m.platform.name, m.platform.aws.accountId, m.entry.file, m.entry.from] : ['?', '?', m.entry.file, `${m.entry.from}: does not load`]);
  const head = `fleet ${source}: ${members.length} platform${members.length === 1 ? '' : 's'}`;
  const tail = problems.length === 0 ? ['', 'ok: no two platforms share a name in an account, an owner id, a domain, or a cluster-name record'] : ['', `Problems (${problems.length})`, ...problems.flatMap((p) => p.message.split('\n').map((l, i) => `  ${i === 0 ? '-' : ' '} ${l}`))];
  return `${[head, ...table(rows), ...tail].join('\n')}\n`;
}

/** The same as JSON: every member, every problem (kind, files, fields, message). */
export function fleetCheckJson(source: string, members: readonly Member[], problems: readonly FleetProblem[]): string {
  const out = {
    fleet: source,
    ok: problems.length === 0,
    platforms: members.map((m) => ({ file: m.entry.file, from: m.entry.from, platform: 'platform' in m ? m.platform.name : null, account: 'platform' in m ? m.platform.aws.accountId : null, loads: 'platform' in m })),
    problems,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

export async function fleetCheckCommand(flags: FleetCheckFlags, io: Io): Promise<void> {
  const output = flags.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw usageError(`--output ${JSON.stringify(output)} is not supported`, 'use --output table (the default) or --output json');
  const fleet = readFleet(findFleet(flags.fleet, io), io.cwd);
  const members = loadMembers(fleet, io.cwd);
  const problems = checkFleet(members);
  io.stdout(output === 'json' ? fleetCheckJson(fleet.source, members, problems) : fleetCheckText(fleet.source, members, problems));
  if (problems.length > 0) {
    throw new BasculeError('config', `fleet check: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${fleet.source} (${[...new Set(problems.map((p) => p.kind))].join(', ')})`, {
      hint: 'fix each named field (docs/fleet.md says why each must differ), then run bascule fleet check again',
    });
  }
}
