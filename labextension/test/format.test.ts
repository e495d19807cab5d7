// The status and toolbar item's words: one rounding rule (floor to the minute), the offer, the MFA words.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { formatRemaining, label, mfaWords } from '../src/format';
import { IRoleInfo } from '../src/protocol';

const NOW = Date.parse('2026-01-31T12:00:00Z');

function role(minutesLeft: number): IRoleInfo {
  return {
    profile: 'marketingadmin',
    role_arn: 'arn:aws:iam::123456789012:role/marketingadminrole',
    session_arn: 'arn:aws:sts::123456789012:assumed-role/marketingadminrole/s',
    account: '123456789012',
    region: 'us-east-1',
    expiration: new Date(NOW + minutesLeft * 60_000).toISOString()
  };
}

test('minutes are floored, as the kernel and the picker floor them', () => {
  for (let s = 60; s < 3600; s += 7) {
    assert.equal(formatRemaining(s), `${Math.floor(s / 60)}m`);
  }
  assert.equal(formatRemaining(3599), '59m'); // right after a one-hour assume: 59m, never 60
  assert.equal(formatRemaining(3600), '1h 00m');
  assert.equal(formatRemaining(59), '<1m');
});

test('the label counts down, warns in the last ten minutes, then says expired', () => {
  assert.equal(label(role(59.99), null, NOW).text, 'AWS: marketingadmin @ 123456789012 · 59m');
  assert.equal(label(role(59.99), null, NOW).level, 'ok');
  assert.equal(label(role(10), null, NOW).level, 'warning');
  assert.equal(label(role(-1), null, NOW).text, 'AWS: marketingadmin @ 123456789012 · expired');
});

test('a remembered profile is offered while no role is assumed, never over an active one', () => {
  const offer = label(null, null, NOW, 'marketingadmin');
  assert.equal(offer.text, 'AWS: assume marketingadmin again?');
  assert.equal(offer.level, 'offer');
  assert.equal(label(role(30), null, NOW, 'analyst').text.startsWith('AWS: marketingadmin'), true);
  assert.equal(label(null, null, NOW).text, 'AWS: none');
});

test('MFA words follow the kernel’s states', () => {
  assert.equal(mfaWords('code needed'), 'MFA code needed');
  assert.equal(mfaWords('session open'), 'MFA session open');
  assert.equal(mfaWords('no MFA'), '');
});

test('a role shared with Dask workers says with how many; none says nothing', () => {
  const shared = label(role(30), null, NOW, null, { sharing: { clusters: 1, workers: 4 } });
  assert.equal(shared.text, 'AWS: marketingadmin @ 123456789012 · 30m · 4 Dask workers');
  assert.match(shared.title, /Shared with 4 Dask workers \(1 cluster\)/);
  const one = label(role(30), null, NOW, null, { sharing: { clusters: 2, workers: 1 } });
  assert.equal(one.text.endsWith('· 1 Dask worker'), true);
  const none = label(role(30), null, NOW, null, { sharing: { clusters: 0, workers: 0 } });
  assert.equal(none.text, 'AWS: marketingadmin @ 123456789012 · 30m');
});

test('an SSO sign-in waiting for approval shows its code, over the role and the offer', () => {
  const login = {
    profile: 'datascientist',
    start_url: 'http://127.0.0.1:1/start',
    verification_uri: 'http://127.0.0.1:1/device',
    verification_uri_complete: 'http://127.0.0.1:1/device?user_code=ABCD-EFGH',
    user_code: 'ABCD-EFGH',
    expires_at: '2026-01-31T12:10:00Z'
  };
  const shown = label(role(30), null, NOW, 'analyst', { login });
  assert.equal(shown.text, 'AWS: sign-in code ABCD-EFGH');
  assert.match(shown.title, /datascientist/);
});

test('long-term keys say so instead of counting down to the kernel’s next read of them', () => {
  const keys = { ...role(59.99), long_term: true };
  assert.equal(label(keys, null, NOW).text, 'AWS: marketingadmin @ 123456789012 · long-term keys');
  assert.equal(label(keys, null, NOW).level, 'ok');
});
