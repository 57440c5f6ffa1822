/** Falsification templates for a hypothesis that is going well: pure functions, no DOM. */

import { IHypothesis, IPrediction } from '../lib/types';

export interface ITemplate {
  /** Short label on the card. */
  label: string;
  kind: 'expression' | 'text';
  /** What pre-fills the prediction box. */
  text: string;
  /** What to run so the prediction can be judged. */
  how: string;
}

const escape = (name: string) => name.replace(/[$]/g, '\\$');
const occurrence = (name: string) => new RegExp(`(?<![\\w.])${escape(name)}(?!\\w)`, 'g');

/** ``name`` with ``prefix``, unless it already starts with it: ``ablated_loss`` stays ``ablated_loss``. */
export function prefixed(name: string, prefix: string): string {
  return name.startsWith(`${prefix}_`) ? name : `${prefix}_${name}`;
}

/** ``expression`` with each of ``names`` renamed ``prefix_name`` (never twice): the same claim on other values. */
export function renamed(expression: string, names: string[], prefix: string): string {
  let result = expression;
  for (const name of names) {
    result = result.replace(occurrence(name), prefixed(name, prefix));
  }
  return result;
}

/** The name ``expression`` is about: the first of ``names`` in it (the left side of a comparison). */
export function subject(expression: string, names: string[]): string | null {
  let first: { name: string; at: number } | null = null;
  for (const name of names) {
    const at = expression.search(new RegExp(occurrence(name).source));
    if (at >= 0 && (!first || at < first.at)) {
      first = { name, at };
    }
  }
  return first?.name ?? null;
}

/** The prediction templates are built on: the hypothesis' first expression prediction that is not a red-team one. */
export function basis(h: IHypothesis): IPrediction | null {
  return h.predictions.find(p => p.kind === 'expression' && p.mode !== 'red-team' && !p.superseded_by && p.names.length) ?? null;
}

/** Falsification templates for ``h``: expressions built on its own prediction when it has one, words otherwise. */
export function redTeamTemplates(h: IHypothesis): ITemplate[] {
  const p = basis(h);
  const about = p ? subject(p.expression, p.names) : null;
  const words = (label: string, text: string, how: string): ITemplate => ({ label, kind: 'text', text, how });
  const metric = words(
    'another metric',
    `Measured with another metric${about ? ` than ${about}` : ''} (e.g. logit difference instead of loss), it still holds: ${h.statement}`,
    'Compute the claim with a second metric'
  );
  if (!p || !about) {
    const claim = h.statement;
    return [
      words('off-distribution', `On inputs unlike the ones it was built on, it still holds: ${claim}`, 'Build off-distribution inputs'),
      words('ablate / patch', `Ablating or patching the component it names removes the effect: ${claim}`, 'Ablate the claimed component'),
      words('random baseline', `On shuffled inputs or a randomly initialised model the effect is absent: ${claim}`, 'Run a random baseline'),
      words('another seed', `A model trained with another seed shows it too: ${claim}`, 'Train or load another seed'),
      words('larger model', `A larger model shows it too: ${claim}`, 'Run a larger model'),
      metric
    ];
  }
  const on = (prefix: string) => renamed(p.expression, [about], prefix);
  const value = (prefix: string) => prefixed(about, prefix);
  const expression = (label: string, text: string, how: string): ITemplate => ({ label, kind: 'expression', text, how });
  return [
    expression(
      'off-distribution',
      on('other_inputs'),
      `Compute ${value('other_inputs')} on inputs unlike the ones ${about} was computed on`
    ),
    expression('ablate / patch', `not (${on('ablated')})`, `Ablate or patch the claimed component, then compute ${value('ablated')}: the effect should go`),
    expression('random baseline', `not (${on('shuffled')})`, `Compute ${value('shuffled')} on shuffled inputs or a random model: the effect should be absent`),
    expression('another seed', on('seed1'), `Compute ${value('seed1')} on a model trained with another seed`),
    expression('larger model', on('larger'), `Compute ${value('larger')} on a larger model`),
    metric
  ];
}
