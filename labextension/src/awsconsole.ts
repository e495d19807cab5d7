/**
 * The AWS console for a kernel's role: opened from a click (a blank tab at once, so no popup blocker stops it,
 * pointed at the sign-in link when the kernel answers) or offered by `%awsrole --console` as a notification.
 * The link is a credential for 15 minutes: it lives only in the tab and the notification, never in metadata or logs.
 */
import { Notification } from '@jupyterlab/apputils';

import { RoleClient, RoleError } from './client';
import { isWebLink } from './links';
import { IConsolePush } from './protocol';

/** Open the console in a new tab; the kernel's one-line error (the blank tab closed) when it cannot. */
export async function openConsole(client: RoleClient, service?: string): Promise<void> {
  const tab = window.open('', '_blank');
  if (tab) {
    tab.opener = null;
    tab.document.title = 'AWS console';
    tab.document.body.textContent = 'Signing in to the AWS console…';
  }
  try {
    const reply = await client.call(
      service ? { request: 'console', service } : { request: 'console' }
    );
    const url = reply.console_url ?? '';
    if (!isWebLink(url)) {
      throw new RoleError('The kernel gave no AWS console link.');
    }
    if (tab && !tab.closed) {
      tab.location.replace(url);
    } else {
      window.open(url, '_blank', 'noopener');
    }
  } catch (error) {
    tab?.close();
    throw error;
  }
}

/** A console link the kernel pushed (not a click, so no tab may open by itself): a notification with "Open". */
export function offerConsole(push: IConsolePush): void {
  const url = push.url;
  const until = Date.parse(push.expires_at);
  const left = Number.isNaN(until) ? 15 * 60_000 : until - Date.now();
  if (left <= 0) {
    return;
  }
  const id = Notification.info(
    `AWS console sign-in for profile ${push.profile} is ready until ${new Date(Date.now() + left).toLocaleTimeString()}.`,
    {
      autoClose: false,
      actions: [
        {
          label: 'Open',
          caption: 'Open the AWS console in a new tab',
          displayType: 'accent',
          callback: () => {
            window.open(url, '_blank', 'noopener');
          }
        }
      ]
    }
  );
  setTimeout(() => Notification.dismiss(id), left); // the link is dead then: nothing to keep
}
