/**
 * The journal state machine, as a table: from each state a switch can be
 * left in, what a new switch, --resume and --rollback do.
 */
import { describe, expect, it } from 'vitest';
import {
  beginRollback,
  blocksNewSwitch,
  changedAnything,
  describeJournal,
  isUnfinished,
  journalConsistency,
  journalProblem,
  newJournal,
  resumePlan,
  rollbackStepIds,
  SWITCH_STEPS,
  stepDone,
  stepFailed,
  stepStarted,
  type Before,
  type Journal,
  type StepId,
} from '../../src/cutover/switch-journal.js';

const T0 = new Date('2026-03-01T10:00:00Z');
const owner = { pid: 4242, host: 'laptop' };
const before = { api: { values: ['blue.example.com'], ttl: 60 }, txt: { values: ['"eks-blue"'], ttl: 60 }, replicas: { 'live-external-dns-private': 1, 'live-external-dns-public': 1 } };

const fresh = () => newJournal({ platform: 'devinfra', platformFile: '/p/platform.yaml', from: 'blue', to: 'green', steps: SWITCH_STEPS, now: T0, owner, pins: { platformHash: 'h', facts: {} } });

/** Runs steps through the state machine: "id" done, "id!" failed, "id~" started and cut short. */
function after(script: string[], start: Journal = fresh()): Journal {
  let j = start;
  for (const entry of script) {
    const id = entry.replace(/[!~]$/, '') as StepId;
    j = stepStarted(j, id, T0, owner);
    if (entry.endsWith('!')) j = stepFailed(j, id, T0, `${id} broke`);
    else if (!entry.endsWith('~')) j = stepDone(j, id, T0, id === 'preflight' ? { before } : {});
  }
  return j;
}

function rolledBackUntil(j: Journal, script: string[]): Journal {
  const begun = beginRollback(j, T0, owner);
  if ('refused' in begun) throw new Error(begun.refused);
  return after(script, begun.journal);
}

const ALL = ['preflight', 'stop-source', 'dns', 'start-target', 'postcheck', 'end-handover', 'record-live'];

interface Case {
  name: string;
  journal: () => Journal;
  state: Journal['state'];
  unfinished: boolean;
  blocks: boolean;
  resume: { operation: 'switch' | 'rollback'; steps: string[] } | { refused: RegExp };
  rollback: string[] | { refused: RegExp };
  describes: string;
}

