/** Falsification templates for a hypothesis that is going well: pure functions, no DOM. */

import { IHypothesis, IPrediction } from './types';

export interface ITemplate {
  /** Short label on the card. */
  label: string;
  kind: 'expression' | 'text';
  /** What pre-fills the prediction box. */
  text: string;
  /** What to run so the prediction can be judged. */
  how: string;
}

/** ``expression`` with each of ``names`` renamed ``prefix_name``: the same claim on other values. */
export function renamed(expression: string, names: string[], prefix: string): string {
  let result = expression;
  for (const name of names) {
    result = result.replace(new RegExp(`(?<![\\w.])${name.replace(/[$]/g, '\\$')}(?!\\w)`, 'g'), `${prefix}_${name}`);
  }
  return result;
}

/** The prediction templates are built on: the latest expression prediction still in force, held ones first. */
function basis(h: IHypothesis): IPrediction | null {
  const usable = h.predictions.filter(p => p.kind === 'expression' && !p.superseded_by && p.names.length);
  return [...usable].reverse().sort((a, b) => Number(b.first_verdict === 'held') - Number(a.first_verdict === 'held'))[0] ?? null;
}

/** Falsification templates for ``h``: expressions built on its own prediction when it has one, words otherwise. */
export function redTeamTemplates(h: IHypothesis): ITemplate[] {
  const p = basis(h);
  const claim = p ? p.expression : h.statement;
  const words = (label: string, text: string, how: string): ITemplate => ({ label, kind: 'text', text, how });
  const metric = words(
    'another metric',
    `Measured with another metric (e.g. logit difference instead of loss), it still holds: ${claim}`,
    'Compute the claim with a second metric'
  );
  if (!p) {
    return [
      words('off-distribution', `On inputs unlike the ones it was built on, it still holds: ${claim}`, 'Build off-distribution inputs'),
      words('ablate / patch', `Ablating or patching the component it names removes the effect: ${claim}`, 'Ablate the claimed component'),
      words('random baseline', `On shuffled inputs or a randomly initialised model the effect is absent: ${claim}`, 'Run a random baseline'),
      words('another seed', `A model trained with another seed shows it too: ${claim}`, 'Train or load another seed'),
      words('larger model', `A larger model shows it too: ${claim}`, 'Run a larger model'),
      metric
    ];
  }
  const on = (prefix: string) => renamed(p.expression, p.names, prefix);
  const expression = (label: string, text: string, how: string): ITemplate => ({ label, kind: 'expression', text, how });
  const values = (prefix: string) => p.names.map(n => `${prefix}_${n}`).join(', ');
  return [
    expression('off-distribution', on('ood'), `Compute ${values('ood')} on inputs unlike the ones it was built on`),
    expression('ablate / patch', `not (${on('ablated')})`, `Ablate or patch the claimed component, then compute ${values('ablated')}: the effect should go`),
    expression('random baseline', `not (${on('shuffled')})`, `Compute ${values('shuffled')} on shuffled inputs or a random model: the effect should be absent`),
    expression('another seed', on('seed1'), `Compute ${values('seed1')} on a model trained with another seed`),
    expression('larger model', on('larger'), `Compute ${values('larger')} on a larger model`),
    metric
  ];
}

