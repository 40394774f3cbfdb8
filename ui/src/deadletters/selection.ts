// After a batch action, keep selected only what failed, so the operator sees what is left.

export function selectionAfter(selected: Set<number>, report: { done: number[] }): Set<number> {
  const next = new Set(selected);
  for (const id of report.done) next.delete(id);
  return next;
}
