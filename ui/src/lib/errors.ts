import type { ErrorCode, ErrorPayload } from "./bindings";

/** The message to show for a failed command, in the user's words. */
export function messageOf(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) {
    return String((e as ErrorPayload).message);
  }
  if (typeof e === "string") return e;
  return "Something went wrong. Try again.";
}

/** The refusal's code (a union checked by svelte-check), or null for a failure that is not ours. */
export function codeOf(e: unknown): ErrorCode | null {
  if (e && typeof e === "object" && "code" in e) return (e as ErrorPayload).code;
  return null;
}
