/**
 * Ends a run with one plain line, `N passed, N failed[, N skipped]`, for tools that read the last line of
 * the output. Written as the process exits, so it comes after Jest's own summary.
 */
export default class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}
