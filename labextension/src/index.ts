/**
 * jupyter-awsrole for JupyterLab 4 and Notebook 7: the kernel's AWS role in the status bar and the
 * notebook toolbar, a role switcher, and palette commands; all through the kernel's comm.
 */
import { ILabShell, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { DisposableDelegate } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';

import { offerConsole, openConsole } from './awsconsole';
import { CellProvenance } from './cells';
import { RoleClient } from './client';
import { RoleMemory } from './memory';
import { openSwitcher } from './switcher';
import { RoleItem } from './view';

export { RoleClient } from './client';

const NAMESPACE = 'jupyter-awsrole';

export const CommandIDs = {
  switchRole: `${NAMESPACE}:switch-role`,
  clearRole: `${NAMESPACE}:clear-role`,
  openConsole: `${NAMESPACE}:open-console`
} as const;

/** One client (and the notebook's remembered profile) per notebook panel, disposed with it. */
const clients = new WeakMap<NotebookPanel, { client: RoleClient; memory: RoleMemory }>();

function roleOf(panel: NotebookPanel): { client: RoleClient; memory: RoleMemory } {
  let found = clients.get(panel);
  if (!found || found.client.isDisposed) {
    const client = new RoleClient(panel.sessionContext);
    const memory = new RoleMemory(panel, client);
    const provenance = new CellProvenance(panel, client, memory);
    client.consoleOffered.connect((_, push) => offerConsole(push));
    panel.disposed.connect(() => {
      provenance.stop();
      Signal.clearData(memory);
      client.dispose();
    });
    found = { client, memory };
    clients.set(panel, found);
  }
  return found;
}

function clientFor(panel: NotebookPanel): RoleClient {
  return roleOf(panel).client;
}

function clientOf(
  tracker: INotebookTracker,
  args: ReadonlyPartialJSONObject | undefined
): RoleClient | null {
  const panel = findPanel(tracker, args);
  return panel ? roleOf(panel).client : null;
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
  description: 'AWS: Switch role… and AWS: Unset role, for the active notebook’s kernel.',
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
          const { client, memory } = roleOf(panel);
          // No role yet and a remembered profile: the click was on "Assume it again?".
          const again = client.state ? null : memory.offer;
          await openSwitcher(client, memory, again);
        }
      }
    });
    app.commands.addCommand(CommandIDs.clearRole, {
      label: 'AWS: Unset role',
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
    app.commands.addCommand(CommandIDs.openConsole, {
      label: 'AWS: Open console',
      caption: 'Sign in to the AWS console, in a new tab, as this notebook’s kernel’s role',
      isEnabled: args => !!clientOf(tracker, args)?.state,
      execute: async args => {
        const panel = findPanel(tracker, args);
        if (!panel) {
          return;
        }
        try {
          await openConsole(clientFor(panel));
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
      palette.addItem({ command: CommandIDs.openConsole, category: 'AWS' });
    }
  }
};

const statusItem: JupyterFrontEndPlugin<void> = {
  id: `${NAMESPACE}:status-item`,
  description: 'The active notebook kernel’s AWS role and time left, in the status bar.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    statusBar: IStatusBar | null,
    labShell: ILabShell | null
  ) => {
    if (!statusBar) {
      return; // Notebook 7 has no status bar: the toolbar item shows the role there.
    }
    // The notebook in front, or null when something else is (the Launcher, a terminal): then nothing shows.
    const inFront = (): NotebookPanel | null => {
      const current = labShell ? labShell.currentWidget : tracker.currentWidget;
      return current instanceof NotebookPanel && tracker.has(current) ? current : null;
    };
    const item = new RoleItem('jp-awsrole-status', () => switcherFor(app, inFront()));
    const activeChanged = new Signal<RoleItem, void>(item);
    const follow = () => {
      const panel = inFront();
      item.role = panel ? roleOf(panel) : null;
      activeChanged.emit();
    };
    tracker.currentChanged.connect(follow);
    labShell?.currentChanged.connect(follow);
    follow();
    statusBar.registerStatusItem(`${NAMESPACE}:status-item`, {
      item,
      align: 'left',
      rank: 5,
      isActive: () => !!inFront(),
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
        item.role = roleOf(panel);
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
