/**
 * The weighted shift's journal (version 2) under a golden: the journal a
 * completed shift of the unit world writes, byte for byte. A field renamed
 * or moved fails here, so a journal written by the previous version is
 * either read as it was or refused by name (shiftJournalProblem).
 */
import { describe, expect, it } from 'vitest';
import { shiftJournalProblem } from '../../src/cutover/shift-journal.js';
import { newWorld, shift } from '../support/shift-fakes.js';
import { golden, readRepoFile } from '../support/text.js';

const FILE = 'test/golden/shift-journal.json';

describe('the weighted shift journal, version 2', () => {
  it('a completed shift writes the golden journal', async () => {
    const w = newWorld();
    const r = await shift(w, { to: 'green', weights: '10,50,100', apply: true, allowOrphan: ['blog.devinfra.local'] });
    expect(r).toMatchObject({ kind: 'ran', outcome: 'completed' });
    golden(FILE, `${JSON.stringify(w.journal, null, 2)}\n`);
  });

  it('the golden is a journal this bascule reads; a field renamed or a version changed is refused by name', () => {
    const j = JSON.parse(readRepoFile(FILE)) as Record<string, unknown>;
    expect(shiftJournalProblem(j)).toBeUndefined();
    const renamed = (from: string, to: string) => {
      const { [from]: value, ...rest } = j;
      return { ...rest, [to]: value };
    };
    expect(shiftJournalProblem(renamed('before', 'prior'))).toBe('its before is malformed');
    expect(shiftJournalProblem(renamed('updatedAt', 'updated'))).toBe('its createdAt or updatedAt is missing');
    expect(shiftJournalProblem(renamed('pins', 'pinned'))).toBe('its pins are malformed');
    expect(shiftJournalProblem(renamed('at', 'step'))).toBe('its step undefined is unknown');
    expect(shiftJournalProblem({ ...j, version: 3 })).toBe('its version 3 is not one this bascule reads (2)');
    expect(shiftJournalProblem({ ...j, version: 1 })).toMatchObject({ problem: expect.stringMatching(/version 1/) });
  });
});
