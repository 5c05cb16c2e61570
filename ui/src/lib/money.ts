/** `R1234.50` from cents, with integer arithmetic only (no floats on money). */
export function rand(minor: number): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  return `${sign}R${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
