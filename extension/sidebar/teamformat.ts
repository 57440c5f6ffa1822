/** Words for the team section: an author's line, and which records an author filter keeps. */

import { ITeamAuthor, ITeamExperiment, ITeamPrediction, ITeamRemark, ITeamView } from '../lib/types';

/** "ana (you) · 3 hypotheses · 2 open", "bob · damaged: not read" or "bob · does not verify". */
export function authorLine(a: ITeamAuthor): string {
  const who = a.mine ? `${a.author} (you)` : a.author;
  if (a.state !== 'ok') {
    return `${who} · ${a.state_words}`;
  }
  if (a.verified === false) {
    return `${who} · does not verify`;
  }
  const hypotheses = `${a.hypotheses} ${a.hypotheses === 1 ? 'hypothesis' : 'hypotheses'}`;
  return `${who} · ${hypotheses} · ${a.open_surprises} open`;
}

/** The author filter's value for everyone. */
export const EVERYONE = '';

/** The query that asks the server for the records of ``author`` (everyone: no filter). */
export function teamQuery(author: string): string {
  return author === EVERYONE ? 'team' : `team?author=${encodeURIComponent(author)}`;
}

/** The header count: "2 authors · 3 open", or "" when the project is no team project. */
export function teamCount(view: ITeamView): string {
  if (!view.team) {
    return '';
  }
  const open = view.authors.reduce((sum, a) => sum + a.open_surprises, 0);
  const authors = `${view.authors.length} author${view.authors.length === 1 ? '' : 's'}`;
  return open ? `${authors} · ${open} open` : authors;
}

/** What one can write on a teammate's record. */
export const REMARK_KINDS = ['comment', 'challenge', 'follow-up'] as const;
export type RemarkKind = (typeof REMARK_KINDS)[number];

/** The remark field's prompt for each kind. */
export function placeholderFor(kind: RemarkKind): string {
  return {
    comment: 'Your comment, then Enter',
    challenge: 'A prediction of yours that could break it, e.g. induction_score < 0.2',
    'follow-up': 'Your hypothesis that follows it up'
  }[kind];
}

/** "R1·ana comment: the score was on layer 0", "R2·ana challenge: score < 0.2 (H2.P1·ana)". */
export function remarkLine(r: ITeamRemark): string {
  const made = r.made ? ` (${r.made})` : '';
  return `${r.label} ${r.kind}: ${r.text}${made}`;
}

/** "H3.P1·ana held 0.80: score > 0.5". */
export function predictionLine(p: ITeamPrediction): string {
  return `${p.label} ${p.state} ${p.credence.toFixed(2)}: ${p.expression}`;
}

/** "E12·bob ok · probe.ipynb: cache = model.run_with_cache(x)" (a failed cell says so first). */
export function experimentLine(e: ITeamExperiment): string {
  const where = e.notebook ? ` · ${e.notebook.split('/').pop()}` : '';
  return `${e.label} ${e.ok ? 'ok' : 'failed'}${where}: ${e.summary}`;
}

/** Whether an author's line is a problem to show as one: a file not read, or a record that does not verify. */
export function authorProblem(a: ITeamAuthor): string {
  return a.state !== 'ok' ? a.problem : a.verified === false ? a.verify_problem : '';
}
