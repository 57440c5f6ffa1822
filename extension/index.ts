/** Logbook for JupyterLab: the model, the sidebar, the status bar, the commands and the experiment view. */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { PageConfig } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { LabIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';

import { requestAPI } from './lib/api';
import { askForPair, CompareOpener, CompareView } from './detail/compare';
import { orderedPair, parseExperimentPair } from './detail/compareformat';
import { DetailOpener } from './detail/detail';
import { experimentOfTab, opensHere } from './detail/tabs';
import { addExportCommand } from './sidebar/exportdialog';
import { LogbookModel } from './lib/model';
import { RESEARCH_MODES } from './lib/words';
import { LogbookPanel } from './sidebar/panel';
import { DashboardWidget, preloadDashboard } from './dashboard/dashboard';
import { readyFigureScripts } from './detail/bundles';
import { LogbookStatus } from './sidebar/statusclock';
import { ModelChange } from './lib/state';
import { CommandIDs, ILogbookModel, ISurpriseRef, LOOKUP_SURPRISE_EVENT, SHOW_PREDICTION_EVENT, SHOW_SURPRISE_EVENT, SIDEBAR_ID, SURPRISES_CHANGED_EVENT } from './lib/tokens';
import { DEFAULT_SETTINGS, ILogbookSettings, ISurprise, Section } from './lib/types';

const PLUGIN_ID = 'jupyterlab-logbook:plugin';

const logbookIcon = new LabIcon({
  name: 'logbook:icon',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" ' +
    'd="M6 2h11a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H6a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm2 4v2h8V6H8zm0 4v2h8v-2H8zm0 4v2h5v-2H8z"/></svg>'
});

function readSettings(settings: ISettingRegistry.ISettings | null): ILogbookSettings {
  return { ...DEFAULT_SETTINGS, ...((settings?.composite ?? {}) as Partial<ILogbookSettings>) };
}

/** The model: one per page, following the server's change feed; its settings are the plugin's. */
const modelPlugin: JupyterFrontEndPlugin<ILogbookModel> = {
  id: PLUGIN_ID,
  description: 'The logbook: state, change feed and actions, shared by the sidebar, status bar and commands.',
  autoStart: true,
  provides: ILogbookModel,
  optional: [ISettingRegistry],
  activate: async (app: JupyterFrontEnd, registry: ISettingRegistry | null) => {
    const settings = registry ? await registry.load(PLUGIN_ID).catch(() => null) : null;
    const model = new LogbookModel({ request: requestAPI, settings: readSettings(settings) });
    const syncDrift = () => void model.syncDriftThreshold(model.settings.driftThreshold).catch(() => undefined);
    settings?.changed.connect(() => {
      model.settings = readSettings(settings);
      syncDrift();
    });
    if (settings && 'driftThreshold' in settings.user) {
      syncDrift(); // a threshold the user chose in Settings → Logbook; the default leaves the logbook's own
    }
    model.start();
    return model;
  }
};

/** Opens a notebook and scrolls to the cell with this id, if it still exists. */
async function openCell(docManager: IDocumentManager, path: string, cellId: string | null): Promise<void> {
  const widget = docManager.openOrReveal(path);
  if (!(widget instanceof NotebookPanel) || !cellId) {
    return;
  }
  await widget.context.ready;
  const notebook = widget.content;
  const index = notebook.widgets.findIndex(cell => cell.model.id === cellId);
  if (index >= 0) {
    notebook.activeCellIndex = index;
    await notebook.scrollToItem(index, 'center');
  }
}

/** The sidebar, the commands that act through it, and the experiment detail view. */
const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-logbook:sidebar',
  description: 'The Logbook sidebar: mode, brainstorm, surprises, hypotheses and experiments.',
  autoStart: true,
  requires: [ILogbookModel, IDocumentManager],
  optional: [ICommandPalette, ILayoutRestorer, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    model: ILogbookModel,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null
  ) => {
    const { commands, shell } = app;
    const compareThese = (oldId: number, newId: number) => void commands.execute(CommandIDs.compare, { old: oldId, new: newId });
    // The experiment and compare tabs open, kept with the layout and opened again after a reload.
    const experimentTabs = new WidgetTracker<MainAreaWidget>({ namespace: 'logbook-experiment' });
    const compareTabs = new WidgetTracker<MainAreaWidget<CompareView>>({ namespace: 'logbook-compare' });
    const detail = new DetailOpener(
      model,
      (path, cellId) => void commands.execute(CommandIDs.openCell, { path, cellId }),
      widget => {
        shell.add(widget, 'main');
        void experimentTabs.add(widget);
      },
      id => shell.activateById(id),
      compareThese
    );
    const compare = new CompareOpener(
      model,
      {
        openExperiment: id => void commands.execute(CommandIDs.openExperiment, { id }),
        chooseOther: () => void commands.execute(CommandIDs.compare, {}),
        compare: compareThese
      },
      widget => shell.add(widget, 'main'),
      id => shell.activateById(id)
    );
    const panel = new LogbookPanel(model, {
      team: String(PageConfig.getOption('logbookTeam')) === 'true',
      restored: app.restored,
      compare: compareThese,
      openExperiment: (id, query) => void commands.execute(CommandIDs.openExperiment, { id, query }),
      openExport: () => void commands.execute(CommandIDs.exportLog, {}),
      openDashboard: () => void commands.execute(CommandIDs.openDashboard),
      selectedCell: () => {
        const panel = notebooks?.currentWidget;
        const cell = panel?.content.activeCell;
        return panel && cell ? { path: panel.context.path, cellId: cell.model.id } : null;
      }
    });
    panel.title.icon = logbookIcon;
    shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, 'jupyterlab-logbook');
    // Each kept with the logbook it showed: the restorer's commands open it again only in that logbook.
    const logbook = () => model.status?.path ?? null;
    void restorer?.restore(experimentTabs, {
      command: CommandIDs.openExperiment,
      args: widget => ({ id: experimentOfTab(widget.id), keptFor: logbook() }),
      name: widget => widget.id
    });
    void restorer?.restore(compareTabs, {
      command: CommandIDs.compare,
      args: widget => {
        const [oldId, newId] = widget.content.pair ?? [0, 0];
        return { old: oldId, new: newId, keptFor: logbook() };
      },
      name: () => 'compare'
    });
    /** False for a tab the layout kept from another logbook (or when this one cannot be read). */
    const restoresHere = async (args: ReadonlyPartialJSONObject) =>
      !('keptFor' in args) || opensHere(args.keptFor, await logbookRead(model));

    commands.addCommand(CommandIDs.open, { label: 'Logbook: Open Sidebar', execute: () => shell.activateById(SIDEBAR_ID) });
    commands.addCommand(CommandIDs.showSection, {
      label: args => `Logbook: Show ${String(args.section ?? 'surprises')}`,
      execute: args => {
        shell.activateById(SIDEBAR_ID);
        panel.showSection(String(args.section ?? 'surprises') as Section);
      }
    });
    commands.addCommand(CommandIDs.brainstorm, {
      label: 'Logbook: Start Brainstorm Timer',
      execute: async () => {
        shell.activateById(SIDEBAR_ID);
        panel.showSection('brainstorm', false);
        await panel.brainstorm.startBrainstorm();
      }
    });
    commands.addCommand(CommandIDs.openExperiment, {
      label: args => `Logbook: Open Experiment #${args.id ?? ''}`,
      execute: async args => {
        if (await restoresHere(args)) {
          return detail.open(Number(args.id), String(args.query ?? ''));
        }
      }
    });
    commands.addCommand(CommandIDs.compare, {
      label: args =>
        args.old !== undefined && args.new !== undefined
          ? `Logbook: Compare Experiment #${args.old} with #${args.new}`
          : 'Logbook: Compare Experiments…',
      caption: 'Two experiments side by side: the source diff, values old → new, the verdicts and the outputs',
      execute: async args => {
        if (!(await restoresHere(args))) {
          return;
        }
        let pair: [number, number] | null;
        if (args.old !== undefined && args.new !== undefined) {
          const parsed = parseExperimentPair(String(args.old), String(args.new));
          if ('error' in parsed) {
            Notification.error(`Logbook: ${parsed.error}`, { autoClose: 6000 });
            return;
          }
          pair = parsed.ids;
        } else {
          // Two chosen in the sidebar, the pair compared now, or the experiment open in the detail view.
          const chosen = panel.experiments.chosen;
          const shown = compare.pair ?? (detail.current !== null ? [detail.current, null] : [null, null]);
          const initial = chosen.length === 2 ? orderedPair(chosen[0], chosen[1]) : shown;
          pair = await askForPair([initial[0] === null ? '' : String(initial[0]), initial[1] === null ? '' : String(initial[1])]);
        }
        if (pair) {
          const widget = await compare.open(pair[0], pair[1]);
          // Tracked once it shows a pair, so the layout never keeps a compare tab without one.
          void (compareTabs.has(widget) ? compareTabs.save(widget) : compareTabs.add(widget));
        }
      }
    });
    commands.addCommand(CommandIDs.openCell, {
      label: 'Logbook: Open the Cell of an Experiment',
      execute: args => openCell(docManager, String(args.path), (args.cellId as string | null) ?? null)
    });
    commands.addCommand(CommandIDs.showSurprise, {
      label: 'Logbook: Show a Surprise in the Inbox',
      execute: args => {
        shell.activateById(SIDEBAR_ID);
        panel.showSection('surprises', false);
        return panel.surprises.showSurprise(args as ISurpriseRef);
      }
    });
    document.addEventListener(SHOW_SURPRISE_EVENT, event => {
      const ref = (event as CustomEvent<ISurpriseRef>).detail ?? {};
      void commands.execute(CommandIDs.showSurprise, { ...(ref as any) });
    });
    document.addEventListener(SHOW_PREDICTION_EVENT, event => {
      const prediction = String((event as CustomEvent<{ prediction?: string }>).detail?.prediction ?? '');
      if (prediction) {
        shell.activateById(SIDEBAR_ID);
        panel.showSection('hypotheses', false);
        panel.hypotheses.showPrediction(prediction);
      }
    });
    // Cards under cells ask how their surprise stands; they ask again whenever the inbox changes.
    document.addEventListener(LOOKUP_SURPRISE_EVENT, event => {
      const { ref, reply } = (event as CustomEvent<{ ref: ISurpriseRef; reply: (s: ISurprise | null) => void }>).detail ?? {};
      if (ref && typeof reply === 'function') {
        void model.lookupSurprise(ref).then(reply, () => undefined);
      }
    });
    model.changed.connect((_, what) => {
      if (what === 'surprises') {
        document.dispatchEvent(new CustomEvent(SURPRISES_CHANGED_EVENT));
      }
    });
    palette?.addItem({ command: CommandIDs.open, category: 'Logbook' });
    palette?.addItem({ command: CommandIDs.brainstorm, category: 'Logbook' });
    palette?.addItem({ command: CommandIDs.showSection, category: 'Logbook', args: { section: 'surprises' } });
    palette?.addItem({ command: CommandIDs.compare, category: 'Logbook' });
  }
};

