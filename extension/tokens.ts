/** What Logbook's plugins share: the model's token and the command ids. */

import { Token } from '@lumino/coreutils';

import { LogbookModel } from './model';

/** The logbook: its state, change feed and actions (one per JupyterLab page). */
export type ILogbookModel = LogbookModel;

export const ILogbookModel = new Token<ILogbookModel>(
  'jupyterlab-logbook:model',
  'The logbook: state fetched from the server, kept current by its change feed, and its actions.'
);

export namespace CommandIDs {
  export const open = 'logbook:open';
  export const showSection = 'logbook:show-section';
  export const brainstorm = 'logbook:start-brainstorm';
  export const mode = 'logbook:switch-mode';
  export const exportLog = 'logbook:export';
  export const openExperiment = 'logbook:open-experiment';
  export const openCell = 'logbook:open-cell';
  export const showSurprise = 'logbook:show-surprise';
}

/** The DOM event a surprise card under a cell sends to ask the sidebar to show its surprise. */
export const SHOW_SURPRISE_EVENT = 'logbook-show-surprise';

/** What the card knows of its surprise. */
export interface ISurpriseRef {
  hypothesis_id?: string | null;
  prediction?: string | null;
  note?: string | null;
}

/** The sidebar's id in the shell. */
export const SIDEBAR_ID = 'jp-logbook-sidebar';
