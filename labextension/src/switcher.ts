/**
 * The role switcher: a dialog listing the kernel's role profiles (a listbox), with an MFA code box
 * when the kernel says one is needed. Its state lives in ./model; this file only draws it.
 */
import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { openConsole } from './awsconsole';
import { RoleClient, RoleError } from './client';
import { daskWorkers, mfaWords } from './format';
import { RoleMemory } from './memory';
import { CODE_NEEDED, SwitcherModel } from './model';
import { IAssumeRequest, IProfileRow } from './protocol';

let ids = 0;
const PAGE = 200; // rows asked of the kernel at a time
const FILTER_DELAY_MS = 150; // typing pauses this long before the kernel is asked for the new words' rows
const NEAR_END_PX = 48;

/** The dialog's body: filter, profile rows, code box, error line. */
export class SwitcherBody extends Widget {
  /** What Enter in the list does: the dialog's accept button. */
  onAccept: (() => void) | null = null;

  constructor(
    readonly client: RoleClient,
    readonly memory: RoleMemory | null = null,
    private readonly _again: string | null = null
  ) {
    super();
    this.addClass('jp-awsrole-switcher');
    const uid = `jp-awsrole-switcher-${++ids}`;
    this._uid = uid;

    this._filter = document.createElement('input');
    this._filter.type = 'search';
    this._filter.className = 'jp-mod-styled jp-awsrole-filter';
    this._filter.placeholder = 'Filter profiles';
    this._filter.setAttribute('aria-label', 'Filter profiles');
    this._filter.setAttribute('aria-controls', `${uid}-list`);
    this._filter.addEventListener('input', () => {
      if (this._model.setQuery(this._filter.value)) {
        this._checkCode();
      }
      this._renderRows();
      clearTimeout(this._typing);
      this._typing = setTimeout(() => void this._fetch(0), FILTER_DELAY_MS);
    });
    this._filter.addEventListener('keydown', event => this._navigate(event, false));

    this._list = document.createElement('div');
    this._list.id = `${uid}-list`;
    this._list.className = 'jp-awsrole-list';
    this._list.setAttribute('role', 'listbox');
    this._list.setAttribute('aria-label', 'AWS profiles');
    this._list.tabIndex = 0;
    this._list.addEventListener('keydown', event => this._navigate(event, true));
    this._list.addEventListener('scroll', () => {
      const list = this._list;
      if (list.scrollTop + list.clientHeight >= list.scrollHeight - NEAR_END_PX) {
        void this._loadMore();
      }
    });
    this._moreNote = document.createElement('div');
    this._moreNote.className = 'jp-awsrole-note jp-awsrole-more';

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

    // An SSO sign-in the kernel waits for: the same link and code the magic shows in a cell.
    this._login = document.createElement('div');
    this._login.className = 'jp-awsrole-login';
    this._login.hidden = true;
    this._shared = document.createElement('div');
    this._shared.className = 'jp-awsrole-note jp-awsrole-shared';
    // The active role's AWS console, in a new tab opened by this click.
    this._console = document.createElement('button');
    this._console.className = 'jp-mod-styled jp-awsrole-console';
    this._console.textContent = 'Open AWS console';
    this._console.addEventListener('click', () => void this._openConsole());
    client.changed.connect(this._renderKernelNotes, this);
    this._renderKernelNotes();

    // The profile this notebook remembers, and the way to make it forget.
    this._remembered = document.createElement('div');
    this._remembered.className = 'jp-awsrole-remembered jp-awsrole-note';
    const forget = document.createElement('button');
    forget.className = 'jp-mod-styled jp-mod-reject jp-awsrole-forget';
    forget.textContent = 'Forget';
    forget.addEventListener('click', () => {
      this.memory?.forget();
      this._filter.focus(); // the button hides: keep the focus (and Escape) in the dialog
    });
    this._rememberedText = document.createElement('span');
    this._remembered.append(this._rememberedText, forget);
    memory?.changed.connect(this._renderMemory, this);
    this._renderMemory();

    this.node.append(
      this._filter,
      this._list,
      this._moreNote,
      this._codeBox,
      this._login,
      this._shared,
      this._console,
      this._status,
      this._error,
      this._remembered
    );
    void this._load();
  }

