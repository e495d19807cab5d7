// Only web links are opened.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { isWebLink } from '../src/links';

test('http and https links with a host are web links', () => {
  assert.ok(isWebLink('https://signin.aws.amazon.com/federation?Action=login'));
  assert.ok(isWebLink('http://127.0.0.1:5000/federation?Action=login'));
});

test('scripts, data, files and relative paths are not', () => {
  for (const bad of [
    'javascript:alert(1)',
    'data:text/html,x',
    'file:///etc/passwd',
    '/lab',
    '',
    'https://'
  ]) {
    assert.equal(isWebLink(bad), false, bad);
  }
});
