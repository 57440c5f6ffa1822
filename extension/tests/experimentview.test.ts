import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import {
  circuitsVisDocument,
  circuitsVisFigure,
  displayGroups,
  FIGURE_POLICY,
  figurePolicy,
  frameHeight,
  PLOTLY_MIME,
  plotlyDocument,
  plotlyFigure,
  plotlySummary,
  scriptTag,
  shownOutput,
  staticOutput
} from '../detail/outputformat';
import { hookNames, inputsText, rowActions, savedText, traceHeading, traceRows } from '../detail/torchformat';
import { experimentOfTab, experimentTab, opensHere } from '../detail/tabs';
import { IOutput } from '../lib/types';

const out = (mime: string): IOutput => ({ mime, sha256: mime, size: 1, truncated: false });

test('outputs split into the displays that made them, as the kernel keeps them', () => {
  const outputs = ['text/plain', 'text/html', PLOTLY_MIME, 'image/png', 'text/plain', 'image/svg+xml', 'image/png', 'text/html'].map(out);
  const groups = displayGroups(outputs).map(g => g.map(p => p.position));
  assert.deepEqual(groups, [[0, 1, 2, 3], [4, 5, 6], [7]]);
  assert.deepEqual(displayGroups([]), []);
  // An unknown type is a display of its own.
  assert.deepEqual(displayGroups(['text/plain', 'text/markdown', 'text/plain'].map(out)).map(g => g.length), [1, 1, 1]);
});

test('a display shows its richest form, Plotly before its HTML, and keeps its image as the fallback', () => {
  const [plotly] = displayGroups(['text/plain', 'text/html', PLOTLY_MIME, 'image/png'].map(out));
  assert.equal(shownOutput(plotly).output.mime, PLOTLY_MIME);
  assert.equal(staticOutput(plotly)?.output.mime, 'image/png');
  const [svg] = displayGroups(['text/plain', 'image/svg+xml'].map(out));
  assert.equal(shownOutput(svg).output.mime, 'image/svg+xml');
  const [text] = displayGroups([out('text/plain')]);
  assert.equal(shownOutput(text).position, 0);
  assert.equal(staticOutput(text), undefined);
});

const COMPACT =
  '<div id="circuits-vis-1a2b-3c" style="margin: 15px 0;"></div>\n<script type="module">\n' +
  '/* CircuitsVis bundle added by the report */\n' +
  'CircuitsVis.render("circuits-vis-1a2b-3c", CircuitsVis.AttentionPatterns, {"tokens": ["a", "</script>"], "attention": [[[1]]]})\n</script>';
const CDN =
  '<div id="circuits-vis-9f" style="margin: 15px 0;"/>\n<script crossorigin type="module">\n' +
  'import { render, AttentionPattern } from "https://unpkg.com/circuitsvis@1.43.2/dist/cdn/esm.js";\n' +
  'render(\n      "circuits-vis-9f",\n      AttentionPattern,\n      {"tokens": ["x"]}\n    )\n    </script>';

test('a CircuitsVis view is found in its compact and CDN forms, and nowhere else', () => {
  assert.deepEqual(circuitsVisFigure(COMPACT), {
    uuid: 'circuits-vis-1a2b-3c',
    name: 'AttentionPatterns',
    props: { tokens: ['a', '</script>'], attention: [[[1]]] }
  });
  assert.deepEqual(circuitsVisFigure(CDN), { uuid: 'circuits-vis-9f', name: 'AttentionPattern', props: { tokens: ['x'] } });
  assert.equal(circuitsVisFigure('<b>plain</b>'), null);
  assert.equal(circuitsVisFigure(COMPACT.replace('{"tokens"', '{tokens')), null); // props that are not JSON
});

const SCRIPT = 'http://127.0.0.1:8888/user/ana/logbook/scripts/circuitsvis-0123456789abcdef0123.js';

test('a CircuitsVis document loads its bundle from the one address its policy allows', () => {
  const doc = circuitsVisDocument(circuitsVisFigure(COMPACT)!, SCRIPT);
  assert.ok(doc.startsWith(`<meta http-equiv="Content-Security-Policy" content="${figurePolicy(SCRIPT)}">`));
  assert.ok(figurePolicy(SCRIPT).includes(`script-src ${SCRIPT} 'unsafe-inline'`));
  assert.ok(figurePolicy(SCRIPT).includes("default-src 'none'"));
  assert.ok(doc.includes(`<script src="${SCRIPT}"></script>`));
  // TensorFlow.js finds no WebGL before the bundle runs (its CPU backend draws the view in milliseconds).
  assert.ok(doc.indexOf('/webgl/i.test') < doc.indexOf(`<script src="${SCRIPT}">`));
  assert.ok(doc.includes('CircuitsVis.render("circuits-vis-1a2b-3c", CircuitsVis["AttentionPatterns"], {"tokens":["a","\\u003c/script>"]'));
  // The only closing tags are the document's own.
  assert.equal(doc.match(/<\/script>/g)!.length, doc.match(/<script[ >]/g)!.length);
});

test('a frame may load no script from anywhere else, nor from an address that could widen its policy', () => {
  assert.equal(figurePolicy(), FIGURE_POLICY);
  assert.ok(!FIGURE_POLICY.includes('http'));
  for (const bad of ['javascript:alert(1)', 'data:text/javascript,1', `${SCRIPT}?x=1`, 'http://h/a;b.js', "http://h/a'b.js"]) {
    assert.throws(() => figurePolicy(bad), bad);
  }
});

