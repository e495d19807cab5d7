/**
 * Which links the extension opens: web pages only (the AWS console's sign-in link, or a local stand-in's).
 */

/** Whether `url` is an http(s) URL (never javascript:, data: or a relative path). */
export function isWebLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !!parsed.hostname;
  } catch {
    return false;
  }
}
