/** `1 234` from 1234: the thousands grouped by a space, as South Africa writes them
 * (and as the Rust side shows amounts). */
export function grouped(whole: number): string {
  return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** `R1 234.50` from cents, with integer arithmetic only (no floats on money). */
export function rand(minor: number): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  return `${sign}R${grouped(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, "0")}`;
}

/** Cents from an amount as typed at the till (`12`, `12.50`, `12,50`, `1 250`), or
 * null when it is not one: the same rule as the till's own (Rust) check, used only
 * to say at once that an amount is out of range. Integers only. */
export function typedCents(text: string): number | null {
  const t = text.trim();
  const m = /^((?:\d{1,3}(?:[ \u00a0]\d{3})+)|\d*)(?:[.,](\d{0,2}))?$/.exec(t);
  if (!m || t === "" || t === "." || t === ",") return null;
  const whole = (m[1] ?? "").replace(/[ \u00a0]/g, "");
  const frac = (m[2] ?? "").padEnd(2, "0");
  if (whole.length > 12) return null;
  return Number(whole || "0") * 100 + Number(frac || "0");
}

const SYMBOLS: Record<string, string> = { ZAR: "R", GBP: "£", LKR: "Rs " };

/** An amount in its own currency (`R12.00`, `£5.00`), integers only. */
export function money(m: { minor: number; currency: string }): string {
  const sign = m.minor < 0 ? "-" : "";
  const abs = Math.abs(m.minor);
  return `${sign}${SYMBOLS[m.currency] ?? m.currency + " "}${grouped(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, "0")}`;
}

/** `12.50` from 1250: a plain decimal for sending back as text, integers only. */
export function decimal(minor: number): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** An amount kept to ten-thousandths (costs, profits, wallets), shown exactly with two
 * to four decimals as the books keep it: `R14.175`, `R12.00`. Integers only. */
export function exact(m: { e4: number; currency: string }): string {
  const sign = m.e4 < 0 ? "-" : "";
  const abs = Math.abs(m.e4);
  const frac = String(abs % 10000).padStart(4, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${sign}${SYMBOLS[m.currency] ?? m.currency + " "}${grouped(Math.floor(abs / 10000))}.${frac}`;
}

/** Today in the shop's way of writing dates: `2026/12/01`. */
export function todayText(): string {
  const d = new Date();
  return `${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, "0")}/${String(d.getDate()).padStart(2, "0")}`;
}