  /** The chosen profile's name, or null. */
  get selected(): string | null {
    return this._model.selected;
  }

  showError(message: string): void {
    this._model.error = message;
    this._error.textContent = message;
  }

  /** Assume the chosen profile; resolves true when the role is installed in the kernel. */
  async submit(): Promise<boolean> {
    for (;;) {
      const step = this._model.submit(this._code.value);
      if (step.kind === 'busy') {
        return false;
      }
      if (step.kind === 'wait') {
        this._checkCode(); // no-op when a check for this choice is under way
        this._renderSelection();
        await this._checking;
        continue;
      }
      if (step.kind === 'error') {
        this._renderSelection();
        (step.focus === 'code' ? this._code : this._filter).focus();
        return false;
      }
      this._renderSelection();
      this._status.textContent = `Assuming ${step.profile}…`;
      try {
        const body: IAssumeRequest = { request: 'assume', profile: step.profile };
        if (step.code) {
          body.mfa_code = step.code;
        }
        await this.client.call(body);
        this._model.succeeded();
        return true;
      } catch (error) {
        const roleError = error instanceof RoleError ? error : null;
        this._model.failed(
          error instanceof Error ? error.message : String(error),
          !!roleError?.needsCode
        );
        this._renderSelection();
        (this._model.codeShown ? this._code : this._list).focus();
        return false;
      } finally {
        this._code.value = '';
        this._status.textContent = '';
      }
    }
  }

  protected onAfterAttach(): void {
    this._filter.focus();
  }

  private async _load(): Promise<void> {
    this._status.textContent = 'Reading the kernel’s AWS profiles…';
    await this._fetch(0);
    this._status.textContent =
      this._model.profiles.length || this._model.error
        ? ''
        : 'No role profiles in this kernel’s AWS config.';
    const active = this.client.state?.profile;
    if (active) {
      this._rows.get(active)?.scrollIntoView({ block: 'nearest' });
    }
    const again = this._again;
    if (again !== null && !this._model.row(again) && this._model.more) {
      // Not on the first page: ask the kernel for it by name.
      this._filter.value = again;
      this._model.setQuery(again);
      await this._fetch(0);
    }
    if (again !== null && this._model.profiles.length) {
      if (this._model.row(again)) {
        // "Assume it again?": one click assumes it, or asks for the code when one is needed.
        this._model.select(again);
        this._checkCode();
        this._renderSelection();
        this._rows.get(again)?.scrollIntoView({ block: 'nearest' });
        this.onAccept?.();
      } else {
        this.showError(
          `This notebook remembers profile '${again}', which this kernel’s AWS config does not have.`
        );
      }
    }
  }

  /** The first page of rows for the words typed (offset 0), or the next page; the kernel filters and pages. */
  private async _fetch(offset: number): Promise<void> {
    const query = this._model.query;
    try {
      // The kernel says each profile's MFA state, as the picker and the magic see it.
      const reply = await this.client.call({ request: 'list', filter: query, offset, limit: PAGE });
      const rows = reply.profiles ?? [];
      const before = this._model.selected;
      if (!this._model.setPage(query, rows, reply.total ?? offset + rows.length, offset)) {
        return; // the words changed meanwhile: their own answer is on its way
      }
      if (offset === 0) {
        this._list.scrollTop = 0; // new words: their rows from the top
      }
      if (this._model.selected !== before) {
        this._checkCode();
      }
    } catch (error) {
      this.showError(error instanceof Error ? error.message : String(error));
    }
    this._renderRows();
  }

  /** The next page, when the choice or the scrolling reaches the end of the loaded rows. */
  private async _loadMore(): Promise<void> {
    if (!this._model.more || this._loadingMore) {
      return;
    }
    this._loadingMore = true;
    try {
      await this._fetch(this._model.profiles.length);
    } finally {
      this._loadingMore = false;
    }
  }

  dispose(): void {
    clearTimeout(this._typing);
    this.memory?.changed.disconnect(this._renderMemory, this);
    this.client.changed.disconnect(this._renderKernelNotes, this);
    super.dispose();
  }

