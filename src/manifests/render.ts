/** Files to bytes (pure): the one place generated objects are serialised. */
import { emitYaml, emitYamlDocuments } from '../platform/yaml-out.js';
import type { ManifestFile } from './build.js';

export function renderFile(file: ManifestFile): string {
  if (file.kind === 'json') return `${JSON.stringify(file.value, null, 2)}\n`;
  if (file.multi) return emitYamlDocuments(file.documents, { header: file.header });
  return emitYaml(file.documents[0], { header: file.header });
}
