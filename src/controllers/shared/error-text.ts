// The message of a thrown value, for log fields, events and conditions.

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
