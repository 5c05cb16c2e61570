import type { SaleView } from "../lib/bindings";
import { rand, typedCents } from "../lib/money";

/** The kinds of sale the counter sells, in F4's order. */
export type Mode = "za" | "power" | "bill" | "uk";
export const modes: Mode[] = ["za", "power", "bill", "uk"];

/** What a kind-of-sale form shows: its fields, its lines on the confirm screen, or nothing
 * (another kind is chosen, or the result is on screen). The form stays mounted in every
 * view, so what was typed survives Back, a switch of kind and F5. */
export type FormView = "form" | "confirm" | "none";

/** What the selling screen's one sale flow asks of each kind of sale: the flow owns the
 * steps (choose → confirm → sending → result), the request id, the manager's override,
 * the result and the keys common to all; each form owns its fields, its checks and its
 * own call to the till. */
export interface SaleForm {
  /** Checks what is typed (looking things up where that is the next step): true when the
   * sale can go to the confirm screen; otherwise the form says why and keeps the cursor. */
  check(): Promise<boolean>;
  /** Why the sale cannot be sent from the confirm screen now, or null. */
  problem(): string | null;
  /** Sends the sale under the flow's own request id (the same id on a retry). */
  send(requestId: string, overridePin: string | null): Promise<SaleView>;
  /** The sale as it stands, to sell again with F5 (no customer's number, meter or account). */
  order(): unknown;
  /** Puts a past order back for the next customer; `keepTyped` keeps the number, meter or
   * account typed for it. True when nothing more is needed before the confirm screen. */
  repeat(order: unknown, keepTyped: boolean): Promise<boolean>;
  /** The cursor where typing starts for this kind. */
  focus(): void;
  /** The kind's own keys on the choose step (arrows, F3, F6). */
  onKey(e: KeyboardEvent): void;
  /** Clears the last customer's fields for a new sale. */
  reset(): void;
}

/** An amount typed is checked against the product's range as it is typed. */
export function rangeNote(text: string, min: number, max: number): string | null {
  if (text.trim() === "") return null;
  const c = typedCents(text);
  if (c === null) return `'${text.trim().slice(0, 15)}' is not an amount: type digits, and the cents after a point or a comma, like 50 or 12,50.`;
  if (c < min || c > max) return `The amount must be from ${rand(min)} to ${rand(max)}.`;
  return null;
}

/** Moves the choice in a list one step (wrapping), by the arrow keys. */
export function step1<T>(list: T[], current: T | null | undefined, by: number): T | null {
  if (list.length === 0) return null;
  const i = current == null ? -1 : list.indexOf(current);
  if (i < 0) return by > 0 ? list[0] : list[list.length - 1];
  return list[(i + by + list.length) % list.length];
}

