/** Marks the queue page sets and the `queue` section finds in a CDP trace: they name the page's main thread and the run's span. */
export const QUEUE_MARKS = { start: 'queue-start', end: 'queue-end' } as const;
