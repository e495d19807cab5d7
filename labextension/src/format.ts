/**
 * The one line the status and toolbar items show, and when it turns to a warning.
 */
import { CODE_NEEDED, SESSION_OPEN } from './model';
import { ILoginInfo, IProblemInfo, IRoleInfo, ISharingInfo } from './protocol';

export const WARNING_SECONDS = 10 * 60;

export interface ILabel {
  text: string;
  title: string;
  level: 'none' | 'offer' | 'ok' | 'warning' | 'expired';
}

/** Minutes left, as the item shows them: `52m`, `1h 05m`, `<1m`. */
export function formatRemaining(seconds: number): string {
  if (seconds < 60) {
    return '<1m';
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m`;
  }
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function label(
  state: IRoleInfo | null,
  problem: IProblemInfo | null,
  now = Date.now(),
  remembered: string | null = null,
  extra: { sharing?: ISharingInfo | null; login?: ILoginInfo | null } = {}
): ILabel {
  const login = extra.login;
  if (login) {
    return {
      text: `AWS: sign-in code ${login.user_code}`,
      title:
        `SSO sign-in for profile ${login.profile} waits for approval. ` +
        'Click to open the switcher, which links to the sign-in page.',
      level: 'offer'
    };
  }
  if (!state && remembered) {
    return {
      text: `AWS: assume ${remembered} again?`,
      title:
        `This notebook last ran as profile ${remembered}. Click to assume it again ` +
        '(an MFA code is asked for if one is needed).',
      level: 'offer'
    };
  }
  if (!state) {
    return {
      text: 'AWS: none',
      title: 'No AWS role in this kernel. Click to choose one.',
      level: 'none'
    };
  }
  const where = state.account ? `${state.profile} @ ${state.account}` : state.profile;
  const lines = [`Profile: ${state.profile}`];
  if (state.role_arn) {
    lines.push(`Role: ${state.role_arn}`);
  }
  if (state.region) {
    lines.push(`Region: ${state.region}`);
  }
  let level: ILabel['level'] = 'ok';
  let suffix = '';
  const expires = state.expiration ? Date.parse(state.expiration) : NaN;
  if (state.long_term) {
    lines.push('Long-term keys: they do not expire.');
    suffix = ' · long-term keys';
  } else if (!Number.isNaN(expires)) {
    const seconds = Math.floor((expires - now) / 1000);
    lines.push(`Expires: ${new Date(expires).toLocaleString()}`);
    if (seconds <= 0) {
      suffix = ' · expired';
      level = 'expired';
    } else {
      suffix = ` · ${formatRemaining(seconds)}`;
      level = seconds <= WARNING_SECONDS ? 'warning' : 'ok';
    }
  }
  if (problem) {
    lines.push(
      problem.kind === 'needs-mfa'
        ? 'Renewing needs an MFA code: click to type one.'
        : problem.message
    );
    if (level === 'ok') {
      level = 'warning';
    }
  }
  const sharing = extra.sharing;
  if (sharing && sharing.clusters > 0) {
    const workers = daskWorkers(sharing.workers);
    const clusters = `${sharing.clusters} cluster${sharing.clusters === 1 ? '' : 's'}`;
    lines.push(`Shared with ${workers} (${clusters}).`);
    suffix += ` · ${workers}`;
  }
  lines.push('Click to switch role.');
  return { text: `AWS: ${where}${suffix}`, title: lines.join('\n'), level };
}

/** A profile's MFA state (the kernel's listing.mfa_state) as a switcher row says it; nothing without MFA. */
export function mfaWords(state: string): string {
  if (state === CODE_NEEDED) {
    return 'MFA code needed';
  }
  if (state === SESSION_OPEN) {
    return 'MFA session open';
  }
  return '';
}

/** `1 Dask worker`, `4 Dask workers`: how the status bar and the switcher count the workers sharing the role. */
export function daskWorkers(count: number): string {
  return `${count} Dask worker${count === 1 ? '' : 's'}`;
}
