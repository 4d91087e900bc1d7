/**
 * What the weighted shift's steps report besides the actions both cut-overs
 * share (src/cutover/events.ts), as data: present.ts phrases them.
 */
import type { Colour } from '../platform/model.js';
import type { CutoverEvent } from '../cutover/events.js';

export type ShiftEvent =
  | { readonly kind: 'stage'; readonly index: number; readonly total: number; readonly target: number; readonly to: Colour }
  | { readonly kind: 'weight'; readonly share: number; readonly colour: Colour; readonly weight: number }
  | { readonly kind: 'weights-held'; readonly to: Colour; readonly from: Colour; readonly share: number; readonly names: number }
  | { readonly kind: 'flipped'; readonly colour: Colour }
  | { readonly kind: 'hold'; readonly share: number; readonly ok: boolean; readonly summary: string; readonly leftMs: number }
  | { readonly kind: 'held'; readonly share: number }
  | { readonly kind: 'reverting'; readonly share: number; readonly back: number; readonly reasons: readonly string[] }
  | { readonly kind: 'reverted'; readonly to: Colour; readonly from: Colour; readonly share: number }
  | { readonly kind: 'paused'; readonly share: number }
  | { readonly kind: 'zone-written'; readonly what: 'converted' | 'settled' | 'restored'; readonly zoneId: string; readonly names: readonly string[] }
  | { readonly kind: 'fence'; readonly colour: Colour; readonly deployments: readonly string[] }
  | { readonly kind: 'rolled-back-to'; readonly to: Colour; readonly share: number };

export type AnyEvent = CutoverEvent | ShiftEvent;
