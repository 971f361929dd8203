/** The ceiling's only activity: does nothing, so what is measured is Temporal's own cost. */
export const ceilingActivities = {
  async noop(): Promise<void> {},
};
