/**
 * The clickable `AWS: profile @ account · 52m` item, for the status bar and the notebook toolbar.
 */
import { Widget } from '@lumino/widgets';
import { ISignal, Signal } from '@lumino/signaling';

import { RoleClient } from './client';
import { label } from './format';
import { RoleMemory } from './memory';

const TICK_MS = 30_000;

/** One timer for every item: countdowns are computed here, with no kernel traffic. */
class Ticker {
  get tick(): ISignal<this, void> {
    return this._tick;
  }
  retain(): void {
    this._users += 1;
    if (this._timer === null) {
      this._timer = setInterval(() => this._tick.emit(), TICK_MS);
    }
  }
  release(): void {
    this._users -= 1;
    if (this._users <= 0 && this._timer !== null) {
      clearInterval(this._timer);
      this._timer = null;
      this._users = 0;
    }
  }
  private _users = 0;
  private _timer: ReturnType<typeof setInterval> | null = null;
  private _tick = new Signal<this, void>(this);
}

const ticker = new Ticker();

/** One notebook's kernel client and remembered profile. */
export interface INotebookRole {
  readonly client: RoleClient;
  readonly memory: RoleMemory;
}

export class RoleItem extends Widget {
  constructor(className: string, onClick: () => void) {
    super({ node: document.createElement('div') });
    this.addClass('jp-awsrole-item');
    this.addClass(className);
    this.node.setAttribute('role', 'button');
    this.node.tabIndex = 0;
    this.node.addEventListener('click', () => onClick());
    this.node.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        onClick();
      }
    });
    ticker.retain();
    ticker.tick.connect(this.render, this);
    this.render();
  }

  /** The notebook whose kernel's role (and remembered profile) this item shows; null: no notebook. */
  get role(): INotebookRole | null {
    return this._role;
  }
  set role(role: INotebookRole | null) {
    if (role === this._role) {
      return;
    }
    for (const signal of this._signals(this._role)) {
      signal.disconnect(this.render, this);
    }
    this._role = role;
    for (const signal of this._signals(role)) {
      signal.connect(this.render, this);
    }
    this.render();
  }

  render(): void {
    const client = this._role && !this._role.client.isDisposed ? this._role.client : null;
    const memory = client ? this._role!.memory : null;
    const shown = label(
      client?.state ?? null,
      client?.problem ?? null,
      Date.now(),
      memory?.offer ?? null,
      { sharing: client?.sharing ?? null, login: client?.login ?? null }
    );
    this.node.textContent = shown.text;
    this.node.title = shown.title;
    this.node.dataset.level = shown.level;
    this.toggleClass('jp-awsrole-warning', shown.level === 'warning' || shown.level === 'expired');
    this.toggleClass('jp-awsrole-expired', shown.level === 'expired');
    this.toggleClass('jp-awsrole-none', shown.level === 'none');
    this.toggleClass('jp-awsrole-offer', shown.level === 'offer');
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.role = null;
    ticker.tick.disconnect(this.render, this);
    ticker.release();
    super.dispose();
  }

  private _signals(role: INotebookRole | null): ISignal<unknown, void>[] {
    return role ? [role.client.changed, role.memory.changed] : [];
  }

  private _role: INotebookRole | null = null;
}
