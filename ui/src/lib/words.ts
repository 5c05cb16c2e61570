// The words people read for the values the Rust side sends as keys.

const PROVIDERS: Record<string, string> = { smartcall: "Smartcall", aat: "AAT", ideamart: "Ideamart", mx: "MX Telecom", stock: "Stock" };

/** `smartcall` → `Smartcall`: a provider as people say it. */
export function providerName(id: string): string {
  return PROVIDERS[id] ?? id.charAt(0).toUpperCase() + id.slice(1);
}

const KINDS: Record<string, string> = { airtime: "Airtime", voucher: "Vouchers", data: "Data", sms: "SMS", electricity: "Electricity", payment: "Bills", other: "Other", cash: "Cash", mobile: "Mobile balance" };

/** `airtime` → `Airtime`, `cash` → `Cash`: a report's key as a heading. */
export function keyName(key: string): string {
  return KINDS[key] ?? PROVIDERS[key] ?? key;
}

const STATES: Record<string, string> = {
  created: "Starting",
  submitting: "Sending",
  succeeded: "Sold",
  failed: "Not sold",
  pending: "Pending",
  in_doubt: "Checking",
  cancelled: "Cancelled",
  reversed: "Reversed",
};

/** `in_doubt` → `Checking`: a sale's state as the till shows it. */
export function stateName(state: string): string {
  return STATES[state] ?? state.replace(/_/g, " ");
}

const ROLES: Record<string, string> = { manager: "Manager", cashier: "Cashier" };

/** `manager` → `Manager`. */
export function roleName(role: string): string {
  return ROLES[role] ?? role;
}

const OVERRIDES: Record<string, string> = { repeat_sale: "A repeat sale", decided_sold: "Decided sold", decided_not_sold: "Decided not sold" };

/** `repeat_sale` → `A repeat sale`: what a manager approved. */
export function overrideName(kind: string): string {
  return OVERRIDES[kind] ?? kind.replace(/_/g, " ");
}

const NOTICES: Record<string, string> = { submitted: "Sent on", confirmed: "Confirmed", failure: "Failed", retry: "Retrying", success: "Sold" };

/** A provider's notification state (`confirmed`, `failure`) in words. */
export function noticeName(state: string): string {
  return NOTICES[state] ?? state;
}

/** `1 sale`, `3 sales`: a count with its noun, never "sale(s)". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
