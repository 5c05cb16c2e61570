/** `R1234.50` from cents, with integer arithmetic only (no floats on money). */
export function rand(minor: number): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  return `${sign}R${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

const SYMBOLS: Record<string, string> = { ZAR: "R", GBP: "£", LKR: "Rs " };

/** An amount in its own currency (`R12.00`, `£5.00`), integers only. */
export function money(m: { minor: number; currency: string }): string {
  const sign = m.minor < 0 ? "-" : "";
  const abs = Math.abs(m.minor);
  return `${sign}${SYMBOLS[m.currency] ?? m.currency + " "}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
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
  return `${sign}${SYMBOLS[m.currency] ?? m.currency + " "}${Math.floor(abs / 10000)}.${frac}`;
}
