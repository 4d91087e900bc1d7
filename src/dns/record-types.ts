/** The DNS record types bascule asks for (RFC 1035), shared by the resolver and the wire client. */
export const TYPE_CNAME = 5;
export const TYPE_TXT = 16;
export const TYPE_NAMES: Record<number, string> = { [TYPE_CNAME]: 'CNAME', [TYPE_TXT]: 'TXT' };