/** Commands that only need the model: switching mode and exporting. */
const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-logbook:commands',
  description: 'Logbook commands: switch the research mode, export the log.',
  autoStart: true,
  requires: [ILogbookModel, IDocumentManager],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, model: ILogbookModel, docManager: IDocumentManager, palette: ICommandPalette | null) => {
    app.commands.addCommand(CommandIDs.mode, {
      label: args => (args.mode ? `Logbook: Switch to ${args.mode} Mode` : 'Logbook: Switch Mode'),
      execute: args => model.switchMode(String(args.mode ?? 'explore'))
    });
    addExportCommand(app.commands, model, docManager, palette);
    for (const mode of RESEARCH_MODES) {
      palette?.addItem({ command: CommandIDs.mode, category: 'Logbook', args: { mode } });
    }
  }
};

/** The status-bar item: brainstorm clock and unread surprises. */
const statusPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-logbook:status',
  description: 'The brainstorm clock and the unread surprises in the status bar.',
  autoStart: true,
  requires: [ILogbookModel, IStatusBar],
  activate: (app: JupyterFrontEnd, model: ILogbookModel, statusBar: IStatusBar) => {
    const show = (section: Section) => () => void app.commands.execute(CommandIDs.showSection, { section });
    const item = new LogbookStatus(model, { showBrainstorm: show('brainstorm'), showSurprises: show('surprises') });
    const activeStateChanged = new Signal<LogbookStatus, void>(item);
    model.changed.connect(() => activeStateChanged.emit());
    statusBar.registerStatusItem('jupyterlab-logbook:clock', {
      item,
      align: 'left',
      rank: 50,
      isActive: () => model.brainstorm !== null || model.unread > 0,
      activeStateChanged
    });
  }
};

