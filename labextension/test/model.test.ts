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