  /** What the kernel tells besides the role: an SSO sign-in waiting, the Dask workers a switch reaches. */
  private _renderKernelNotes(): void {
    const active = this.client.state;
    this._console.hidden = !active;
    this._console.title = active
      ? `Sign in to the AWS console as ${active.profile}, in a new tab`
      : '';
    const sharing = this.client.sharing;
    this._shared.hidden = !sharing || sharing.clusters === 0;
    this._shared.textContent = sharing?.clusters
      ? `The role is shared with ${daskWorkers(sharing.workers)}: a switch reaches them too.`
      : '';
    const login = this.client.login;
    this._login.hidden = login === null;
    this._login.replaceChildren();
    if (!login) {
      return;
    }
    const link = document.createElement('a');
    link.href = login.verification_uri_complete;
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = 'Open the sign-in page';
    const code = document.createElement('code');
    code.className = 'jp-awsrole-usercode';
    code.textContent = login.user_code;
    const expires = new Date(Date.parse(login.expires_at)).toLocaleTimeString();
    this._login.append(
      `SSO sign-in for profile ${login.profile}: `,
      link,
      ' and check that it shows the code ',
      code,
      `. Waiting for approval until ${expires}.`
    );
  }

  private async _openConsole(): Promise<void> {
    this.showError('');
    this._status.textContent = 'Asking the kernel for an AWS console sign-in…';
    try {
      await openConsole(this.client);
    } catch (error) {
      this.showError(error instanceof Error ? error.message : String(error));
    } finally {
      this._status.textContent = '';
    }
  }

  private _renderMemory(): void {
    const profile = this.memory ? this.memory.profile : null;
    this._remembered.hidden = profile === null;
    this._rememberedText.textContent = profile
      ? `This notebook remembers profile ${profile} and offers it when it opens.`
      : '';
  }

  /** Arrow keys, Home and End move the choice; Enter in the list assumes (the dialog handles Escape). */
  private _navigate(event: KeyboardEvent, inList: boolean): void {
    const rows = this._model.visible;
    let moved: boolean;
    switch (event.key) {
      case 'ArrowDown':
        moved = this._model.move(1);
        break;
      case 'ArrowUp':
        moved = this._model.move(-1);
        break;
      case 'Home':
        if (!inList) return;
        moved = this._model.select(rows[0]?.name ?? null);
        break;
      case 'End':
        if (!inList) return;
        moved = this._model.select(rows[rows.length - 1]?.name ?? null);
        break;
      case 'Enter':
        if (inList) {
          event.preventDefault();
          this.onAccept?.();
        }
        return;
      default:
        return;
    }
    event.preventDefault();
    if (moved) {
      this._checkCode();
    }
    this._renderSelection();
    this._rows.get(this._model.selected ?? '')?.scrollIntoView({ block: 'nearest' });
    const last = this._model.visible[this._model.visible.length - 1];
    if (last && last.name === this._model.selected) {
      void this._loadMore();
    }
  }

  private _choose(name: string): void {
    if (this._model.select(name)) {
      this._checkCode();
    }
    this._renderSelection();
    (this._model.codeShown ? this._code : this._list).focus();
  }

  private _renderRows(): void {
    const top = this._list.scrollTop; // rows added by a next page keep the list where it was
    this._list.textContent = '';
    this._rows.clear();
    const active = this.client.state?.profile;
    for (const profile of this._model.visible) {
      const row = document.createElement('div');
      row.className = 'jp-awsrole-row';
      row.id = `${this._uid}-row-${this._rows.size}`;
      row.dataset.profile = profile.name;
      row.setAttribute('role', 'option');
      if (profile.name === active) {
        row.classList.add('jp-mod-active');
      }
      const name = document.createElement('span');
      name.className = 'jp-awsrole-name';
      name.textContent = profile.name;
      const arn = document.createElement('span');
      arn.className = 'jp-awsrole-arn';
      arn.textContent = profile.role_arn || `(${profile.kind})`;
      const mfa = document.createElement('span');
      mfa.className = 'jp-awsrole-mfa';
      row.append(name, arn, mfa);
      if (profile.problem) {
        const problem = document.createElement('span');
        problem.className = 'jp-awsrole-note';
        problem.textContent = profile.problem;
        row.append(problem);
      }
      row.addEventListener('click', () => this._choose(profile.name));
      this._rows.set(profile.name, row);
      this._list.append(row);
    }
    this._list.scrollTop = top;
    const model = this._model;
    this._moreNote.hidden = !model.more;
    this._moreNote.textContent = model.more
      ? `${model.profiles.length} of ${model.total} loaded: scroll down for more, or type to narrow.`
      : '';
    this._renderSelection();
  }