/** The research dashboard in the main area: the report's charts, live (from the palette and the sidebar's header). */
const dashboardPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-logbook:dashboard',
  description: 'The research dashboard: credence, calibration, surprises, modes, coverage and competing sets, live.',
  autoStart: true,
  requires: [ILogbookModel],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (app: JupyterFrontEnd, model: ILogbookModel, palette: ICommandPalette | null, restorer: ILayoutRestorer | null) => {
    const tracker = new WidgetTracker<MainAreaWidget<DashboardWidget>>({ namespace: 'logbook-dashboard' });
    app.commands.addCommand(CommandIDs.openDashboard, {
      label: 'Logbook: Open Dashboard',
      caption: 'Charts of the logbook, live: credence over time, calibration, surprises, modes, coverage, competing sets',
      icon: logbookIcon,
      execute: () => {
        let widget = tracker.currentWidget;
        if (!widget || widget.isDisposed) {
          widget = new MainAreaWidget({ content: new DashboardWidget(model) });
          widget.id = 'jp-logbook-dashboard';
          widget.title.label = 'Logbook dashboard';
          widget.title.icon = logbookIcon;
          widget.title.closable = true;
          void tracker.add(widget);
        }
        if (!widget.isAttached) {
          app.shell.add(widget, 'main');
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });
    palette?.addItem({ command: CommandIDs.openDashboard, category: 'Logbook' });
    void restorer?.restore(tracker, { command: CommandIDs.openDashboard, name: () => 'dashboard' });
    // Once JupyterLab has started and the sidebar has its first rows, vega loads in idle time (preloadDashboard),
    // and so do the scripts of the kinds of figure the logbook holds (readyFigureScripts).
    const firstRows = () => {
      model.changed.disconnect(firstRows);
      preloadDashboard();
      readyFigureScripts();
    };
    void app.restored.then(() => {
      model.changed.connect(firstRows);
      setTimeout(firstRows, 5000); // a logbook whose sections all came before JupyterLab was restored
    });
  }
};

export default [modelPlugin, sidebarPlugin, commandsPlugin, statusPlugin, dashboardPlugin];

/** The path of the logbook the server holds, once the model has read its status (null if it could not). */
function logbookRead(model: ILogbookModel): Promise<string | null> {
  if (model.status || model.error) {
    return Promise.resolve(model.status?.path ?? null);
  }
  return new Promise(resolve => {
    const read = (_: unknown, what: ModelChange) => {
      if (what === 'status') {
        model.changed.disconnect(read);
        resolve(model.status?.path ?? null);
      }
    };
    model.changed.connect(read);
  });
}
