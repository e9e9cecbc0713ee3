/** Returns the same server URL pointed at another database name. Works for TCP and unix-socket hosts. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
