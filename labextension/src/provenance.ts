/**
 * Which AWS identity produced a cell's outputs: the kernel's record in each execute_reply's metadata
 * (jupyter_awsrole/provenance.py), kept in the cell's metadata under the same key, and the words its badge shows.
 */
import { IProvenanceInfo } from './protocol';

export const CELL_KEY = 'jupyter_awsrole';

const FIELDS = ['profile', 'role_arn', 'account'] as const;

/** The record a reply's or cell's `jupyter_awsrole` metadata holds, its three fields and nothing else; null when
 * there is none or it is malformed. */
export function recordIn(value: unknown): IProvenanceInfo | null {
  if (!value || typeof value !== 'object') {
    return null;
  }
  const given = value as Record<string, unknown>;
  const record: Partial<IProvenanceInfo> = {};
  for (const field of FIELDS) {
    const text = given[field];
    if (typeof text !== 'string' || !text.trim() || text.length > 2048) {
      return null;
    }
    record[field] = text;
  }
  return record as IProvenanceInfo;
}

/** What a cell's badge says: the profile and account shown, the whole record in its tooltip and accessible name. */
export function badgeWords(record: IProvenanceInfo): {
  profile: string;
  account: string;
  label: string;
} {
  return {
    profile: record.profile,
    account: record.account,
    label: `Outputs produced as AWS profile ${record.profile} in account ${record.account} (role ${record.role_arn})`
  };
}
