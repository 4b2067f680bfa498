import type { Reporter, TestCase } from 'vitest/node';

/**
 * Names, at the end of a run, every test that passed only when tried again (CI tries a failed
 * browser test once more: vite.config.ts), so that a flaky test shows in the log instead of hiding.
 */
export default class FlakyReporter implements Reporter {
  private readonly flaky: string[] = [];

  onTestCaseResult(test: TestCase): void {
    const diagnostic = test.diagnostic();
    if (!diagnostic?.flaky) return;
    this.flaky.push(
      `${test.project.name} ${test.module.relativeModuleId} > ${test.fullName} (tried ${diagnostic.retryCount + 1} times)`,
    );
  }

  onTestRunEnd(): void {
    if (!this.flaky.length) return;
    console.log(
      `\nPassed only when tried again (${this.flaky.length}):\n${this.flaky.map((line) => `  ${line}`).join('\n')}\n`,
    );
  }
}
