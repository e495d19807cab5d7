/**
 * Provenance in the notebook: each execute_reply's record is written into its cell's metadata (a reply
 * without one removes a stale one; nothing is written while the notebook has provenance off), and every
 * code cell with a record shows a badge under its input prompt.
 */
import type { Cell, CodeCell, ICellModel } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';

import { RoleClient } from './client';
import { RoleMemory } from './memory';
import { badgeWords, CELL_KEY, recordIn } from './provenance';

/** A badge inside a prompt node, put back whenever the prompt rewrites its text (`[3]:`). */
class Badge {
  readonly node = document.createElement('div');

  constructor(readonly prompt: HTMLElement) {
    this.node.className = 'jp-awsrole-provenance';
    this.node.setAttribute('role', 'note');
    this._observer = new MutationObserver(() => this._keep());
    this._observer.observe(prompt, { childList: true });
    this._keep();
  }

  show(profile: string, account: string, label: string): void {
    const name = document.createElement('span');
    name.className = 'jp-awsrole-provenance-profile';
    name.textContent = profile;
    const number = document.createElement('span');
    number.className = 'jp-awsrole-provenance-account';
    number.textContent = account;
    this.node.replaceChildren(name, number);
    this.node.title = label;
    this.node.setAttribute('aria-label', label);
  }

  remove(): void {
    this._observer.disconnect();
    this.node.remove();
  }

  private _keep(): void {
    if (this.node.parentNode !== this.prompt) {
      this.prompt.append(this.node);
    }
  }

  private _observer: MutationObserver;
}

const badges = new WeakMap<Cell, Badge>();

/** Draw (or remove) one cell's badge from its metadata. */
function renderBadge(cell: Cell): void {
  const record = cell.model.type === 'code' ? recordIn(cell.model.getMetadata(CELL_KEY)) : null;
  const prompt = cell.promptNode;
  let badge = badges.get(cell);
  if (badge && (!record || badge.prompt !== prompt)) {
    badge.remove();
    badges.delete(cell);
    badge = undefined;
  }
  if (!record || !prompt) {
    return;
  }
  if (!badge) {
    badge = new Badge(prompt);
    badges.set(cell, badge);
  }
  const words = badgeWords(record);
  badge.show(words.profile, words.account, words.label);
}

/** One notebook's provenance: follows its kernel's execute replies and draws its cells' badges. */
export class CellProvenance {
  constructor(
    private readonly _panel: NotebookPanel,
    private readonly _client: RoleClient,
    private readonly _memory: RoleMemory
  ) {
    const session = _panel.sessionContext;
    session.kernelChanged.connect((_, change) => this._follow(change.newValue), this);
    session.sessionChanged.connect(() => this._follow(session.session?.kernel ?? null), this);
    this._follow(session.session?.kernel ?? null);
    _client.changed.connect(this._clientChanged, this);
    void _panel.context.ready.then(() => {
      if (!this._stopped) {
        _panel.content.model?.cells.changed.connect(this._renderSoon, this);
        this._renderSoon();
      }
    });
  }

  /** Stop following the notebook: its panel closed. */
  stop(): void {
    this._stopped = true;
    this._follow(null);
    this._client.changed.disconnect(this._clientChanged, this);
    this._panel.content.model?.cells.changed.disconnect(this._renderSoon, this);
  }

  /** A comm just opened: a notebook with provenance off tells the kernel not to record. */
  private _clientChanged(): void {
    const available = this._client.available;
    if (available && !this._available && !this._memory.provenance) {
      void this._client.request({ request: 'provenance', on: false }).catch(() => undefined);
    }
    this._available = available;
  }

  private _follow(kernel: Kernel.IKernelConnection | null): void {
    if (kernel === this._kernel) {
      return;
    }
    this._kernel?.anyMessage.disconnect(this._message, this);
    this._kernel = this._stopped ? null : kernel;
    this._kernel?.anyMessage.connect(this._message, this);
  }

  /** An execute_reply: its record (or none) goes into the metadata of the cell whose run it answers. */
  private _message(_kernel: Kernel.IKernelConnection, args: Kernel.IAnyMessageArgs): void {
    const msg = args.msg;
    if (args.direction !== 'recv' || msg.header.msg_type !== 'execute_reply') {
      return;
    }
    const parent = (msg.parent_header as Partial<KernelMessage.IHeader>).msg_id;
    const cell = this._panel.content.widgets.find(
      widget =>
        widget.model.type === 'code' &&
        (widget as CodeCell).outputArea?.future?.msg.header.msg_id === parent
    );
    if (!parent || !cell) {
      return;
    }
    const record = this._memory.provenance
      ? recordIn((msg.metadata as Record<string, unknown>)[CELL_KEY])
      : null;
    if (record) {
      cell.model.setMetadata(CELL_KEY, { ...record });
    } else if (cell.model.getMetadata(CELL_KEY) !== undefined) {
      cell.model.deleteMetadata(CELL_KEY);
    }
  }

  /** Draw every cell's badge once the notebook has settled (cells just added have widgets by then). */
  private _renderSoon(): void {
    if (this._scheduled) {
      return;
    }
    this._scheduled = true;
    setTimeout(() => {
      this._scheduled = false;
      if (this._stopped || this._panel.isDisposed) {
        return;
      }
      for (const cell of this._panel.content.widgets) {
        this._watch(cell);
        renderBadge(cell);
      }
    }, 0);
  }

  private _watch(cell: Cell): void {
    if (!this._watched.has(cell.model)) {
      this._watched.add(cell.model);
      cell.model.metadataChanged.connect(() => this._renderSoon(), this);
    }
    if (!this._watchedCells.has(cell)) {
      this._watchedCells.add(cell);
      cell.inViewportChanged.connect(() => renderBadge(cell), this);
    }
  }

  private _kernel: Kernel.IKernelConnection | null = null;
  private _available = false;
  private _scheduled = false;
  private _stopped = false;
  private _watched = new WeakSet<ICellModel>();
  private _watchedCells = new WeakSet<Cell>();
}
