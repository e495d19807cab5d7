/**
 * The notebook remembers its role: the profile's name (nothing else) in the notebook's metadata, written
 * when a role is assumed, offered again on open or restart (never assumed silently), removed on request.
 */
import { NotebookPanel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

import { RoleClient } from './client';

export const METADATA_KEY = 'jupyter_awsrole';

/** The profile name a notebook's metadata holds, or null (anything malformed counts as nothing). */
export function rememberedIn(metadata: unknown): string | null {
  if (!metadata || typeof metadata !== 'object') {
    return null;
  }
  const profile = (metadata as { profile?: unknown }).profile;
  return typeof profile === 'string' && profile.trim() ? profile : null;
}

/** One notebook's remembered profile, kept in step with the role its kernel assumes (lives as long as its panel). */
export class RoleMemory {
  constructor(
    private readonly _panel: NotebookPanel,
    private readonly _client: RoleClient
  ) {
    _client.changed.connect(this._roleChanged, this);
    _client.forgetAsked.connect(this.forget, this);
    // A new or restarted kernel: the remembered profile is offered again.
    _panel.sessionContext.kernelChanged.connect(this._kernelStarted, this);
    _panel.sessionContext.statusChanged.connect((_, status) => {
      if (status === 'restarting' || status === 'autorestarting') {
        this._kernelStarted();
      }
    });
    void _panel.context.ready.then(() => {
      if (!_panel.isDisposed) {
        _panel.model?.metadataChanged.connect(this._metadataChanged, this);
        this._changed.emit();
      }
    });
  }

  /** Emitted when the remembered profile changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The profile this notebook remembers, or null. */
  get profile(): string | null {
    const panel = this._panel;
    const model = !panel.isDisposed && panel.context.isReady ? panel.model : null;
    return model ? rememberedIn(model.getMetadata(METADATA_KEY)) : null;
  }

  /** The profile to offer: the remembered one, until this kernel has had a role (then an unset stays unset). */
  get offer(): string | null {
    return this._hadRole ? null : this.profile;
  }

  /** Stop remembering (the switcher's "Forget", `%awsrole --forget`). */
  forget(): void {
    const model = this._panel.model;
    if (model && this.profile !== null) {
      model.deleteMetadata(METADATA_KEY);
    }
  }

  private _kernelStarted(): void {
    this._hadRole = false;
    this._changed.emit();
  }

  private _roleChanged(): void {
    const profile = this._client.state?.profile;
    if (profile && !this._hadRole) {
      this._hadRole = true;
      this._changed.emit();
    }
    const model = this._panel.model;
    if (profile && model && this._panel.context.isReady && profile !== this.profile) {
      model.setMetadata(METADATA_KEY, { profile });
    }
  }

  private _metadataChanged(): void {
    this._changed.emit();
  }

  private _hadRole = false;
  private _changed = new Signal<this, void>(this);
}
