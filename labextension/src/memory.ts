/**
 * The notebook remembers its role: the profile's name (nothing else) in the notebook's metadata, written
 * when a role is assumed, offered again on open or restart (never assumed silently), removed on request.
 * The same metadata says `provenance: false` when the notebook records no identity per cell.
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

/** The notebook's `jupyter_awsrole` metadata with `changes` applied (undefined removes a field): its known
 * fields only, null when none is left. */
export function updated(
  metadata: unknown,
  changes: { profile?: string | undefined; provenance?: false | undefined }
): { profile?: string; provenance?: false } | null {
  const next = {
    profile: rememberedIn(metadata) ?? undefined,
    provenance: provenanceOn(metadata) ? undefined : (false as const),
    ...changes
  };
  const kept: { profile?: string; provenance?: false } = {};
  if (next.profile !== undefined) {
    kept.profile = next.profile;
  }
  if (next.provenance === false) {
    kept.provenance = false;
  }
  return Object.keys(kept).length ? kept : null;
}

/** Whether the notebook records which identity ran each cell: unless its metadata says `provenance: false`. */
export function provenanceOn(metadata: unknown): boolean {
  return !(
    metadata &&
    typeof metadata === 'object' &&
    (metadata as { provenance?: unknown }).provenance === false
  );
}

/** One notebook's remembered profile, kept in step with the role its kernel assumes (lives as long as its panel). */
export class RoleMemory {
  constructor(
    private readonly _panel: NotebookPanel,
    private readonly _client: RoleClient
  ) {
    _client.changed.connect(this._roleChanged, this);
    _client.forgetAsked.connect(this.forget, this);
    _client.provenanceAsked.connect((_, on) => this.setProvenance(on));
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

  /** Whether this notebook records which identity ran each cell (its metadata, as `%awsrole --provenance` left it). */
  get provenance(): boolean {
    const panel = this._panel;
    const model = !panel.isDisposed && panel.context.isReady ? panel.model : null;
    return provenanceOn(model?.getMetadata(METADATA_KEY));
  }

  /** Stop remembering (the switcher's "Forget", `%awsrole --forget`). */
  forget(): void {
    if (this.profile !== null) {
      this._update({ profile: undefined });
    }
  }

  /** Keep `%awsrole --provenance on|off` with the notebook (only "off" is written). */
  setProvenance(on: boolean): void {
    if (on !== this.provenance) {
      this._update({ provenance: on ? undefined : false });
    }
  }

  private _update(changes: Parameters<typeof updated>[1]): void {
    const model = this._panel.model;
    if (!model || !this._panel.context.isReady) {
      return;
    }
    const next = updated(model.getMetadata(METADATA_KEY), changes);
    if (next) {
      model.setMetadata(METADATA_KEY, next);
    } else {
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
    if (profile && profile !== this.profile) {
      this._update({ profile });
    }
  }

  private _metadataChanged(): void {
    this._changed.emit();
  }

  private _hadRole = false;
  private _changed = new Signal<this, void>(this);
}