test('a Plotly figure is read from its JSON and drawn with plotly.js from its address', () => {
  const figure = plotlyFigure(JSON.stringify({ data: [{ type: 'bar', y: [1, 2] }, { y: [3] }], layout: { title: { text: 'Loss' } }, config: { displayModeBar: false } }))!;
  assert.equal(plotlySummary(figure), '2 traces: bar, scatter · “Loss”');
  const plotly = 'http://127.0.0.1:8888/logbook/scripts/plotly-0123456789abcdef0123.js';
  const doc = plotlyDocument(figure, plotly);
  assert.ok(doc.includes(`<script src="${plotly}"></script>`));
  assert.ok(doc.includes(`script-src ${plotly} 'unsafe-inline'`));
  assert.ok(doc.includes('Plotly.newPlot("logbook-plot", [{"type":"bar","y":[1,2]},{"y":[3]}], {"title":{"text":"Loss"}}, {"displaylogo":false,"responsive":true,"displayModeBar":false}).then('));
  assert.equal(plotlyFigure('not json'), null);
  assert.equal(plotlyFigure('{"layout": {}}'), null);
  assert.deepEqual(plotlyFigure('{"data": []}'), { data: [], layout: {}, config: {} });
});

test('a script address cannot close its attribute or element', () => {
  assert.equal(scriptTag('http://h/a"b<c&d'), '<script src="http://h/a&quot;b&lt;c&amp;d"></script>');
});

test('a frame is as tall as its content, within bounds', () => {
  assert.equal(frameHeight(450), 454);
  assert.equal(frameHeight(0), 60);
  assert.equal(frameHeight(1e9), 1600);
});

test('a bridge hook reads under the name the notebook used, its own name beside', () => {
  assert.deepEqual(hookNames({ hook_point: 'blocks.1.attn.o.hook_in', aliases: ['blocks.1.attn.hook_z'] }), {
    name: 'blocks.1.attn.hook_z',
    internal: ['blocks.1.attn.o.hook_in']
  });
  assert.deepEqual(hookNames({ hook_point: 'blocks.1.hook_in', aliases: ['blocks.0.hook_out', 'blocks.1.hook_resid_pre'] }), {
    name: 'blocks.1.hook_resid_pre',
    internal: ['blocks.1.hook_in', 'blocks.0.hook_out']
  });
  assert.deepEqual(hookNames({ hook_point: 'blocks.0.attn.hook_pattern' }), { name: 'blocks.0.attn.hook_pattern', internal: [] });
  assert.deepEqual(hookNames({ hook_point: 'embed.hook_out' }), { name: 'embed.hook_out', internal: [] });
});

test('an nnsight trace reads location by location: read, edited, replaced, skipped, saved', () => {
  const trace = {
    kind: 'trace',
    model: 'gpt2',
    backend: 'local',
    inputs: [{ text: 'the cat sat' }],
    reads: ['model.h.0.output', 'model.h.1.mlp.output', 'model.lm_head.output'],
    sets: ['model.h.0.mlp.output'],
    edited: ['model.h.1.mlp.output'],
    skips: ['model.h.1.skip'],
    saved: [
      { from: 'model.h.0.output', shape: [1, 3, 32], dtype: 'float32', device: 'cpu', name: 'hidden' },
      { shape: [1, 3, 32], dtype: 'float32', device: 'cpu', name: 'diff' }
    ]
  };
  const { rows, computed } = traceRows(trace);
  assert.deepEqual(rows.map(r => [r.location, rowActions(r)]), [
    ['model.h.0.output', 'read'],
    ['model.h.1.mlp.output', 'read · edited in place'],
    ['model.lm_head.output', 'read'],
    ['model.h.0.mlp.output', 'replaced (assigned)'],
    ['model.h.1.skip', 'skipped']
  ]);
  assert.deepEqual(rows[0].saved.map(savedText), ['hidden float32 [1, 3, 32] cpu']);
  assert.deepEqual(computed.map(savedText), ['diff float32 [1, 3, 32] cpu']);
  assert.equal(traceHeading(trace), 'trace · local · gpt2');
  assert.equal(inputsText(trace), '“the cat sat”');
  const remote = { kind: 'generate', backend: 'remote', remote: true, host: 'https://ndif.example', model: 'openai/gpt2', options: { max_new_tokens: 3 } };
  assert.equal(traceHeading(remote), 'generate · remote (https://ndif.example) · openai/gpt2 · max_new_tokens 3');
  assert.equal(inputsText({ kind: 'trace', inputs: [{ shape: [1, 4], dtype: 'float32' }, { texts: ['a', 'b'], len: 5 }] }), 'float32 [1, 4], “a”, “b” and 3 more');
  assert.equal(savedText({ type: 'tuple', len: 2 }), '(unnamed) tuple of 2');
});

test('an experiment tab names its experiment, so a reload opens it again', () => {
  assert.equal(experimentTab(42), 'jp-logbook-experiment-42');
  assert.equal(experimentOfTab(experimentTab(42)), 42);
  for (const other of ['jp-logbook-compare', 'jp-logbook-experiment-', 'jp-logbook-experiment-x', 'jp-logbook-experiment-0']) {
    assert.equal(experimentOfTab(other), null, other);
  }
});

test('a tab kept with the layout opens again only in the logbook it showed', () => {
  assert.equal(opensHere('/p/.logbook/logbook.db', '/p/.logbook/logbook.db'), true);
  assert.equal(opensHere('/p/.logbook/logbook.db', '/q/.logbook/logbook.db'), false); // another project's #3
  assert.equal(opensHere('/p/.logbook/logbook.db', null), false); // this logbook could not be read
  assert.equal(opensHere(null, '/p/.logbook/logbook.db'), false); // kept before the logbook was read
});
