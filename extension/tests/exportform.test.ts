import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { defaultChoice, defaultPath, exportBody, problemWith, viewerFor, withExtension } from '../sidebar/exportform';

test('the file name follows the format, keeping what the person typed', () => {
  assert.equal(withExtension('research-log.html', 'md'), 'research-log.md');
  assert.equal(withExtension('logs/day 2.markdown', 'json'), 'logs/day 2.json');
  assert.equal(withExtension('Report.HTM', 'html'), 'Report.html');
  assert.equal(withExtension('notes', 'md'), 'notes.md');
  assert.equal(withExtension('log.txt', 'md'), 'log.txt.md');
  assert.equal(withExtension('logs/', 'html'), 'logs/research-log.html');
  assert.equal(withExtension('  ', 'json'), 'research-log.json');
  assert.equal(withExtension('.md', 'html'), '.md.html'); // a hidden name is the server's to refuse
});

test('the first file name is research-log in the export folder of the settings', () => {
  assert.equal(defaultPath('', 'html'), 'research-log.html');
  assert.equal(defaultPath('exports/', 'md'), 'exports/research-log.md');
  assert.equal(defaultPath('/exports//', 'json'), 'exports/research-log.json');
  assert.deepEqual(defaultChoice('out', 'md'), {
    title: '',
    path: 'out/research-log.md',
    format: 'md',
    since: '',
    until: '',
    hypotheses: null,
    open: true
  });
});

test('a choice that cannot be exported says why before anything is sent', () => {
  const choice = defaultChoice('');
  assert.equal(problemWith(choice), null);
  assert.equal(problemWith({ ...choice, path: ' ' }), 'Give a file name.');
  assert.equal(problemWith({ ...choice, path: 'logs/' }), 'Give a file name.');
  assert.equal(problemWith({ ...choice, path: 'log.md' }), 'An HTML export is named *.html or *.htm.');
  assert.equal(problemWith({ ...choice, path: 'log.htm' }), null);
  assert.equal(problemWith({ ...choice, since: '2026-12-02', until: '2026-12-01' }), '"From" (2026-12-02) is after "to" (2026-12-01).');
  assert.equal(problemWith({ ...choice, since: '2026-12-01', until: '2026-12-01' }), null);
  assert.equal(problemWith({ ...choice, hypotheses: [] }), 'Choose at least one hypothesis, or all of them.');
});

test('the body carries only what was chosen, and replace only when asked', () => {
  assert.deepEqual(exportBody(defaultChoice(''), false), { path: 'research-log.html', format: 'html', replace: false });
  const chosen = {
    ...defaultChoice('', 'md'),
    title: '  Heads, day 2 ',
    path: ' logs/day2.md ',
    since: '2026-11-25',
    until: '2026-11-26',
    hypotheses: ['H1', 'H3']
  };
  assert.deepEqual(exportBody(chosen, true), {
    path: 'logs/day2.md',
    format: 'md',
    replace: true,
    title: 'Heads, day 2',
    since: '2026-11-25',
    until: '2026-11-26',
    hypotheses: ['H1', 'H3']
  });
});

test('HTML opens in a browser tab, Markdown and JSON in their viewers', () => {
  assert.deepEqual(viewerFor('html'), { factory: 'HTML Viewer', browserTab: true });
  assert.deepEqual(viewerFor('md'), { factory: 'Markdown Preview', browserTab: false });
  assert.deepEqual(viewerFor('json'), { factory: 'JSON', browserTab: false });
});
