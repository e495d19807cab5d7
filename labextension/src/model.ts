/**
 * The switcher's state, without the DOM: which rows show, which one is chosen, whether the kernel
 * wants a code for it, and what Enter does next. The dialog only draws it (unit-tested in test/).
 * Rows come a page at a time, filtered by the kernel; the loaded ones are narrowed here at once as the
 * user types (the same rule: ./filter), until the kernel's answer for the new words arrives.
 */
import { matching } from './filter';
import { IProfileRow } from './protocol';

/** The kernel's words for a profile's MFA (listing.mfa_state): the same in every front end. */
export const CODE_NEEDED = 'code needed';
export const SESSION_OPEN = 'session open';
export const NO_MFA = 'no MFA';

/** Whether the chosen profile needs a code: as its row says, then as the kernel confirmed. */
export type Need = 'needed' | 'not-needed';

/** What submitting asks for next. */
export type Step =
  | { kind: 'busy' }
  | { kind: 'wait' }
  | { kind: 'error'; message: string; focus: 'filter' | 'code' }
  | { kind: 'assume'; profile: string; code: string | null };

export const CHOOSE_PROFILE = 'Choose a profile.';
export const TYPE_CODE = 'Type the MFA code for this profile.';

export class SwitcherModel {
  /** The rows loaded so far: the first pages of the kernel's answer for `loadedFor`. */
  profiles: IProfileRow[] = [];
  query = '';
  /** The words the loaded rows answer, and how many rows the kernel has for them in all. */
  loadedFor = '';
  total = 0;
  selected: string | null = null;
  need: Need = 'not-needed';
  /** Whether the kernel said `need` for the selected profile (a row's word may be stale). */
  confirmed = false;
  busy = false;
  error = '';

  /** The rows the filter leaves that can be switched to, in the kernel's order. */
  get visible(): IProfileRow[] {
    return matching(this.profiles, this.query).filter(row => row.kind !== 'empty');
  }

  /** Whether the kernel has more rows for the words typed than are loaded (the next page starts at profiles.length). */
  get more(): boolean {
    return this.loadedFor === this.query && this.profiles.length < this.total;
  }

  /** The code field shows exactly when the chosen profile needs a code. */
  get codeShown(): boolean {
    return this.selected !== null && this.need === 'needed';
  }

  row(name: string | null): IProfileRow | undefined {
    return name === null ? undefined : this.profiles.find(p => p.name === name);
  }

  /** Every profile at once (no paging). */
  setProfiles(rows: IProfileRow[]): void {
    this.profiles = rows;
    this.loadedFor = '';
    this.total = rows.length;
    this._keepSelection();
  }

  /** A page of the kernel's answer for `query` (the first replaces the rows, the next adds to them); false for an
   * answer the typing left behind or a page out of turn. */
  setPage(query: string, rows: IProfileRow[], total: number, offset: number): boolean {
    if (query !== this.query) {
      return false;
    }
    if (offset === 0) {
      this.profiles = rows;
    } else if (query === this.loadedFor && offset === this.profiles.length) {
      this.profiles = [...this.profiles, ...rows];
    } else {
      return false;
    }
    this.loadedFor = query;
    this.total = total;
    this._keepSelection();
    return true;
  }

  /** A new filter: a chosen row filtered out is unchosen; a single row left is chosen. */
  setQuery(query: string): boolean {
    this.query = query;
    return this._keepSelection();
  }

  /** Choose a row; true when the choice changed (the kernel is then asked about its code). */
  select(name: string | null): boolean {
    if (name === this.selected) {
      return false;
    }
    this.selected = name;
    this.error = '';
    this.need = this.row(name)?.mfa_state === CODE_NEEDED ? 'needed' : 'not-needed';
    this.confirmed = name === null;
    return true;
  }

  /** Arrow keys: the next or previous visible row (the first or last when none is chosen). */
  move(delta: number): boolean {
    const rows = this.visible;
    if (!rows.length) {
      return false;
    }
    const at = rows.findIndex(r => r.name === this.selected);
    let next: number;
    if (at < 0) {
      next = delta > 0 ? 0 : rows.length - 1;
    } else {
      next = Math.min(rows.length - 1, Math.max(0, at + delta));
    }
    return this.select(rows[next].name);
  }

  /** The kernel's answer to "does this profile need a code now?" (ignored if the choice moved on). */
  needKnown(name: string, needsCode: boolean): void {
    if (name === this.selected) {
      this.need = needsCode ? 'needed' : 'not-needed';
      this.confirmed = true;
    }
  }

  /** Enter or "Assume role": what to do with the code typed so far. */
  submit(code: string): Step {
    if (this.busy) {
      return { kind: 'busy' };
    }
    if (this.selected === null) {
      const rows = this.visible;
      if (rows.length === 1) {
        this.select(rows[0].name);
      } else {
        this.error = CHOOSE_PROFILE;
        return { kind: 'error', message: this.error, focus: 'filter' };
      }
    }
    if (!this.confirmed) {
      return { kind: 'wait' };
    }
    const typed = code.trim();
    if (this.need === 'needed' && !typed) {
      this.error = TYPE_CODE;
      return { kind: 'error', message: this.error, focus: 'code' };
    }
    this.busy = true;
    this.error = '';
    return {
      kind: 'assume',
      profile: this.selected!,
      code: this.need === 'needed' ? typed : null
    };
  }

  /** The kernel refused: keep the choice, say why, and ask for a code if that was the reason. */
  failed(message: string, needsCode: boolean): void {
    this.busy = false;
    this.error = message;
    if (needsCode) {
      this.need = 'needed';
      this.confirmed = true;
    }
  }

  succeeded(): void {
    this.busy = false;
    this.error = '';
  }

  /** Whether the visible rows are every row the words typed match: the kernel's answer for them, or a
   * narrowing of every profile. */
  private get _exact(): boolean {
    const everything = this.loadedFor.trim() === '' && this.profiles.length >= this.total;
    return everything || (this.loadedFor === this.query && !this.more);
  }

  private _keepSelection(): boolean {
    const rows = this.visible;
    const single = rows.length === 1 && this._exact ? rows[0].name : null;
    if (this.selected !== null && !rows.some(r => r.name === this.selected)) {
      return this.select(single);
    }
    if (this.selected === null && single !== null) {
      return this.select(single);
    }
    return false;
  }
}
