// The switcher's state machine: what Enter does with MFA profiles, arrows, and the kernel's answers.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { CHOOSE_PROFILE, SwitcherModel, TYPE_CODE } from '../src/model';
import { IProfileRow } from '../src/protocol';

function row(name: string, mfaState: string): IProfileRow {
  return {
    name,
    kind: 'role',
    role_arn: `arn:aws:iam::123456789012:role/${name}role`,
    source: 'user1',
    mfa: mfaState !== 'no MFA',
    region: 'us-east-1',
    problem: '',
    mfa_state: mfaState
  };
}

function model(): SwitcherModel {
  const m = new SwitcherModel();
  m.setProfiles([
    row('analyst', 'no MFA'),
    row('marketingadmin', 'code needed'),
    row('reporting', 'code needed')
  ]);
  return m;
}

test('typing until one row is left chooses it; Enter waits for the kernel, then asks for the code', () => {
  const m = model();
  assert.equal(m.setQuery('reportin'), true);
  assert.equal(m.selected, 'reporting');
  assert.equal(m.codeShown, true); // as the row says, before the kernel confirms
  assert.deepEqual(m.submit(''), { kind: 'wait' });
  m.needKnown('reporting', true);
  assert.deepEqual(m.submit(''), { kind: 'error', message: TYPE_CODE, focus: 'code' });
  assert.equal(m.codeShown, true); // the field stays: one state, not two competing ones
  assert.deepEqual(m.submit(' 123456 '), { kind: 'assume', profile: 'reporting', code: '123456' });
  assert.deepEqual(m.submit('123456'), { kind: 'busy' });
});

test('inside an open MFA session the kernel says no code: Enter assumes without one', () => {
  const m = model();
  m.setQuery('marketing');
  m.needKnown('marketingadmin', false); // the row was stale: the session opened since the list came
  assert.equal(m.codeShown, false);
  assert.deepEqual(m.submit(''), { kind: 'assume', profile: 'marketingadmin', code: null });
});

test('a late answer for a profile no longer chosen changes nothing', () => {
  const m = model();
  m.select('marketingadmin');
  m.select('analyst');
  m.needKnown('marketingadmin', true);
  assert.equal(m.codeShown, false);
  assert.equal(m.confirmed, false);
});

test('a refusal that needs a code shows the field and keeps the choice', () => {
  const m = model();
  m.select('analyst');
  m.needKnown('analyst', false);
  assert.equal(m.submit('').kind, 'assume');
  m.failed('Type the MFA code for this profile.', true);
  assert.equal(m.busy, false);
  assert.equal(m.selected, 'analyst');
  assert.equal(m.codeShown, true);
});

test('Enter with several rows and none chosen asks for a choice', () => {
  const m = model();
  assert.deepEqual(m.submit(''), { kind: 'error', message: CHOOSE_PROFILE, focus: 'filter' });
});

test('arrows move through the visible rows and stop at the ends; filtering unchooses hidden rows', () => {
  const m = model();
  assert.equal(m.move(1), true);
  assert.equal(m.selected, 'analyst');
  m.move(1);
  m.move(1);
  assert.equal(m.selected, 'reporting');
  assert.equal(m.move(1), false);
  m.move(-5);
  assert.equal(m.selected, 'analyst');
  m.setQuery('zzz');
  assert.equal(m.selected, null);
  assert.equal(m.move(1), false);
});

function page(prefix: string, from: number, count: number): IProfileRow[] {
  return Array.from({ length: count }, (_, i) =>
    row(`${prefix}${String(from + i).padStart(4, '0')}`, 'no MFA')
  );
}

test('pages add up to the total; the next page is asked only while there is more', () => {
  const m = new SwitcherModel();
  assert.equal(m.setPage('', page('team', 0, 200), 450, 0), true);
  assert.equal(m.more, true);
  assert.equal(m.setPage('', page('team', 400, 50), 450, 400), false); // out of turn
  assert.equal(m.setPage('', page('team', 200, 200), 450, 200), true);
  assert.equal(m.setPage('', page('team', 400, 50), 450, 400), true);
  assert.equal(m.profiles.length, 450);
  assert.equal(m.more, false);
});

test('typing narrows the loaded rows at once; a late answer for earlier words is dropped', () => {
  const m = new SwitcherModel();
  m.setPage('', page('team', 0, 200), 5000, 0);
  m.setQuery('team01');
  assert.equal(m.visible.length, 100); // team0100..team0199, narrowed here before the kernel answers
  assert.equal(m.more, false); // unknown until the kernel answers for these words
  assert.equal(m.setPage('', page('team', 200, 200), 5000, 200), false);
  assert.equal(m.setPage('team01', page('team01', 0, 200), 1000, 0), true);
  assert.equal(m.more, true);
});

test('a single row left is chosen only when it is the only match the kernel has', () => {
  const m = new SwitcherModel();
  m.setPage('', [...page('team', 0, 199), row('solo', 'no MFA')], 5000, 0);
  m.setQuery('solo');
  assert.equal(m.visible.length, 1);
  assert.equal(m.selected, null); // others named "solo…" may be on pages not loaded
  m.setPage('solo', [row('solo', 'no MFA')], 1, 0);
  assert.equal(m.selected, 'solo');
});

test('profiles that cannot be switched to are not shown', () => {
  const m = new SwitcherModel();
  m.setProfiles([row('analyst', 'no MFA'), { ...row('default', 'no MFA'), kind: 'empty' }]);
  assert.deepEqual(
    m.visible.map(r => r.name),
    ['analyst']
  );
});
