/**
 * jupyter-awsrole for JupyterLab 4 and Notebook 7: the kernel's AWS role in the status bar and the
 * notebook toolbar, a role switcher, and palette commands; all through the kernel's comm.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { DisposableDelegate } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import { RoleClient } from './client';
import { openSwitcher } from './switcher';
import { RoleItem } from './view';

export { RoleClient } from './client';

const NAMESPACE = 'jupyter-awsrole';

export const CommandIDs = {
  switchRole: `${NAMESPACE}:switch-role`,
  clearRole: `${NAMESPACE}:clear-role`
} as const;

/** One client per notebook panel, disposed with it. */
const clients = new WeakMap<NotebookPanel, RoleClient>();

function clientFor(panel: NotebookPanel): RoleClient {
  let client = clients.get(panel);
  if (!client || client.isDisposed) {
    const created = new RoleClient(panel.sessionContext);
    panel.disposed.connect(() => created.dispose());
    clients.set(panel, created);
    client = created;
  }
  return client;
}

function switcherFor(app: JupyterFrontEnd, panel: NotebookPanel | null): void {
  if (!panel) {
    return;
  }
  void app.commands.execute(CommandIDs.switchRole, { panelId: panel.id });
}

function findPanel(
  tracker: INotebookTracker,
  args: ReadonlyPartialJSONObject | undefined
): NotebookPanel | null {
  const id = typeof args?.panelId === 'string' ? args.panelId : null;
  if (id) {
    return tracker.find(panel => panel.id === id) ?? null;
  }
  return tracker.currentWidget;
}

const commands: JupyterFrontEndPlugin<void> = {
  id: `${NAMESPACE}:commands`,
  description: 'AWS: Switch role… and AWS: Clear role, for the active notebook’s kernel.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, palette: ICommandPalette | null) => {
    const hasKernel = (args: ReadonlyPartialJSONObject) =>
      !!findPanel(tracker, args)?.sessionContext.session?.kernel;
    app.commands.addCommand(CommandIDs.switchRole, {
      label: 'AWS: Switch role…',
      caption: 'Assume an AWS role profile in this notebook’s kernel',
      isEnabled: hasKernel,
      execute: async args => {
        const panel = findPanel(tracker, args);
        if (panel) {
          await openSwitcher(clientFor(panel));
        }
      }
    });
    app.commands.addCommand(CommandIDs.clearRole, {
      label: 'AWS: Clear role',
      caption: 'Restore this notebook’s kernel to the AWS environment it had before any role',
      isEnabled: hasKernel,
      execute: async args => {
        const panel = findPanel(tracker, args);
        if (!panel) {
          return;
        }
        try {
          await clientFor(panel).call({ request: 'unset' });
        } catch (error) {
          Notification.error(error instanceof Error ? error.message : String(error), {
            autoClose: 8000
          });
        }
      }
    });
    if (palette) {
      palette.addItem({ command: CommandIDs.switchRole, category: 'AWS' });
      palette.addItem({ command: CommandIDs.clearRole, category: 'AWS' });
    }
  }
};

const statusItem: JupyterFrontEndPlugin<void> = {
  id: `${NAMESPACE}:status-item`,
  description: 'The active notebook kernel’s AWS role and time left, in the status bar.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, statusBar: IStatusBar | null) => {
    if (!statusBar) {
      return; // Notebook 7 has no status bar: the toolbar item shows the role there.
    }
    const item = new RoleItem('jp-awsrole-status', () => switcherFor(app, tracker.currentWidget));
    const activeChanged = new Signal<RoleItem, void>(item);
    const follow = () => {
      const panel = tracker.currentWidget;
      item.client = panel ? clientFor(panel) : null;
      activeChanged.emit();
    };
    tracker.currentChanged.connect(follow);
    follow();
    statusBar.registerStatusItem(`${NAMESPACE}:status-item`, {
      item,
      align: 'left',
      rank: 5,
      isActive: () => !!tracker.currentWidget,
      activeStateChanged: activeChanged
    });
  }
};

const toolbarItem: JupyterFrontEndPlugin<void> = {
  id: `${NAMESPACE}:toolbar-item`,
  description: 'The notebook kernel’s AWS role in each notebook’s toolbar (also in Notebook 7).',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (app: JupyterFrontEnd, _tracker: INotebookTracker) => {
    const extension: DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel> = {
      createNew: panel => {
        const item = new RoleItem('jp-awsrole-toolbar', () => switcherFor(app, panel));
        item.client = clientFor(panel);
        if (!panel.toolbar.insertBefore('kernelName', 'awsRole', item)) {
          panel.toolbar.addItem('awsRole', item);
        }
        return new DisposableDelegate(() => item.dispose());
      }
    };
    app.docRegistry.addWidgetExtension('Notebook', extension);
  }
};

export default [commands, statusItem, toolbarItem];
