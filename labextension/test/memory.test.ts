// What counts as a remembered profile in a notebook's metadata.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { provenanceOn, rememberedIn, updated } from '../src/memory';

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

test('provenance is on unless the metadata says false', () => {
  assert.equal(provenanceOn(undefined), true);
  assert.equal(provenanceOn({ profile: 'analyst' }), true);
  assert.equal(provenanceOn({ provenance: true }), true);
  assert.equal(provenanceOn({ provenance: 'false' }), true);
  assert.equal(provenanceOn({ provenance: false }), false);
});

test('remembering a profile keeps provenance off, and turning it on keeps the profile', () => {
  const off = updated(undefined, { provenance: false });
  assert.deepEqual(off, { provenance: false });
  const both = updated(off, { profile: 'analyst' });
  assert.deepEqual(both, { profile: 'analyst', provenance: false });
  assert.deepEqual(updated(both, { profile: undefined }), { provenance: false });
  assert.deepEqual(updated(both, { provenance: undefined }), { profile: 'analyst' });
  assert.equal(updated({ profile: 'analyst' }, { profile: undefined }), null);
});

test('only the known fields are written back', () => {
  assert.deepEqual(updated({ profile: 'analyst', token: 'x', provenance: 0 }, {}), {
    profile: 'analyst'
  });
});
