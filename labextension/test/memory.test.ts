// What counts as a remembered profile in a notebook's metadata.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { rememberedIn } from '../src/memory';

test('only a non-empty profile name counts', () => {
  assert.equal(rememberedIn({ profile: 'marketingadmin' }), 'marketingadmin');
  for (const bad of [
    undefined,
    null,
    'marketingadmin',
    {},
    { profile: '' },
    { profile: '  ' },
    { profile: 3 }
  ]) {
    assert.equal(rememberedIn(bad), null);
  }
});
