/**
 * The role switcher: a dialog listing the kernel's role profiles, with an MFA code box when needed.
 */
import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { RoleClient, RoleError } from './client';
import { matching } from './filter';
import { IAssumeRequest, IProfileRow } from './protocol';

/** The dialog's body: filter, profile rows, code box, error line. */
export class SwitcherBody extends Widget {
  constructor(readonly client: RoleClient) {
    super();
    this.addClass('jp-awsrole-switcher');
    const node = this.node;

    this._filter = document.createElement('input');
    this._filter.type = 'search';
    this._filter.className = 'jp-mod-styled jp-awsrole-filter';
    this._filter.placeholder = 'Filter profiles';
    this._filter.setAttribute('aria-label', 'Filter profiles');
    this._filter.addEventListener('input', () => this._renderRows());

    this._list = document.createElement('div');
    this._list.className = 'jp-awsrole-list';
    this._list.setAttribute('role', 'listbox');

    this._codeBox = document.createElement('label');
    this._codeBox.className = 'jp-awsrole-codebox';
    this._codeBox.hidden = true;
    const caption = document.createElement('span');
    caption.textContent = 'MFA code ';
    this._code = document.createElement('input');
    this._code.type = 'password';
    this._code.className = 'jp-mod-styled jp-awsrole-code';
    this._code.autocomplete = 'one-time-code';
    this._code.inputMode = 'numeric';
    this._code.maxLength = 6;
    this._code.placeholder = '6 digits';
    this._codeBox.append(caption, this._code);

    this._error = document.createElement('div');
    this._error.className = 'jp-awsrole-error';
    this._error.setAttribute('role', 'alert');

    this._status = document.createElement('div');
    this._status.className = 'jp-awsrole-note';

    node.append(this._filter, this._list, this._codeBox, this._status, this._error);
    void this._load();
  }

  /** The chosen profile's name, or null. */
  get selected(): string | null {
    return this._selected;
  }

  showError(message: string): void {
    this._error.textContent = message;
  }

  /** Assume the chosen profile; resolves true when the role is installed in the kernel. */
  async submit(): Promise<boolean> {
    if (this._busy) {
      return false;
    }
    let name = this._selected;
    if (!name) {
      const visible = this._visible();
      if (visible.length === 1) {
        name = visible[0].name;
        this._select(name);
      }
    }
    if (!name) {
      this.showError('Choose a profile.');
      return false;
    }
    const code = this._codeBox.hidden ? '' : this._code.value.trim();
    if (!this._codeBox.hidden && !code) {
      this.showError('Type the MFA code for this profile.');
      this._code.focus();
      return false;
    }
    this._busy = true;
    this.showError('');
    this._status.textContent = `Assuming ${name}…`;
    try {
      const body: IAssumeRequest = { request: 'assume', profile: name };
      if (code) {
        body.mfa_code = code;
      }
      await this.client.call(body);
      return true;
    } catch (error) {
      const roleError = error instanceof RoleError ? error : null;
      if (roleError?.needsCode) {
        this._showCode(true);
      }
      this.showError(error instanceof Error ? error.message : String(error));
      return false;
    } finally {
      this._code.value = '';
      this._status.textContent = '';
      this._busy = false;
    }
  }

  protected onAfterAttach(): void {
    this._filter.focus();
  }

  private async _load(): Promise<void> {
    this._status.textContent = 'Reading the kernel’s AWS profiles…';
    try {
      // The kernel says what can be switched to, as the picker and the magic see it.
      const reply = await this.client.call({ request: 'switchable' });
      this._profiles = reply.profiles ?? [];
      this._status.textContent = this._profiles.length
        ? ''
        : 'No role profiles in this kernel’s AWS config.';
    } catch (error) {
      this._status.textContent = '';
      this.showError(error instanceof Error ? error.message : String(error));
    }
    this._renderRows();
    if (this.client.state?.profile && !this._selected) {
      this._markActive(this.client.state.profile);
    }
  }

  private _visible(): IProfileRow[] {
    return matching(this._profiles, this._filter.value);
  }

