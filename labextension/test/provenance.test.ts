// The provenance record a cell keeps, and the words of its badge.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { badgeWords, recordIn } from '../src/provenance';

const RECORD = {
  profile: 'analyst',
  role_arn: 'arn:aws:iam::123456789012:role/analystrole',
  account: '123456789012'
};

test('a record keeps its three fields and nothing else', () => {
  assert.deepEqual(
    recordIn({ ...RECORD, expiration: '2026-01-31T12:00:00Z', secret_access_key: 'x' }),
    RECORD
  );
});

test('a missing or malformed record counts as none', () => {
  for (const bad of [
    undefined,
    null,
    'analyst',
    {},
    { ...RECORD, account: 123456789012 },
    { ...RECORD, profile: ' ' },
    { profile: 'analyst', role_arn: RECORD.role_arn }
  ]) {
    assert.equal(recordIn(bad), null);
  }
});

test('the badge shows profile and account, its label the role too', () => {
  const words = badgeWords(RECORD);
  assert.equal(words.profile, 'analyst');
  assert.equal(words.account, '123456789012');
  assert.match(words.label, /analyst.*123456789012.*arn:aws:iam::123456789012:role\/analystrole/);
});