const cases: Case[] = [
  {
    name: 'just created (the process died before preflight ended)',
    journal: () => after(['preflight~']),
    state: 'running',
    unfinished: true,
    blocks: false,
    resume: { operation: 'switch', steps: ALL },
    rollback: [],
    describes: 'switch blue -> green under way at step preflight (cut short)',
  },
  {
    name: 'preflight failed: nothing changed, a new switch replaces it',
    journal: () => after(['preflight!']),
    state: 'failed',
    unfinished: true,
    blocks: false,
    resume: { operation: 'switch', steps: ALL },
    rollback: [],
    describes: 'switch blue -> green stopped at step preflight (failed)',
  },
  {
    name: 'killed while stopping the source ExternalDNS',
    journal: () => after(['preflight', 'stop-source~']),
    state: 'running',
    unfinished: true,
    blocks: true,
    resume: { operation: 'switch', steps: ALL.slice(1) },
    rollback: ['rollback-preflight', 'start-source', 'rollback-postcheck', 'rollback-end-handover'],
    describes: 'switch blue -> green under way at step stop-source (cut short)',
  },
  {
    name: 'scaling the source down failed',
    journal: () => after(['preflight', 'stop-source!']),
    state: 'failed',
    unfinished: true,
    blocks: true,
    resume: { operation: 'switch', steps: ALL.slice(1) },
    rollback: ['rollback-preflight', 'start-source', 'rollback-postcheck', 'rollback-end-handover'],
    describes: 'switch blue -> green stopped at step stop-source (failed)',
  },
  {
    name: 'Route53 failed mid-way (maybe one of two batches applied)',
    journal: () => after(['preflight', 'stop-source', 'dns!']),
    state: 'failed',
    unfinished: true,
    blocks: true,
    resume: { operation: 'switch', steps: ALL.slice(2) },
    rollback: ['rollback-preflight', 'restore-dns', 'start-source', 'rollback-postcheck', 'rollback-end-handover'],
    describes: 'switch blue -> green stopped at step dns (failed)',
  },
  {
    name: 'starting the target failed',
    journal: () => after(['preflight', 'stop-source', 'dns', 'start-target!']),
    state: 'failed',
    unfinished: true,
    blocks: true,
    resume: { operation: 'switch', steps: ALL.slice(3) },
    rollback: ['rollback-preflight', 'stop-target', 'restore-dns', 'start-source', 'rollback-postcheck', 'rollback-end-handover'],
    describes: 'switch blue -> green stopped at step start-target (failed)',
  },
  {
    name: 'the post-check failed (DNS did not follow)',
    journal: () => after(['preflight', 'stop-source', 'dns', 'start-target', 'postcheck!']),
    state: 'failed',
    unfinished: true,
    blocks: true,
    resume: { operation: 'switch', steps: ['postcheck', 'end-handover', 'record-live'] },
    rollback: ['rollback-preflight', 'stop-target', 'restore-dns', 'start-source', 'rollback-postcheck', 'rollback-end-handover'],
    describes: 'switch blue -> green stopped at step postcheck (failed)',
  },
  {
    name: 'complete: a new switch may start; a rollback undoes everything, the file included',
    journal: () => after(ALL),
    state: 'completed',
    unfinished: false,
    blocks: false,
    resume: { refused: /is complete; there is nothing to resume/ },
    rollback: ['rollback-preflight', 'stop-target', 'restore-dns', 'start-source', 'rollback-postcheck', 'rollback-end-handover', 'restore-live'],
    describes: 'switch blue -> green complete',
  },
  {
    name: 'a rollback that failed: --resume and --rollback both continue it',
    journal: () => rolledBackUntil(after(['preflight', 'stop-source', 'dns!']), ['rollback-preflight', 'restore-dns', 'start-source!']),
    state: 'rollback-failed',
    unfinished: true,
    blocks: true,
    resume: { operation: 'rollback', steps: ['start-source', 'rollback-postcheck', 'rollback-end-handover'] },
    rollback: ['start-source', 'rollback-postcheck', 'rollback-end-handover'],
    describes: 'rollback of the switch blue -> green stopped at step start-source (failed)',
  },
  {
    name: 'rolled back: nothing to resume or undo; a new switch may start',
    journal: () => rolledBackUntil(after(['preflight', 'stop-source!']), ['rollback-preflight', 'start-source', 'rollback-postcheck', 'rollback-end-handover']),
    state: 'rolled-back',
    unfinished: false,
    blocks: false,
    resume: { refused: /was rolled back; there is nothing to resume/ },
    rollback: { refused: /is already rolled back/ },
    describes: 'switch blue -> green rolled back',
  },
];

describe('journal states', () => {
  it.each(cases)('$name', (c) => {
    const j = c.journal();
    expect(j.state).toBe(c.state);
    expect(isUnfinished(j)).toBe(c.unfinished);
    expect(blocksNewSwitch(j)).toBe(c.blocks);
    expect(describeJournal(j)).toBe(c.describes);
    expect(journalProblem(JSON.parse(JSON.stringify(j)))).toBeUndefined();
    expect(journalConsistency(j, { steps: SWITCH_STEPS, beforeProblem: () => undefined })).toBeUndefined();

    const resume = resumePlan(j);
    if ('refused' in c.resume) {
      expect('refused' in resume && resume.refused).toMatch(c.resume.refused);
    } else {
      expect(resume).toEqual(c.resume);
    }

    const begun = beginRollback(j, T0, owner);
    if (!Array.isArray(c.rollback)) {
      expect('refused' in begun && begun.refused).toMatch(c.rollback.refused);
    } else {
      if ('refused' in begun) throw new Error(begun.refused);
      expect(begun.steps).toEqual(c.rollback);
      expect(begun.journal.state).toBe(c.rollback.length === 0 ? 'rolled-back' : 'rolling-back');
      if (j.rollback === null) expect(rollbackStepIds(j)).toEqual(c.rollback);
    }
  });
});

