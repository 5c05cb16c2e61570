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
