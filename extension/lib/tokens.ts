/** What Logbook's plugins share: the model's token and the command ids. */

import { Token } from '@lumino/coreutils';

import { ILogbookModel as IModel } from './imodel';

/** The logbook: its state, change feed and actions (one per JupyterLab page); ``LogbookModel`` implements it. */
export type ILogbookModel = IModel;

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
  export const openDashboard = 'logbook:open-dashboard';
  export const compare = 'logbook:compare-experiments';
}

/** The DOM event a surprise card under a cell sends to ask the sidebar to show its surprise. */
export const SHOW_SURPRISE_EVENT = 'logbook-show-surprise';

/** The DOM event an inbox line sends to open a prediction's hypothesis card (``detail.prediction``: "H1.P2"). */
export const SHOW_PREDICTION_EVENT = 'logbook-show-prediction';

/** What the card knows of its surprise. */
export type { ISurpriseRef } from './types';

/** The DOM event a card under a cell sends to learn how its surprise stands (answered when the sidebar is loaded). */
export const LOOKUP_SURPRISE_EVENT = 'logbook-lookup-surprise';

/** The DOM event the sidebar sends when the inbox changed: cards under cells look their surprise up again. */
export const SURPRISES_CHANGED_EVENT = 'logbook-surprises-changed';

/** The sidebar's id in the shell. */
export const SIDEBAR_ID = 'jp-logbook-sidebar';
