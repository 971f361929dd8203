/**
 * The ceiling's only activity: does nothing, so what is measured is Temporal's own cost. It
 * notes when it ran: the ceiling's "completed", as an order's is the activity recording
 * CONFIRMED (both workflows then finish with one more workflow task).
 */
export function createCeilingActivities(completions: number[]) {
  return {
    async noop(): Promise<void> {
      completions.push(Date.now());
    },
  };
}