  /** Everything that follows from the model but the rows themselves. */
  private _renderSelection(): void {
    const model = this._model;
    for (const [name, row] of this._rows) {
      const chosen = name === model.selected;
      row.classList.toggle('jp-mod-selected', chosen);
      row.setAttribute('aria-selected', String(chosen));
      this._renderMfa(row, model.row(name));
    }
    const chosenRow = this._rows.get(model.selected ?? '');
    if (chosenRow) {
      this._list.setAttribute('aria-activedescendant', chosenRow.id);
    } else {
      this._list.removeAttribute('aria-activedescendant');
    }
    this._codeBox.hidden = !model.codeShown;
    this._error.textContent = model.error;
  }

  private _renderMfa(row: HTMLElement, profile: IProfileRow | undefined): void {
    const mfa = row.querySelector('.jp-awsrole-mfa');
    if (!mfa || !profile) {
      return;
    }
    const model = this._model;
    const state =
      profile.name === model.selected && model.confirmed
        ? model.need === 'needed'
          ? CODE_NEEDED
          : profile.mfa_state
        : profile.mfa_state;
    mfa.textContent = mfaWords(state);
    mfa.classList.toggle('jp-mod-needed', state === CODE_NEEDED);
  }

  /** Ask the kernel whether the chosen profile needs a code now; `_checking` settles with the answer. */
  private _checkCode(): void {
    const name = this._model.selected;
    if (name === null || this._checkingFor === name) {
      return;
    }
    this._checkingFor = name;
    this._checking = (async () => {
      let needsCode: boolean;
      try {
        const reply = await this.client.call({ request: 'needs_code', profile: name });
        needsCode = !!reply.needs_code;
      } catch (error) {
        needsCode = this._model.need === 'needed'; // the assume itself will say what is wrong
        if (this._model.selected === name) {
          this.showError(error instanceof Error ? error.message : String(error));
        }
      }
      if (this._checkingFor === name) {
        this._checkingFor = null;
      }
      const shownBefore = this._model.codeShown;
      this._model.needKnown(name, needsCode);
      this._renderSelection();
      if (this._model.codeShown && !shownBefore && document.activeElement === document.body) {
        this._code.focus();
      }
    })();
  }

  private _uid: string;
  private _remembered: HTMLDivElement;
  private _rememberedText: HTMLSpanElement;
  private _filter: HTMLInputElement;
  private _list: HTMLDivElement;
  private _codeBox: HTMLLabelElement;
  private _code: HTMLInputElement;
  private _error: HTMLDivElement;
  private _status: HTMLDivElement;
  private _login: HTMLDivElement;
  private _shared: HTMLDivElement;
  private _console: HTMLButtonElement;
  private _moreNote: HTMLDivElement;
  private _typing: ReturnType<typeof setTimeout> | undefined = undefined;
  private _loadingMore = false;
  private _rows = new Map<string, HTMLDivElement>();
  private _model = new SwitcherModel();
  private _checking: Promise<void> = Promise.resolve();
  private _checkingFor: string | null = null;
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
    _switcher.onAccept = () => this.resolve(_choices.length - 1);
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

/** Open the switcher for one kernel (`again`: assume the notebook's remembered profile at once); resolves once it closes. */
export async function openSwitcher(
  client: RoleClient,
  memory: RoleMemory | null = null,
  again: string | null = null
): Promise<void> {
  const body = new SwitcherBody(client, memory, again);
  const dialog = new SwitcherDialog(body, [
    Dialog.cancelButton({ label: 'Close' }),
    Dialog.okButton({ label: 'Assume role' })
  ]);
  await dialog.launch();
}
