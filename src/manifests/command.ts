/**
 * `bascule manifests --config platform.yaml --out DIR [--colour blue|green] [--force]`:
 * load the platform (with the manifests' own checks), read the files it
 * names (Linkerd's trust anchor), build every colour's files, check every
 * object against the Kubernetes schemas, serialise, then the one write.
 * Nothing is written unless all of it succeeded.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BasculeError, usageError } from '../errors.js';
import type { Io } from '../io.js';
import { systemProblem } from '../system-error.js';
import type { Colour, Platform } from '../platform/model.js';
import { checkCaPem } from '../platform/pem.js';
import { DEFAULT_PLATFORM_FILE, readPlatform } from '../platform/read.js';
import { COLOURS } from '../platform/schema.js';
import { buildColour, type ManifestsInputs } from './build.js';
import { manifestsChecks } from './checks.js';
import { writeManifests, type WriteReport } from './output.js';
import { renderFile } from './render.js';
import { validateFiles } from './validate.js';

export interface ManifestsFlags {
  config?: string;
  out?: string;
  colour?: string;
  force?: boolean;
}

export interface ManifestsPorts {
  readonly readFile: (path: string) => string;
}

const fileSystem: ManifestsPorts = { readFile: (path) => readFileSync(path, 'utf8') };

function selectedColours(flag: string | undefined): Colour[] {
  if (flag === undefined) return [...COLOURS];
  if (!(COLOURS as readonly string[]).includes(flag)) throw usageError(`--colour ${JSON.stringify(flag)}: expected blue or green`, 'omit --colour to write both');
  return [flag as Colour];
}

/** The files the platform names that the builders need, read and checked. */
export function readInputs(platform: Platform, colours: readonly Colour[], ports: ManifestsPorts): ManifestsInputs {
  const anchors = platform.linkerd.trustAnchorsFile;
  if (!anchors || !colours.some((c) => platform.clusters[c].addons.linkerd.enabled)) return {};
  let text: string;
  try {
    text = ports.readFile(anchors.file);
  } catch (error) {
    throw new BasculeError('config', `${platform.source}: ${anchors.path}: cannot read ${anchors.file}: ${systemProblem(error)}`, {
      hint: 'name the PEM file of the Linkerd trust anchor, relative to the platform file; nothing was written',
    });
  }
  const check = checkCaPem(text);
  if (!check.ok) throw new BasculeError('config', `${platform.source}: ${anchors.path}: ${anchors.file} ${check.reason}`, { hint: 'it holds the trust anchor certificate (PEM), never its key; nothing was written' });
  return { linkerdTrustAnchorsPem: check.pem };
}

export function manifestsCommand(flags: ManifestsFlags, io: Io, ports: ManifestsPorts = fileSystem): WriteReport {
  if (!flags.out) throw usageError('--out DIR is required', 'e.g. bascule manifests --config platform.yaml --out manifests');
  if (flags.out === '-') {
    throw usageError('--out -: the manifests are a directory of files (DIR/blue, DIR/green, with kustomizations), not one stream for standard output', 'name a directory, e.g. --out manifests');
  }
  const colours = selectedColours(flags.colour);
  const platform = readPlatform(flags.config ?? DEFAULT_PLATFORM_FILE, io.cwd, manifestsChecks);
  const inputs = readInputs(platform, colours, ports);

  const files = colours.flatMap((colour) => buildColour(platform, colour, inputs));
  const problems = validateFiles(files);
  if (problems.length > 0) {
    throw new BasculeError('internal', `generated objects fail the Kubernetes schemas (nothing was written):\n  ${problems.join('\n  ')}`, {
      hint: 'this is a bug in bascule; please report it with your platform file',
    });
  }
  const rendered = files.map((f) => ({ path: f.path, text: renderFile(f) }));
  io.verbose?.(`platform ${platform.name} (${platform.source}): ${colours.join(' and ')}, ${rendered.length} files rendered, into ${resolve(io.cwd, flags.out)}`);
  const report = writeManifests(resolve(io.cwd, flags.out), rendered, { scopes: colours, force: flags.force === true });
  for (const path of report.written) io.verbose?.(`wrote ${path}`);
  if (report.unchanged.length > 0) io.verbose?.(`skipped ${report.unchanged.length} unchanged file(s)`);

  const out = flags.out.replace(/\/$/, '');
  for (const colour of colours) {
    const mine = rendered.filter((f) => f.path.startsWith(`${colour}/`)).length;
    const wrote = report.written.filter((p) => p.startsWith(`${colour}/`)).length;
    io.stderr(`${out}/${colour}: ${mine} files (${wrote === 0 ? 'up to date' : `${wrote} written`}), ${platform.clusters[colour].name}${colour === platform.live ? ', live' : ''}\n`);
  }
  if (report.removed.length > 0) io.stderr(`removed ${report.removed.length} file(s) bascule no longer generates: ${report.removed.join(', ')}\n`);
  if (report.overwritten.length > 0) io.stderr(`overwrote (--force) ${report.overwritten.join(', ')}\n`);
  if (report.kept.length > 0) io.stderr(`left alone (not bascule's): ${report.kept.join(', ')}\n`);
  return report;
}
