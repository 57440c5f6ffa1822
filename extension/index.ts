/** Logbook for JupyterLab: the sidebar, its commands, the status-bar clock and the settings. */

import { ILabShell, ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { ILogbookSettings, LogbookSidebar } from './sidebar';

const PLUGIN_ID = 'jupyterlab-logbook:plugin';

namespace CommandIDs {
  export const open = 'logbook:open';
  export const brainstorm = 'logbook:start-brainstorm';
  export const mode = 'logbook:switch-mode';
  export const exportLog = 'logbook:export';
}

const logbookIcon = new LabIcon({
  name: 'logbook:icon',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" ' +
    'd="M6 2h11a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H6a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm2 4v2h8V6H8zm0 4v2h8v-2H8zm0 4v2h5v-2H8z"/></svg>'
});

const DEFAULTS: ILogbookSettings = {
  brainstormMinutes: 5,
  brainstormTarget: 4,
  defaultCredence: 0.5,
  exportFolder: ''
};

function readSettings(settings: ISettingRegistry.ISettings | null): ILogbookSettings {
  if (!settings) {
    return DEFAULTS;
  }
  const composite = settings.composite as Partial<ILogbookSettings>;
  return { ...DEFAULTS, ...composite };
}

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

class ClockItem extends Widget {
  constructor() {
    super();
    this.addClass('jp-Logbook-statusClock');
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'A research logbook and surprise tracker.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, IStatusBar, ILabShell],
  activate: async (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    registry: ISettingRegistry | null,
    statusBar: IStatusBar | null
  ) => {
    const settings = registry ? await registry.load(PLUGIN_ID).catch(() => null) : null;
    const sidebar = new LogbookSidebar(
      readSettings(settings),
      (path, cellId) => void openCell(docManager, path, cellId),
      path => void docManager.openOrReveal(path)
    );
    sidebar.title.icon = logbookIcon;
    sidebar.title.caption = 'Logbook';
    settings?.changed.connect(() => sidebar.updateSettings(readSettings(settings)));
    app.shell.add(sidebar, 'left', { rank: 600 });
    restorer?.add(sidebar, 'jupyterlab-logbook');

    app.commands.addCommand(CommandIDs.open, {
      label: 'Logbook: Open Sidebar',
      execute: () => app.shell.activateById(sidebar.id)
    });
    app.commands.addCommand(CommandIDs.brainstorm, {
      label: 'Logbook: Start Brainstorm Timer',
      execute: async () => {
        app.shell.activateById(sidebar.id);
        await sidebar.startBrainstorm();
      }
    });
    app.commands.addCommand(CommandIDs.mode, {
      label: args => (args.mode ? `Logbook: Switch to ${args.mode} Mode` : 'Logbook: Switch Mode'),
      execute: args => sidebar.switchMode(String(args.mode ?? 'explore'))
    });
    app.commands.addCommand(CommandIDs.exportLog, {
      label: args => `Logbook: Export as ${String(args.format ?? 'html').toUpperCase()}`,
      execute: args => sidebar.exportAs(String(args.format ?? 'html'))
    });
    if (palette) {
      const category = 'Logbook';
      palette.addItem({ command: CommandIDs.open, category });
      palette.addItem({ command: CommandIDs.brainstorm, category });
      for (const mode of ['confirm', 'red-team', 'explore']) {
        palette.addItem({ command: CommandIDs.mode, category, args: { mode } });
      }
      for (const format of ['md', 'html', 'json']) {
        palette.addItem({ command: CommandIDs.exportLog, category, args: { format } });
      }
    }

    if (statusBar) {
      const clock = new ClockItem();
      sidebar.clockChanged.connect((_, state) => {
        const parts = [];
        if (state.text) {
          parts.push(`Brainstorm ${state.text}`);
        }
        if (state.unread) {
          parts.push(`⚡ ${state.unread}`);
        }
        clock.node.textContent = parts.join('  ');
        clock.node.classList.toggle('jp-mod-timeUp', state.timeUp);
      });
      clock.node.addEventListener('click', () => app.shell.activateById(sidebar.id));
      statusBar.registerStatusItem('jupyterlab-logbook:clock', { item: clock, align: 'left', rank: 50 });
    }
  }
};

export default plugin;