describe('transitions', () => {
  it('a done step keeps its start time; the last one completes the journal; preflight records what it saw', () => {
    const t1 = new Date('2026-03-01T10:00:05Z');
    let j = stepStarted(fresh(), 'preflight', T0, owner);
    j = stepDone(j, 'preflight', t1, { before });
    expect(j.steps[0]).toEqual({ id: 'preflight', status: 'done', startedAt: T0.toISOString(), finishedAt: t1.toISOString() });
    expect(j.before).toEqual(before);
    expect(j.updatedAt).toBe(t1.toISOString());
    expect(j.state).toBe('running');
    expect(after(ALL).state).toBe('completed');
  });

  it('a failure records the error; starting again clears it and takes the journal over', () => {
    let j = after(['preflight', 'stop-source!']);
    expect(j.steps[1]).toMatchObject({ status: 'failed', error: 'stop-source broke' });
    const other = { pid: 7, host: 'ci' };
    j = stepStarted(j, 'stop-source', T0, other);
    expect(j.steps[1]).toEqual({ id: 'stop-source', status: 'running', startedAt: T0.toISOString() });
    expect(j.owner).toEqual(other);
    expect(j.state).toBe('running');
  });

  it('only mutating steps count as a change', () => {
    expect(changedAnything(after(['preflight']))).toBe(false);
    expect(changedAnything(after(['preflight', 'stop-source~']))).toBe(true);
  });

  it('an unknown step is a bug, not a silent no-op', () => {
    expect(() => stepStarted(fresh(), 'restore-dns', T0, owner)).toThrow(/no step restore-dns/);
  });
});

describe('journals edited by hand are refused, never obeyed', () => {
  const consistent = (j: Journal, beforeProblem: (b: Before) => string | undefined = () => undefined) => journalConsistency(j, { steps: SWITCH_STEPS, beforeProblem });
  it.each([
    ['steps reordered', () => ({ ...after(['preflight', 'stop-source!']), steps: [...after(['preflight', 'stop-source!']).steps].reverse() }), /its steps \(record-live, .*\) are not this switch's/],
    ['a step done after a pending one', () => {
      const j = after(['preflight', 'stop-source!']);
      return { ...j, steps: j.steps.map((s) => (s.id === 'dns' ? { ...s, status: 'done' as const } : s)) };
    }, /its steps are out of order \(preflight done, stop-source failed, dns done/],
    ['two steps failed', () => {
      const j = after(['preflight', 'stop-source!']);
      return { ...j, steps: j.steps.map((s) => (s.id === 'dns' ? { ...s, status: 'failed' as const } : s)) };
    }, /out of order/],
    ['before values without a preflight', () => ({ ...after(['preflight!']), before }), /holds before values its preflight did not record/],
    ['completed with steps left', () => ({ ...after(['preflight', 'stop-source']), state: 'completed' as const }), /its state completed does not match its steps/],
    ['a rollback that is not the inverse of what was done', () => {
      const j = rolledBackUntil(after(['preflight', 'stop-source!']), []);
      return { ...j, rollback: [{ id: 'restore-dns' as const, status: 'pending' as const }] };
    }, /its rollback steps \(restore-dns\) are not the inverse of what the switch did \(rollback-preflight, start-source/],
  ])('%s', (_, make, problem) => {
    expect(consistent(make())).toMatch(problem);
  });

  it('the before values are checked by the caller, who knows the switch', () => {
    expect(consistent(after(['preflight', 'stop-source!']), (b) => (b.api?.values[0] === 'blue.example.com' ? undefined : 'not blue'))).toBeUndefined();
    expect(consistent(after(['preflight', 'stop-source!']), () => 'the API record is not blue')).toMatch(/before values are not what a preflight can have recorded: the API record is not blue/);
  });
});

describe('journal files bascule will not trust', () => {
  const good = () => JSON.parse(JSON.stringify(fresh()));
  it.each([
    ['not an object', () => 'x', /not a bascule switch journal/],
    ['another kind', () => ({ ...good(), kind: 'kubeconfig' }), /not a bascule switch journal/],
    ['an earlier version', () => ({ ...good(), version: 1 }), /version 1 is not one this bascule reads \(2\)/],
    ['no pins', () => ({ ...good(), pins: undefined }), /pins no platform file/],
    ['a malformed lock', () => ({ ...good(), lock: { zoneId: 'Z' } }), /lock record is malformed/],
    ['a before TTL out of range', () => ({ ...good(), before: { ...before, api: { values: ['x'], ttl: -1 } } }), /before records are malformed/],
    ['same colours', () => ({ ...good(), to: 'blue' }), /colours are not blue and green/],
    ['unknown state', () => ({ ...good(), state: 'paused' }), /state "paused" is unknown/],
    ['unknown step', () => ({ ...good(), steps: [{ id: 'reboot', status: 'done' }] }), /steps are malformed/],
    ['no owner', () => ({ ...good(), owner: null }), /names no owner/],
  ])('%s', (_, make, problem) => {
    expect(journalProblem(make())).toMatch(problem);
  });
});
