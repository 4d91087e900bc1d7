/**
 * What the cut-over's steps report as they go, as data (the steps print
 * nothing): the presenter (present.ts) phrases each event for the terminal,
 * `--output json` could carry them as they are. Both cut-overs emit the same
 * events for the same actions.
 */
import type { Colour } from '../platform/model.js';
import type { Change } from '../production/records.js';
import type { LiveWrite } from './live-edit.js';

export type CutoverEvent =
  | { readonly kind: 'step-started'; readonly index: number; readonly total: number; readonly title: string }
  | { readonly kind: 'step-done'; readonly elapsedMs: number }
  | { readonly kind: 'step-failed' }
  | { readonly kind: 'api-answers'; readonly colour: Colour; readonly version: string; readonly clusterName: string }
  | { readonly kind: 'live-checked'; readonly to: Colour }
  | { readonly kind: 'scaled'; readonly colour: Colour; readonly deployment: string; readonly replicas: number }
  | { readonly kind: 'migration'; readonly colour: Colour; readonly deployment: string; readonly from: string | undefined }
  | { readonly kind: 'scaled-all'; readonly colour: Colour; readonly stopped: boolean }
  | { readonly kind: 'batch'; readonly zoneId: string; readonly changeId: string; readonly changes: readonly Change[] }
  | { readonly kind: 'insync' }
  | { readonly kind: 'txt-in-route53'; readonly name: string; readonly clusterName: string }
  | { readonly kind: 'dns-follows'; readonly record: string; readonly value: string; readonly where: string }
  | { readonly kind: 'production-follows'; readonly colour: Colour; readonly names: readonly string[] }
  | { readonly kind: 'token-accepted'; readonly txtName: string; readonly clusterName: string; readonly colour: Colour; readonly version: string }
  | { readonly kind: 'live-written'; readonly result: LiveWrite; readonly live: Colour }
  | { readonly kind: 'table'; readonly text: string }
  | { readonly kind: 'note'; readonly text: string };

export type Emit = (event: CutoverEvent) => void;