  private _renderRows(): void {
    this._list.textContent = '';
    const active = this.client.state?.profile;
    for (const profile of this._visible()) {
      const row = document.createElement('div');
      row.className = 'jp-awsrole-row';
      row.dataset.profile = profile.name;
      row.setAttribute('role', 'option');
      row.tabIndex = -1;
      if (profile.name === this._selected) {
        row.classList.add('jp-mod-selected');
        row.setAttribute('aria-selected', 'true');
      }
      if (profile.name === active) {
        row.classList.add('jp-mod-active');
      }
      const name = document.createElement('span');
      name.className = 'jp-awsrole-name';
      name.textContent = profile.name;
      const arn = document.createElement('span');
      arn.className = 'jp-awsrole-arn';
      arn.textContent = profile.role_arn || `(${profile.kind})`;
      row.append(name, arn);
      if (profile.mfa) {
        const mfa = document.createElement('span');
        mfa.className = 'jp-awsrole-mfa';
        mfa.textContent = 'MFA code needed';
        row.append(mfa);
      }
      if (profile.problem) {
        const problem = document.createElement('span');
        problem.className = 'jp-awsrole-note';
        problem.textContent = profile.problem;
        row.append(problem);
      }
      row.addEventListener('click', () => this._select(profile.name));
      this._list.append(row);
    }
  }

  private _markActive(name: string): void {
    const row = this._list.querySelector(`.jp-awsrole-row[data-profile="${CSS.escape(name)}"]`);
    row?.scrollIntoView({ block: 'nearest' });
  }

  private _select(name: string): void {
    if (name !== this._selected) {
      this._selected = name;
      this.showError('');
      this._renderRows();
      const profile = this._profiles.find(p => p.name === name);
      // The row says whether the profile has an MFA device; the kernel knows whether a session is cached.
      this._showCode(!!profile?.mfa);
      void this._checkCode(name);
    }
    if (!this._codeBox.hidden) {
      this._code.focus();
    }
  }

  private async _checkCode(name: string): Promise<void> {
    try {
      const reply = await this.client.call({ request: 'needs_code', profile: name });
      if (this._selected === name) {
        this._showCode(!!reply.needs_code);
      }
    } catch (error) {
      if (this._selected === name) {
        this.showError(error instanceof Error ? error.message : String(error));
      }
    }
  }

  private _showCode(show: boolean): void {
    const was = !this._codeBox.hidden;
    this._codeBox.hidden = !show;
    if (show && !was) {
      this._code.focus();
    }
  }

  private _filter: HTMLInputElement;
  private _list: HTMLDivElement;
  private _codeBox: HTMLLabelElement;
  private _code: HTMLInputElement;
  private _error: HTMLDivElement;
  private _status: HTMLDivElement;
  private _profiles: IProfileRow[] = [];
  private _selected: string | null = null;
  private _busy = false;
}

/** A dialog that stays open while the accept button's action fails, showing why. */
class SwitcherDialog extends Dialog<void> {
  constructor(
    private readonly _switcher: SwitcherBody,
    private readonly _choices: Dialog.IButton[]
  ) {
    super({
      title: 'AWS: Switch role',
      body: _switcher,
      buttons: _choices,
      defaultButton: _choices.length - 1,
      focusNodeSelector: '.jp-awsrole-filter'
    });
    this.addClass('jp-awsrole-dialog');
  }

  resolve(index?: number): void {
    const button = this._choices[index ?? this._choices.length - 1];
    if (!button || !button.accept) {
      super.resolve(index);
      return;
    }
    void this._switcher.submit().then(done => {
      if (done && !this.isDisposed) {
        super.resolve(index);
      }
    });
  }
}

/** Open the switcher for one kernel; resolves once it closes. */
export async function openSwitcher(client: RoleClient): Promise<void> {
  const body = new SwitcherBody(client);
  const dialog = new SwitcherDialog(body, [
    Dialog.cancelButton({ label: 'Close' }),
    Dialog.okButton({ label: 'Assume role' })
  ]);
  await dialog.launch();
}
